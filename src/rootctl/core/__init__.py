"""rootctl.core"""
