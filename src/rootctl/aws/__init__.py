"""rootctl.aws"""
