"""rootctl.render"""
