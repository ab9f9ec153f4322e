"""Test support shared by the suite and the benchmarks: fixtures (a pytest plugin), AWS doubles,
the settings variants, the custom-resource handler harness. Nothing here is a test."""

from pathlib import Path

#: The repository's top folder.
ROOT = Path(__file__).resolve().parents[2]
