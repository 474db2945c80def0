"""Widgets: the only code that builds windows. Never imports torch."""
