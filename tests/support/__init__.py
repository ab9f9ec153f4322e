"""Test support shared by the suite and the benchmarks: fixtures (a pytest plugin), AWS doubles,
the settings variants, the custom-resource handler harness. Nothing here is a test."""

from pathlib import Path

#: The repository's top folder.
ROOT = Path(__file__).resolve().parents[2]

#: A whole site given as flags (``rumcfn synth`` and the like): the built-in example, and its note, stay out.
SITE_FLAGS = ("--monitor.name", "shop", "--monitor.domains", "shop.example.com", "--script.bucket", "shop-site")
