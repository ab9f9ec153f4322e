"""``rumcfn init``: a commented rumcfn.toml for the user's own site from flags, or from answers on a terminal; the
same rules as any settings file; never over an existing file without --force; one line each on what the sample rate
and the cookies mean (cost, consent)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import rumcfn.cli.init
from rumcfn.cli import main
from rumcfn.config import load

FLAGS = ("--monitor.domains", "shop.example.com", "--script.bucket", "shop-site")
NOTES = [
    "rumcfn: cost: session_sample_rate 1.0 records 100% of sessions; a higher rate gives more data and costs more "
    "(RUM's own API default is 0.1)",
    "rumcfn: consent: allow_cookies = true sets a session cookie and a user cookie; where privacy law asks consent "
    "for such cookies, get it first or set false",
]


def test_init_from_flags_writes_a_commented_file_the_other_commands_read(run_cli, tmp_path):
    done = run_cli("init", *FLAGS, "--monitor.name", "shop", "--auth.mode", "resource-policy", "--budgets.inp", "off",
                   "--region", "eu-west-1")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["rumcfn: wrote rumcfn.toml for shop (shop.example.com)", *NOTES]
    text = (tmp_path / "rumcfn.toml").read_text()
    assert "# Deploy it: rumcfn deploy --stack-name shop-rum --region eu-west-1" in text
    assert f"# {NOTES[0].removeprefix('rumcfn: ')}\nsession_sample_rate = 1.0" in text
    assert f"# {NOTES[1].removeprefix('rumcfn: ')}\nallow_cookies = true" in text
    settings = load(tmp_path / "rumcfn.toml")
    assert (settings.monitor.name, settings.monitor.domains, settings.script.bucket) == (
        "shop", ("shop.example.com",), "shop-site")
    assert settings.auth.mode == "resource-policy" and settings.budgets.inp is None and settings.budgets.lcp == 2500
    synth = run_cli("synth", "-o", "t.json")
    assert synth.returncode == 0
    assert synth.stderr == f"rumcfn: settings from {tmp_path / 'rumcfn.toml'} (found in the working directory)\n"
    assert "example-site" not in (tmp_path / "t.json").read_text()


def test_init_never_overwrites_without_force(run_cli, tmp_path):
    (tmp_path / "rumcfn.toml").write_text("# mine\n")
    done = run_cli("init", *FLAGS)
    assert done.returncode == 2
    assert done.stderr == "rumcfn: error: rumcfn.toml exists; pass --force to replace it (or -o another file)\n"
    assert (tmp_path / "rumcfn.toml").read_text() == "# mine\n"
    assert run_cli("init", *FLAGS, "--force").returncode == 0
    assert load(tmp_path / "rumcfn.toml").monitor.name == "shop.example.com"  # the first domain


@pytest.mark.parametrize("args, says", [
    (("--monitor.domains", "http://shop.example.com/"), "setting monitor.domains:"),
    (("--monitor.domains", "shop.example.com", "--script.bucket", "Shop_Site"), "setting script.bucket:"),
    ((*FLAGS, "--monitor.session-sample-rate", "2"), "setting monitor.session_sample_rate:"),
    ((*FLAGS, "--budgets.cls", "250"), "setting budgets.cls:"),
    ((*FLAGS, "--region", "cn-north-1"), "the stack cannot deploy in cn-north-1"),
    ((*FLAGS, "--region", "mars-1"), "setting --region:"),
    (("--monitor.domains", "shop.example.com"), "--script.bucket needed (no terminal to ask on)"),
])
def test_bad_answers_are_one_line_and_nothing_is_written(run_cli, tmp_path, args, says):
    done = run_cli("init", *args)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_asks_on_a_terminal_and_asks_again_after_a_bad_answer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rumcfn.cli.init, "interactive", lambda: True)
    monkeypatch.delenv("AWS_REGION", raising=False)
    answers = ["http://shop.example.com", "shop.example.com, www.shop.example.com",  # domains: bad, then good
               "shop-site", "", "eu-west-1", "resource-policy", "3000", "off", "2.5", "0.2"]
    done = CliRunner().invoke(main, ["init"], input="\n".join(answers) + "\n", prog_name="rumcfn")
    assert done.exit_code == 0, done.output
    assert "Error: " in done.output and "Domains of the site" in done.output
    settings = load(tmp_path / "rumcfn.toml")
    assert settings.monitor.domains == ("shop.example.com", "www.shop.example.com")
    assert settings.monitor.name == "shop.example.com" and settings.auth.mode == "resource-policy"
    assert (settings.budgets.lcp, settings.budgets.inp, settings.budgets.cls) == (3000, None, 0.2)
    assert "--region eu-west-1" in (tmp_path / "rumcfn.toml").read_text()


def test_the_file_is_the_settings_it_was_built_from(tmp_path):
    from rumcfn.config.starter import starter

    answers = {"monitor": {"name": "Shop#1", "domains": ["*.shop.example.com"], "session_sample_rate": 0.25,
                           "allow_cookies": False},
               "script": {"bucket": "shop-site"}, "budgets": {"lcp": "off", "cls": 0.05}}
    settings, text = starter(answers, "eu-west-1")
    (tmp_path / "rumcfn.toml").write_text(text)
    assert load(tmp_path / "rumcfn.toml") == settings
    assert "# Deploy it: rumcfn deploy --stack-name Shop-1-rum --region eu-west-1" in text
    assert "# consent: allow_cookies = false sets no cookies" in text
    assert "records 25% of sessions" in text
    assert json.dumps(text)  # text, not bytes
