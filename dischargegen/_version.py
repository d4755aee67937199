"""The program's version, in a module of its own: every layer may read it (the PDF's creator, the batch
fingerprint, --version) without importing the package's public API, which imports those layers."""

__version__ = "0.1.0"
