"""Renderers: models → tables, trees, text (rich), JSON (versioned schema) and CSV.

No AWS, no decisions: everything here is a pure function of core's models.
"""
