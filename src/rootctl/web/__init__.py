"""rootctl.web"""
