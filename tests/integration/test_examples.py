"""The CI examples in examples/ci run here exactly as written, so they cannot rot: the tests read
the workflow's ``run:`` steps and the pre-commit hooks' ``entry:`` commands from the YAML files and
execute them in a scratch directory (synth, lint), and the budget gate against moto."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from junitparser import JUnitXml

from rumcfn.contract import METADATA_KEY
from tests.support import ROOT  # noqa: E402
from tests.support.aws import FAKE_CREDENTIALS
from tests.support.dist import fresh_venv, user_environment
from tests.support.moto_data import put_samples, stack_with_budgets

CI = ROOT / "examples" / "ci"
WORKFLOW = CI / ".github" / "workflows" / "rum.yml"
PRE_COMMIT = CI / ".pre-commit-config.yaml"
LCP, CLS, INP = "WebVitalsLargestContentfulPaint", "WebVitalsCumulativeLayoutShift", "WebVitalsInteractionToNextPaint"
#: What the repository variables would hold on GitHub.
VARS = {
    "RUM_STACK_NAME": "shop-prod-rum",
    "AWS_REGION": "us-east-1",
    "RUM_READ_ROLE_ARN": "arn:aws:iam::123456789012:role/ci",
    "RUM_RELEASE": "2026.11.20-1",
    "RUM_PREVIOUS_RELEASE": "2026.11.13-2",
}
CHECKOUT = {"PageId": "/checkout", "DeviceType": "mobile"}
HOME = {"PageId": "/", "DeviceType": "desktop"}


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def hooks() -> dict[str, dict]:
    config = yaml.safe_load(PRE_COMMIT.read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def expand(text: str, **variables: str) -> str:
    """GitHub's ``${{ vars.X }}`` and ``${{ vars.X || 'default' }}`` expressions, with the values above (and
    ``variables``; an unset variable takes the default); anything else is an error."""

    def value(match: re.Match) -> str:
        expression, _, default = (part.strip() for part in match[1].partition("||"))
        kind, _, name = expression.partition(".")
        assert kind == "vars", f"unexpected expression {match[0]} in {WORKFLOW}"
        if default:
            assert re.fullmatch(r"'[^']*'", default), default
            return {**VARS, **variables}.get(name) or default.strip("'")
        return {**VARS, **variables}[name]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def install_steps() -> list[dict]:
    return [s for job in workflow()["jobs"].values() for s in job["steps"] if "run" in s and is_install(s["run"])]


#: The ``bin`` folder of the fresh environment the workflow's own install step put rumcfn into (``ci_install``).
INSTALLED: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def ci_install(tmp_path_factory, dist):
    """Every job's install step, as written, with the repository variable RUMCFN_PIP naming a local wheel, run in
    a fresh virtual environment outside the repository: the steps below use the rumcfn it installed. A step the
    same as one already run (command and environment; every job's is, test_every_job_installs_what_exists) would
    only find rumcfn installed, so each distinct one runs once."""
    bin_dir = fresh_venv(tmp_path_factory.mktemp("ci") / "venv")
    distinct = {}
    for step in install_steps():
        variables = {k: expand(v, RUMCFN_PIP=str(dist.wheel)) for k, v in step["env"].items()}
        distinct[step["run"], tuple(sorted(variables.items()))] = variables
    for (run, _), variables in distinct.items():
        done = github_step(run, tmp_path_factory.mktemp("checkout"), user_environment(bin_dir, **variables))
        assert done.returncode == 0, done.stderr
    INSTALLED["bin"] = bin_dir
    yield
    INSTALLED.clear()


def test_every_job_installs_what_exists():
    """From the one variable the user sets, else rumcfn's own repository at this release's tag: never the bare
    name, which nobody published."""
    from rumcfn.version import git_reference

    steps = install_steps()
    assert len(steps) == len(workflow()["jobs"]) == 4
    for step in steps:
        assert step["run"] == 'python -m pip install "$RUMCFN_PIP"'
        assert expand(step["env"]["RUMCFN_PIP"]) == git_reference()
        assert expand(step["env"]["RUMCFN_PIP"], RUMCFN_PIP="/wheels/rumcfn.whl") == "/wheels/rumcfn.whl"
    where = subprocess.run([str(INSTALLED["bin"] / "python"), "-c", "import rumcfn; print(rumcfn.__file__)"],
                           cwd=INSTALLED["bin"], capture_output=True, text=True, check=True).stdout
    assert str(INSTALLED["bin"].parent) in where


def is_install(command: str) -> bool:
    return command.strip().startswith("python -m pip install")


@pytest.fixture
def site(tmp_path):
    """A scratch checkout: the example's rumcfn.toml only."""
    shutil.copy(CI / "rumcfn.toml", tmp_path / "rumcfn.toml")
    return tmp_path


def environment(endpoint: str | None = None, tmp: Path | None = None, **extra: str) -> dict[str, str]:
    """A runner's environment: the rumcfn the workflow's install step installed first on PATH, no AWS settings."""
    env = user_environment(INSTALLED["bin"])
    if endpoint:
        env.update(
            FAKE_CREDENTIALS,
            AWS_ENDPOINT_URL=endpoint,
            AWS_CONFIG_FILE=str(tmp / "no-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-credentials"),
        )
    env.update(extra)
    return env


def github_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A ``run:`` step as GitHub runs it on Linux: ``bash --noprofile --norc -eo pipefail``."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def hook(entry: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A ``language: system`` hook as pre-commit runs it: the entry split like a shell would, no shell."""
    return subprocess.run(shlex.split(entry), cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


def example_stack(url: str) -> str:
    """The example's stack in moto, carrying the real template's budget metadata. Returns the monitor name."""
    from rumcfn.config import load
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    settings = load(CI / "rumcfn.toml")
    meta = json.loads(to_json(build_template(settings)))["Metadata"][METADATA_KEY]
    stack_with_budgets(
        url,
        VARS["RUM_STACK_NAME"],
        settings.monitor.name,
        meta["budgets"],
        metadata={k: meta[k] for k in ("segments", "releases")},
    )
    return settings.monitor.name


def segment_samples(url: str, monitor: str, checkout_lcp=(2400, 2600, 2700)) -> None:
    """What RUM publishes for the example's segments (extended metrics with their dimensions)."""
    put_samples(url, monitor, LCP, checkout_lcp, dimensions=CHECKOUT)
    put_samples(url, monitor, INP, [150, 250], dimensions=CHECKOUT)
    put_samples(url, monitor, LCP, [1500, 1700], dimensions=HOME)


# --- the GitHub Actions workflow ------------------------------------------------------------------


def test_workflow_triggers_and_jobs():
    flow = workflow()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert triggers["schedule"][0]["cron"]
    assert flow["permissions"] == {"contents": "read"}
    assert "schedule" in flow["jobs"]["budgets"]["if"] and "!= 'schedule'" in flow["jobs"]["template"]["if"]
    for job in flow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]
            if "run" in step:
                assert "${{" not in step["run"], "pass expressions through env:, never into a script"
            if "action-junit-report" in step.get("uses", ""):
                assert job["permissions"]["checks"] == "write", "the JUnit report is published as a check run"
    assert "pull_request" in flow["jobs"]["release"]["if"]
    assert "pull_request" in flow["jobs"]["lab"]["if"] and "permissions" in flow["jobs"]["lab"]
    assert "id-token" not in flow["jobs"]["lab"]["permissions"], "the lab gate needs no AWS credentials"


def test_workflow_synthesizes_and_lints(site):
    steps = [s for s in workflow()["jobs"]["template"]["steps"] if "run" in s and not is_install(s["run"])]
    assert [s["name"] for s in steps] == ["Synthesize the template", "Lint the template"]
    for step in steps:
        done = github_step(step["run"], site, environment())
        assert done.returncode == 0, f"{step['name']}: {done.stderr}"
    template = json.loads((site / "template.json").read_text())
    assert template["Metadata"][METADATA_KEY]["budgets"]["lcp"] == {"metric": LCP, "budget": "2500", "statistic": "p75"}
    assert "no errors or warnings" in done.stderr


def gate_step(job: str) -> dict:
    steps = [s for s in workflow()["jobs"][job]["steps"] if "run" in s and not is_install(s["run"])]
    assert len(steps) == 1
    return steps[0]


def junit_report_step(job: str) -> dict:
    (step,) = [s for s in workflow()["jobs"][job]["steps"] if "action-junit-report" in s.get("uses", "")]
    assert step["if"] == "always()"
    return step


def run_gate(job: str, site: Path, url: str) -> tuple[subprocess.CompletedProcess, Path]:
    """The job's gate step as GitHub runs it, with $GITHUB_STEP_SUMMARY set; returns it and the summary file."""
    step = gate_step(job)
    summary = site / "step-summary.md"
    env = environment(url, site, GITHUB_STEP_SUMMARY=str(summary), **{k: expand(v) for k, v in step["env"].items()})
    return github_step(step["run"], site, env), summary


@pytest.mark.parametrize(
    "lcp, checkout, expected_code, expected",
    [
        ([1800, 2100, 2300, 2400], (2400, 2600, 2700), 0, "shop-prod: pass"),
        (
            [1800, 2900, 3100, 3300],
            (2400, 2600, 2700),
            1,
            "::error title=rumcfn budget lcp::shop-prod: lcp 3,100 > 2,500",
        ),
        ([1800, 2100, 2300, 2400], (2900, 3300, 3600), 1, "::error title=rumcfn budget checkout-mobile lcp::"),
        (None, (), 0, "::warning::not enough RUM data"),
    ],
)
def test_workflow_budget_gate(site, moto_url, moto_percentiles, lcp, checkout, expected_code, expected):
    monitor = example_stack(moto_url)
    if lcp:
        put_samples(moto_url, monitor, LCP, lcp)
        put_samples(moto_url, monitor, CLS, [0.01, 0.02])
        put_samples(moto_url, monitor, INP, [80, 120])
        segment_samples(moto_url, monitor, checkout)
    done, summary = run_gate("budgets", site, moto_url)
    assert done.returncode == expected_code, done.stderr
    assert expected in done.stdout + done.stderr
    report = JUnitXml.fromfile(str(site / junit_report_step("budgets")["with"]["report_paths"]))
    assert report.tests == 6 and report.failures == (1 if expected_code else 0)
    assert "rumcfn budgets: `shop-prod`" in summary.read_text()


def release_samples(url: str, release: str, lcp) -> None:
    namespace = "RUM/CustomMetrics/shop-prod/releases"
    for metric, values in ((LCP, lcp), (CLS, [0.02] * len(lcp)), (INP, [120] * len(lcp))):
        put_samples(url, None, metric, values, namespace=namespace, dimensions={"ReleaseId": release})


@pytest.mark.parametrize(
    "previous, current, expected_code, expected, failed, skipped",
    [
        ([1800] * 100, [1850] * 100, 0, "shop-prod: pass for release 2026.11.20-1 against 2026.11.13-2", 0, 0),
        ([1800] * 100, [2100] * 100, 1, "lcp +16.7% against 2026.11.13-2 (more than 10%)", 1, 0),
        ([1800] * 20, [2100] * 100, 0, "::warning::not enough RUM data yet to compare release 2026.11.20-1", 0, 3),
    ],
)
def test_workflow_release_gate(
    site, moto_url, moto_percentiles, previous, current, expected_code, expected, failed, skipped
):
    example_stack(moto_url)
    release_samples(moto_url, VARS["RUM_PREVIOUS_RELEASE"], previous)
    release_samples(moto_url, VARS["RUM_RELEASE"], current)
    done, summary = run_gate("release", site, moto_url)
    assert done.returncode == expected_code, done.stderr
    assert expected in done.stdout + done.stderr
    report = JUnitXml.fromfile(str(site / junit_report_step("release")["with"]["report_paths"]))
    assert (report.tests, report.failures, report.skipped) == (3, failed, skipped)
    assert "Release `2026.11.20-1` against `2026.11.13-2`" in summary.read_text()


# --- the pre-commit hooks -------------------------------------------------------------------------


def test_pre_commit_hooks_are_local_and_match_rumcfn_toml():
    found = hooks()
    assert list(found) == ["rumcfn-synth", "rumcfn-lint", "rumcfn-budgets"]
    for item in found.values():
        assert item["language"] == "system" and item["pass_filenames"] is False
    for name in ("rumcfn-synth", "rumcfn-lint"):
        assert re.search(found[name]["files"], "rumcfn.toml")
    assert found["rumcfn-budgets"]["stages"] == ["manual"]


def test_pre_commit_synth_and_lint(site):
    found = hooks()
    for name in ("rumcfn-synth", "rumcfn-lint"):
        done = hook(found[name]["entry"], site, environment())
        assert done.returncode == 0, f"{name}: {done.stderr}"
    synthesized = (site / "template.json").read_text()
    again = subprocess.run(
        [sys.executable, "-m", "rumcfn", "synth", "--config", "rumcfn.toml"],
        cwd=site,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert synthesized == again, "synth must be deterministic, or the hook would always report changes"


def test_pre_commit_lint_fails_on_a_broken_template(site):
    (site / "template.json").write_text(
        json.dumps({"Resources": {"X": {"Type": "AWS::S3::Bucket", "Properties": {"Nope": 1}}}})
    )
    done = hook(hooks()["rumcfn-lint"]["entry"], site, environment())
    assert done.returncode == 1 and "E3002" in done.stdout


@pytest.mark.parametrize("inp, expected_code", [([90, 150, 180, 190], 0), ([90, 150, 260, 300], 1)])
def test_pre_commit_budget_gate(site, moto_url, moto_percentiles, inp, expected_code):
    put_samples(moto_url, "shop-prod", LCP, [2000])
    put_samples(moto_url, "shop-prod", CLS, [0.05])
    put_samples(moto_url, "shop-prod", INP, inp)
    segment_samples(moto_url, "shop-prod")
    done = hook(hooks()["rumcfn-budgets"]["entry"], site, environment(moto_url, site))
    assert done.returncode == expected_code, done.stderr
    assert "inp" in done.stdout and "p75" in done.stdout


# --- the lab gate job -----------------------------------------------------------------------------

SHIFT = """<script>addEventListener('load', () => setTimeout(() => requestAnimationFrame(() => {
  const banner = document.createElement('div'); banner.style.height = '400px';
  document.body.prepend(banner); }), 100));</script></body>"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.browser
@pytest.mark.parametrize("shifting, expected_code", [(False, 0), (True, 1)])
def test_workflow_lab_gate_serves_the_site_and_judges_it_in_chromium(site, shifting, expected_code):
    """The lab job's step as GitHub runs it, on the example's own site/ (and once with a page whose layout shifts):
    the gate judges the example's budgets on the page, as the field gate would, and needs no AWS."""
    from rumcfn.doctor.cdp import CHROMIUM

    shutil.copytree(CI / "site", site / "site")
    if shifting:
        page = site / "site" / "index.html"
        page.write_text(page.read_text().replace("</body>", SHIFT))
    step = next(s for s in workflow()["jobs"]["lab"]["steps"] if s.get("name") == "Lab gate")
    summary = site / "step-summary.md"
    env = environment(GITHUB_STEP_SUMMARY=str(summary), **{**step["env"], "RUMCFN_CHROMIUM": CHROMIUM,
                                                           "PORT": str(free_port())})
    done = github_step(step["run"], site, env)
    assert done.returncode == expected_code, done.stdout + done.stderr
    report = JUnitXml.fromfile(str(site / junit_report_step("lab")["with"]["report_paths"]))
    # The site's lcp, cls and inp on mobile, and the home page's desktop segment (lcp, level warn); the
    # checkout segment names a page the job does not load. INP is not measured: skipped, never passed.
    assert (report.tests, report.skipped, report.failures) == (4, 1, expected_code)
    assert "5 run(s) of each page" in done.stdout and "shop-prod: " in done.stdout
    assert "rumcfn budgets: `shop-prod`" in summary.read_text()  # a code span: names cannot mention or link
    if shifting:
        assert "::error title=rumcfn budget http%3A//127.0.0.1" in done.stdout and " cls::" in done.stdout
