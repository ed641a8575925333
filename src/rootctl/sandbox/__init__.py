"""rootctl.sandbox"""
