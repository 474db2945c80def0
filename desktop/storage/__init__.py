"""Everything TermLens keeps on disk: the encrypted database, its keys, bundles that move them,
backups, conversations, the reviewed training set, settings, atomic file and folder writes and
the one-instance lock.

May import ``glossary``, sqlcipher, cryptography, keyring and the small ``desktop`` helpers
(``paths``, ``errors``, ``log``); never torch, transformers, peft, accelerate, Qt,
``desktop.engine``, ``desktop.workers`` or ``desktop.ui`` (``tests/test_layering.py``).
"""
