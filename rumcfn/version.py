"""rumcfn's version, apart from the package's ``__init__`` so that any layer can read it cheaply."""

__version__ = "0.1.0"

#: Where rumcfn's source lives (setup.cfg's url says the same; a test keeps them together). Nothing named rumcfn is
#: published on PyPI, so it installs from a wheel or from this repository at a release tag:
#: ``pip install "git+{SOURCE}@v{__version__}"``.
SOURCE = "https://github.com/rumcfn/rumcfn"


def git_reference(version: str = __version__) -> str:
    """The pinned git reference pip installs this release from."""
    return f"git+{SOURCE}@v{version}"
