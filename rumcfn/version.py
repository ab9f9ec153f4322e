"""rumcfn's version, apart from the package's ``__init__`` so that any layer can read it cheaply."""

__version__ = "0.1.0"
