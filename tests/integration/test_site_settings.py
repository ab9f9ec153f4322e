"""No silent example: the built-in example is built only when neither a settings file nor a site flag is given, and
then stderr says so; a site given in part is exit 2 naming what is missing; a settings file found in the working
directory is named on stderr."""

from __future__ import annotations

import json

import pytest

SITE = ("--monitor.name", "shop", "--monitor.domains", "shop.example.com", "--script.bucket", "shop-site")
EXAMPLE_NOTE = ("rumcfn: no settings file and no site flags: using the built-in example (monitor example-site, "
                "bucket example-site-assets); `rumcfn init` writes settings for your own site\n")


def test_the_example_is_announced_in_one_line(run_cli):
    done = run_cli("synth", "-o", "t.json")
    assert done.returncode == 0 and done.stderr == EXAMPLE_NOTE


def test_a_whole_site_from_flags_carries_no_example_value(run_cli, tmp_path):
    done = run_cli("synth", *SITE, "-o", "t.json")
    assert done.returncode == 0 and done.stderr == ""
    text = (tmp_path / "t.json").read_text()
    assert "example-site" not in text and "www.example.com" not in text
    assert json.loads(text)["Resources"]["AppMonitor"]["Properties"]["Name"] == "shop"


@pytest.mark.parametrize("given, missing, flags", [
    (("--monitor.domains", "shop.example.com"), "monitor.name and script.bucket", "--monitor.name and --script.bucket"),
    (("--script.bucket", "shop-site"), "monitor.name and monitor.domains", "--monitor.name and --monitor.domains"),
    (("--monitor.name", "shop", "--monitor.domains", "shop.example.com"), "script.bucket", "--script.bucket"),
])
def test_a_site_in_part_is_exit_2_naming_what_is_missing(run_cli, tmp_path, given, missing, flags):
    done = run_cli("synth", *given, "-o", "t.json")
    assert done.returncode == 2 and done.stdout == "" and not (tmp_path / "t.json").exists()
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"rumcfn: error: the site is incomplete: {missing} missing"), done.stderr
    assert flags in done.stderr


def test_a_settings_file_without_a_bucket_is_exit_2(run_cli, tmp_path):
    (tmp_path / "site.toml").write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n')
    done = run_cli("synth", "--config", "site.toml")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("rumcfn: error: the site is incomplete: script.bucket missing"), done.stderr
    (tmp_path / "budgets.toml").write_text("[budgets]\nlcp = 3000\n")
    done = run_cli("synth", "--config", "budgets.toml")
    assert done.returncode == 2
    assert "monitor.name, monitor.domains and script.bucket missing" in done.stderr


def test_a_settings_file_found_in_the_working_directory_is_named(run_cli, tmp_path):
    (tmp_path / "rumcfn.toml").write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n'
                                          '[script]\nbucket = "shop-site"\n')
    done = run_cli("synth", "-o", "t.json")
    assert done.returncode == 0
    assert done.stderr == f"rumcfn: settings from {tmp_path / 'rumcfn.toml'} (found in the working directory)\n"
    explicit = run_cli("synth", "--config", "rumcfn.toml", "-o", "u.json")
    assert explicit.stderr == "" and (tmp_path / "u.json").read_bytes() == (tmp_path / "t.json").read_bytes()


def test_a_template_file_needs_no_settings(run_cli, tmp_path):
    assert run_cli("synth", *SITE, "-o", "t.json").returncode == 0
    (tmp_path / "rumcfn.toml").write_text("[budgets]\nlcp = 3000\n")  # would be an incomplete site
    done = run_cli("lint", "t.json")
    assert done.returncode == 0 and done.stderr == "t.json: no errors or warnings\n"
    mixed = run_cli("lint", "t.json", "--monitor.domains", "shop.example.com")
    assert mixed.returncode == 2
    assert mixed.stderr == ("rumcfn: error: --monitor.domains does not apply with TEMPLATE_FILE: the template is read, "
                            "not built from settings\n")
