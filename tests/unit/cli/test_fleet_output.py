"""``synth --fleet -o DIR``: what lands in the directory, byte for byte the same each run; nothing on a bad site;
a directory that holds something else is refused; files an earlier run wrote and this one does not are removed."""

from __future__ import annotations

import json

import pytest

from rumcfn.cli import fleet as fleet_cli
from rumcfn.config.fleet import FleetInvalid
from rumcfn.errors import UsageError

SITES = """
[[sites]]
name = "shop"
domains = ["www.shop.example"]
bucket = "shop-assets"

[[sites]]
name = "blog"
domains = ["www.blog.example"]
bucket = "blog-assets"
"""


def tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_output_directory_is_the_same_bytes_every_run(tmp_path):
    fleet = tmp_path / "rumcfn.toml"
    fleet.write_text(SITES)
    out = tmp_path / "out"
    fleet_cli.synth(str(fleet), None, str(out), "json", lint=False)
    first = tree(out)
    assert sorted(first) == ["manifest.json", "parameters/blog.cloudformation.json",
                             "parameters/blog.servicecatalog.json", "parameters/shop.cloudformation.json",
                             "parameters/shop.servicecatalog.json", *[k for k in first if k.startswith("templates/")]]
    fleet_cli.synth(str(fleet), None, str(out), "json", lint=False)
    assert tree(out) == first
    manifest = json.loads(first["manifest.json"])
    assert [s["name"] for s in manifest["sites"]] == ["shop", "blog"] and len(manifest["templates"]) == 1


def test_a_bad_site_writes_nothing(tmp_path):
    fleet = tmp_path / "rumcfn.toml"
    fleet.write_text(SITES.replace('bucket = "blog-assets"', 'bucket = "Blog"'))
    with pytest.raises(FleetInvalid, match="^site blog: setting script.bucket"):
        fleet_cli.synth(str(fleet), None, str(tmp_path / "out"), "json", lint=False)
    assert not (tmp_path / "out").exists()


def test_a_directory_of_other_files_is_refused(tmp_path):
    fleet = tmp_path / "rumcfn.toml"
    fleet.write_text(SITES)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="holds files that are not a fleet's output"):
        fleet_cli.synth(str(fleet), None, str(out), "json", lint=False)
    assert tree(out) == {"notes.txt": b"mine"}


def test_files_an_earlier_run_wrote_go_when_their_site_goes(tmp_path):
    fleet = tmp_path / "rumcfn.toml"
    fleet.write_text(SITES)
    out = tmp_path / "out"
    fleet_cli.synth(str(fleet), None, str(out), "json", lint=False)
    fleet.write_text(SITES.split("[[sites]]\nname = \"blog\"")[0])
    fleet_cli.synth(str(fleet), None, str(out), "json", lint=False)
    assert not any(name.startswith("parameters/blog") for name in tree(out))


def test_an_edited_manifest_cannot_remove_files_outside_the_directory(tmp_path):
    fleet = tmp_path / "rumcfn.toml"
    fleet.write_text(SITES)
    out = tmp_path / "out"
    fleet_cli.synth(str(fleet), None, str(out), "json", lint=False)
    outside = tmp_path / "keep.json"
    outside.write_text("{}")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["templates"][str(outside)] = {}
    manifest["templates"]["../keep.json"] = {}
    (out / "manifest.json").write_text(json.dumps(manifest))
    fleet_cli.synth(str(fleet), None, str(out), "json", lint=False)
    assert outside.exists()


def test_synth_fleet_needs_a_directory(tmp_path):
    with pytest.raises(UsageError, match="give -o DIR"):
        fleet_cli.synth(str(tmp_path / "rumcfn.toml"), None, None, "json", lint=False)
