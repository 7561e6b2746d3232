"""Everything but the UI: models, catalog, persistence, import/export, domain checks.

This package never imports textual (tests/test_layers.py proves it).
"""
