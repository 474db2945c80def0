"""Offline installation of TermLens: bundles built on a connected machine, installed without network.

``installer.bundle`` builds the bundle (wheelhouse, default-model wheel, model folders,
checksummed manifest, install scripts); ``installer.install`` is the standard-library-only
installer copied into every bundle (verify, install or upgrade, uninstall, launchers).
Command line: ``python -m installer bundle|install|uninstall|verify``.
"""
