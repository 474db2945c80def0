"""TermLens terminology core: concepts, store, term detection, prompt injection, formats.

Imports neither Qt nor torch (checked by tests/test_layering.py).
"""
