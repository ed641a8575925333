"""rootctl.journal"""
