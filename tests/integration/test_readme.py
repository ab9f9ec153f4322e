"""The README stays true: its quick start, its settings reference and its Python examples."""

from __future__ import annotations

import re

import pytest

from rumcfn.config import reference
from tests.support import ROOT  # noqa: E402

README = (ROOT / "README.md").read_text()


def test_quick_start_is_exactly_make_demo_and_make_test():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_settings_reference_matches_the_code():
    table = README.split("<!-- settings-reference:start -->\n", 1)[1].split("<!-- settings-reference:end -->", 1)[0]
    assert table == reference()


def test_regions_where_it_cannot_deploy_match_cfn_lint():
    from rumcfn.config import Settings
    from rumcfn.template.reader import from_settings
    from rumcfn.template.regions import markdown

    listed = README.split("<!-- deploy-regions:start -->\n", 1)[1].split("<!-- deploy-regions:end -->", 1)[0]
    assert listed == markdown(from_settings(Settings()).data)


PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_python_examples_run(index):
    exec(compile(PYTHON_BLOCKS[index], f"README.md[python {index}]", "exec"), {})


def test_toml_examples_are_valid_settings(tmp_path):
    from rumcfn.config import load

    first, web_client, segments = re.findall(r"```toml\n(.*?)```", README, re.S)
    path = tmp_path / "rumcfn.toml"
    path.write_text(first)
    settings = load(path)
    assert settings.monitor.name == "shop" and settings.budgets.fid is None
    path.write_text(web_client)  # the web client's options
    settings = load(path)
    assert settings.snippet.config.get("pageIdFormat") == "PATH_AND_HASH" and settings.snippet.release_id
    path.write_text(segments)
    checkout, home = load(path).budgets.segments
    assert (checkout.label(), checkout.lcp, home.label(), home.warn) == (
        "checkout-mobile",
        3000,
        "home-desktop",
        ("lcp",),
    )


def test_troubleshooting_shows_a_real_doctor_run(moto_url, static_site, aws_credentials, invoke):
    """The README's failing run is this run: a sync deleted rum.js and the site's CSP forgets the data plane
    (stack, monitor, canary and metrics from moto and Stubber, the site on 127.0.0.1)."""
    from datetime import datetime, timezone

    from tests.support.cli import aws_with
    from tests.support.deployed import REGION, STACK
    from tests.support.doctor_site import NO_DATA_PLANE, page
    from tests.support.doctor_world import World

    now = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    world = World(
        moto_url,
        static_site,
        now=now,
        rum_js="deleted",
        runs=("FAILED", "FAILED", "PASSED"),
        reason="https://127.0.0.1/ does not load the RUM snippet (window.cwr undefined)",
        routes=lambda snippet: {"/": page(headers={"Content-Security-Policy": NO_DATA_PLANE})},
    )
    world.moto["cloudwatch"].set_alarm_state(
        AlarmName=f"{STACK}-canary",
        StateValue="ALARM",
        StateReason="Threshold Crossed: 2 datapoints were less than the threshold (100.0)",
    )
    world.deployed.stubber.activate()
    for stubber in world.stubbers.values():
        stubber.activate()
    args = ["doctor", "--stack-name", STACK, "--region", REGION, "--url", world.url]
    ran = invoke(*args, aws=aws_with(world.clients))
    shown = f"$ rumcfn {' '.join(args)}\n{ran.out}{ran.err}"

    def same(text: str) -> str:
        text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
        return re.sub(r"eu-west-1:[0-9a-f-]{36}", "eu-west-1:POOL", text)

    section = README.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```text\n(.*?)```", section, re.S)
    assert ran.code == 1
    assert same(block) == same(shown), shown


def test_limits_table_matches_the_code():
    from tests.support.sizes import limits_table

    table = README.split("<!-- limits:start -->\n", 1)[1].split("<!-- limits:end -->", 1)[0]
    assert table == limits_table()


def test_every_number_of_bytes_in_the_readme_comes_from_the_code():
    """Byte counts outside the generated tables go stale: the only ones left are AWS's limits."""
    from rumcfn.facts import CUSTOM_RESOURCE_RESPONSE_LIMIT, INLINE_LIMIT

    prose = re.sub(r"<!-- (\S+):start -->.*?<!-- \1:end -->", "", README, flags=re.S)
    numbers = {int(n.replace(",", "")) for n in re.findall(r"\b(\d{1,3}(?:,\d{3})+|\d{4,})[- ]?(?:bytes|B)\b", prose)}
    assert numbers <= {INLINE_LIMIT, CUSTOM_RESOURCE_RESPONSE_LIMIT}, numbers
