"""Everything TermLens keeps on disk: the encrypted database, its keys, backups, conversations,
the reviewed training set, settings, atomic writes and the one-instance lock.

May import ``glossary``, sqlcipher, cryptography, keyring and the small ``desktop`` helpers
(``paths``, ``errors``, ``log``); never torch, transformers or Qt.
"""
