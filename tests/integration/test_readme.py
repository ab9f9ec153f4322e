"""The README and docs/ stay true: the README is short, with a contents list and the two-command quick start; the
generated parts (install commands, settings reference, Limits, Regions) match the code; every command they show
is run (the offline ones in a scratch site, every one parsed by the CLI), the five-minute path end to end from a
wheel in a fresh environment; their Python and TOML examples work; every relative link resolves."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from tests.support import ROOT
from tests.support.aws import FAKE_CREDENTIALS

README = (ROOT / "README.md").read_text()
PAGES = {path.relative_to(ROOT).as_posix(): path.read_text()
         for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]}
SITE_TOML = '[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n[script]\nbucket = "shop-site"\n'


def section(text: str, heading: str) -> str:
    return text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]


def blocks(text: str, kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", text, re.S)


def commands(text: str) -> list[str]:
    """The ``rumcfn`` command lines of a page's sh blocks, comments and line continuations removed."""
    found = []
    for block in blocks(text, "sh"):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if line.startswith("rumcfn "):
                found.append(line)
    return found


# --- the README ----------------------------------------------------------------------------------


def test_quick_start_is_exactly_make_demo_and_make_test():
    (block,) = blocks(section(README, "Quick start"), "sh")
    assert [line.split("#")[0].strip() for line in block.splitlines() if line.strip()] == ["make demo", "make test"]


def test_readme_is_short_and_opens_with_what_it_is_install_and_a_contents_list():
    assert len(README.encode()) <= 12 * 1024
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert headings[:3] == ["Contents", "Install", "Quick start"]
    listed = re.findall(r"^- \[.+?\]\(#([^)]+)\)", section(README, "Contents"), re.M)
    assert listed == [slug(h) for h in headings[1:]]


# --- generated parts -----------------------------------------------------------------------------


def generator():
    spec = importlib.util.spec_from_file_location("update_readme", ROOT / "tools" / "update_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED = [(page, marker) for page, markers in generator().BLOCKS.items() for marker in markers]


@pytest.mark.parametrize("page, marker", GENERATED, ids=[f"{p}:{m}" for p, m in GENERATED])
def test_generated_parts_match_the_code(page, marker):
    tool = generator()
    assert tool.block(PAGES[page], marker) == tool.BLOCKS[page][marker](), f"run make readme ({page}, {marker})"


def test_every_number_of_bytes_in_the_docs_comes_from_the_code():
    """Byte counts outside the generated tables go stale: the only ones left are AWS's limits."""
    from rumcfn.facts import CUSTOM_RESOURCE_RESPONSE_LIMIT, INLINE_LIMIT

    for name, text in PAGES.items():
        if name == "docs/benchmarks.md":  # a measured report, dated
            continue
        prose = re.sub(r"<!-- (\S+):start -->.*?<!-- \1:end -->", "", text, flags=re.S)
        found = re.findall(r"\b(\d{1,3}(?:,\d{3})+|\d{4,})[- ]?(?:bytes|B)\b", prose)
        numbers = {int(n.replace(",", "")) for n in found}
        assert numbers <= {INLINE_LIMIT, CUSTOM_RESOURCE_RESPONSE_LIMIT}, (name, numbers)


def bench_targets() -> set[float]:
    """The values of ``TARGETS`` in bench/run.py, read without running the bench."""
    import ast

    tree = ast.parse((ROOT / "bench" / "run.py").read_text())
    (value,) = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and [getattr(target, "id", None) for target in node.targets] == ["TARGETS"]]
    return set(ast.literal_eval(value).values())


def test_measured_ratios_and_medians_are_only_in_the_bench_report():
    """A measurement quoted in prose goes stale when the code changes: pages other than docs/benchmarks.md
    (which ``make bench`` writes, dated) name only the targets the bench holds its measurements to."""
    targets = bench_targets()
    for name, text in PAGES.items():
        if name == "docs/benchmarks.md":
            continue
        ratios = {float(n) for n in re.findall(r"(\d+(?:\.\d+)?)×", text)}
        assert ratios <= targets, (name, ratios - targets)
        assert not re.search(r"\bmedian\b", text, re.I), (name, "a median quoted outside docs/benchmarks.md")


# --- links -----------------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]|\[([^]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@pytest.mark.parametrize("name", PAGES)
def test_every_relative_link_resolves(name):
    base = (ROOT / name).parent
    text = re.sub(r"```.*?```", "", PAGES[name], flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (base / path).resolve() if path else ROOT / name
        assert resolved.exists(), f"{name}: {target}"
        if anchor and resolved.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", resolved.read_text(), re.M)
            assert anchor in {slug(h) for h in headings}, f"{name}: {target}"


# --- the commands they show ---------------------------------------------------------------------------

SHOWN = [(name, line) for name, text in PAGES.items() for line in commands(text)]


def command_of(words: list[str]) -> tuple[click.Command, list[str]]:
    from rumcfn.cli import main

    command: click.Command = main
    while isinstance(command, click.Group):
        assert words and words[0] in command.list_commands(None), words
        command, words = command.get_command(None, words[0]), words[1:]
    return command, words


def test_the_docs_show_commands():
    assert len(SHOWN) >= 30 and {name for name, _ in SHOWN} >= {"README.md", "docs/configuration.md"}


@pytest.mark.parametrize("name, line", SHOWN, ids=[f"{n}: {line[:60]}" for n, line in SHOWN])
def test_every_command_shown_is_one_the_cli_takes(name, line):
    """Its flags exist and its values pass the rules that are checked as the flags are read."""
    words = shlex.split(line.split(" > ")[0].split(" && ")[0])
    command, rest = command_of(words[1:])
    command.make_context(command.name, rest)


#: Commands that need no AWS: run as shown, in a scratch site.
OFFLINE = ("init", "synth", "lint", "diagram", "csp")
RUNNABLE = [(n, line) for n, line in SHOWN
            if line.split()[1] in OFFLINE or (line.split()[1] == "snippet" and "--stack-name" not in line)]


@pytest.fixture(scope="module")
def scratch_site(tmp_path_factory) -> Path:
    """A site's folder: its settings, and the template ``rumcfn synth`` made of them (once for the module; each
    test copies it, so whatever a command writes stays in that test's folder)."""
    folder = tmp_path_factory.mktemp("site")
    (folder / "rumcfn.toml").write_text(SITE_TOML)
    done = subprocess.run([rumcfn_bin(), "synth", "-o", "template.json"], cwd=folder, capture_output=True, text=True,
                          timeout=120, env=aws_free_env())
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize("name, line", RUNNABLE, ids=[f"{n}: {line[:60]}" for n, line in RUNNABLE])
def test_every_offline_command_shown_runs(name, line, scratch_site, tmp_path):
    if line.split()[1] != "init":
        for file in ("rumcfn.toml", "template.json"):
            shutil.copy(scratch_site / file, tmp_path / file)
    done = subprocess.run(["bash", "-c", line.replace("rumcfn ", f"{shlex.quote(rumcfn_bin())} ")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=aws_free_env())
    assert done.returncode == 0, f"{line}\n{done.stderr}"


def rumcfn_bin() -> str:
    import sys

    return str(Path(sys.executable).parent / "rumcfn")


def aws_free_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


# --- the five-minute path, as a new user meets it ----------------------------------------------------------


def test_the_five_minute_path_from_a_wheel_in_a_fresh_environment(dist, user_venv, moto_url, tmp_path):
    """Installed from the wheel outside the repository; AWS is moto, which has no CloudWatch RUM: every step works
    or fails with one clear line, and no example value reaches the template."""
    from tests.support.dist import user_environment

    env = user_environment(user_venv, **FAKE_CREDENTIALS, AWS_ENDPOINT_URL=moto_url,
                           AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    pip = subprocess.run(["python", "-m", "pip", "install", "--quiet", str(dist.wheel)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stderr
    site = tmp_path / "site"
    site.mkdir()
    path = commands(section(README, "Five minutes to a monitored site"))
    assert [line.split()[1] for line in path] == ["init", "synth", "lint", "deploy", "outputs", "doctor", "budgets"]
    results = {}
    for line in path:
        words = shlex.split(line) + (["--yes"] if line.split()[1] == "deploy" else [])  # no terminal here: README
        done = subprocess.run(words, cwd=site, env=env, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stderr, f"{line}\n{done.stderr}"
        results[line.split()[1]] = done
    for step in ("init", "synth", "lint"):
        assert results[step].returncode == 0, results[step].stderr
    assert "example-site" not in (site / "template.json").read_text()
    for step, says in [("deploy", "this template needs real AWS"), ("outputs", "does not exist"),
                       ("doctor", "checks failed: stack"), ("budgets", "does not exist")]:
        errors = [line for line in results[step].stderr.splitlines() if line.startswith("rumcfn: error:")]
        assert results[step].returncode == 1 and len(errors) == 1 and says in errors[0], results[step].stderr
    assert "does not exist" in results["doctor"].stdout.splitlines()[0], results["doctor"].stdout
    boto = subprocess.run(["python", "-c", "import boto3; print(boto3.client('cloudformation', region_name="
                           "'eu-west-1').list_stacks()['StackSummaries'])"], env=env, capture_output=True, text=True)
    assert "shop-rum" not in boto.stdout or "DELETE_COMPLETE" in boto.stdout, boto.stdout


# --- examples in the docs ----------------------------------------------------------------------------------


#: architecture.md quotes fragments of the package's code (a field inside a class), not programs.
PYTHON_BLOCKS = [(name, block) for name, text in PAGES.items() for block in blocks(text, "python")
                 if name != "docs/architecture.md"]


@pytest.mark.parametrize("name, block", PYTHON_BLOCKS, ids=[f"{n}[{i}]" for i, (n, _) in enumerate(PYTHON_BLOCKS)])
def test_python_examples_run(name, block):
    exec(compile(block, name, "exec"), {})


def test_toml_examples_are_valid_settings(tmp_path):
    from rumcfn.config import load

    path = tmp_path / "rumcfn.toml"
    (first,) = blocks(PAGES["docs/configuration.md"], "toml")
    path.write_text(first)
    settings = load(path)
    assert settings.monitor.name == "shop" and settings.budgets.fid is None
    (web_client,) = blocks(PAGES["docs/web-client.md"], "toml")
    path.write_text(web_client)
    settings = load(path)
    assert settings.snippet.config.get("pageIdFormat") == "PATH_AND_HASH" and settings.snippet.release_id
    (segments,) = blocks(PAGES["docs/budgets-and-ci.md"], "toml")
    path.write_text(segments)
    checkout, home = load(path).budgets.segments
    assert (checkout.label(), checkout.lcp, home.label(), home.warn) == ("checkout-mobile", 3000, "home-desktop",
                                                                         ("lcp",))


def test_the_fleet_example_is_a_valid_fleet(tmp_path):
    from rumcfn.config.fleet import load_fleet

    (example,) = blocks(PAGES["docs/fleets.md"], "toml")
    path = tmp_path / "fleet.toml"
    path.write_text(example)
    shop, blog = load_fleet(path).sites
    assert (shop.stack_name, blog.stack_name, blog.settings.monitor.session_sample_rate) == ("shop", "BlogRum", 0.25)
    assert dict(blog.settings.monitor.tags) == {"team": "web"} and blog.settings.budgets.lcp == 2500


def test_troubleshooting_shows_a_real_doctor_run(moto_url, static_site, aws_credentials, invoke):
    """The failing run in docs/troubleshooting.md is this run: a sync deleted rum.js and the site's CSP forgets the
    data plane (stack, monitor, canary and metrics from moto and Stubber, the site on 127.0.0.1)."""
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

    (block,) = blocks(PAGES["docs/troubleshooting.md"], "text")
    assert ran.code == 1
    assert same(block) == same(shown), shown
