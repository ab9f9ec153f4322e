"""The suite's fixtures live in one plugin, ``tests/support/fixtures.py``."""

pytest_plugins = ("tests.support.fixtures",)
