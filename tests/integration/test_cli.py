"""The command line as a user meets it: separate processes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rumcfn.config import Settings
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_json

#: A whole site from flags: no example note on stderr.
SITE = ("--monitor.name", "shop", "--monitor.domains", "shop.example.com", "--script.bucket", "shop-site")


def test_synth_without_settings_builds_the_example(run_cli):
    result = run_cli("synth")
    assert result.returncode == 0, result.stderr
    assert result.stdout == to_json(build_template(Settings()))


def test_synth_reads_rumcfn_toml_from_the_working_directory(run_cli, tmp_path):
    (tmp_path / "rumcfn.toml").write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n'
                                          '[script]\nbucket = "shop-site"\n')
    template = json.loads(run_cli("synth").stdout)
    assert template["Resources"]["AppMonitor"]["Properties"]["Name"] == "shop"


def test_flags_override_the_file(run_cli, tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('[monitor]\nname = "shop"\nsession_sample_rate = 0.5\n')
    result = run_cli("synth", "--config", str(config), "--monitor.name", "shop-eu", "--monitor.domains",
                     "a.example.com", "--monitor.domains", "*.example.com", "--monitor.session-sample-rate", "0.1",
                     "--monitor.telemetries", "errors,http", "--monitor.tags", "team=web", "--auth.mode",
                     "resource-policy", "--script.bucket", "shop-site")
    assert result.returncode == 0, result.stderr
    props = json.loads(result.stdout)["Resources"]["AppMonitor"]["Properties"]
    assert props["Name"] == "shop-eu"
    assert props["DomainList"] == ["a.example.com", "*.example.com"]
    assert props["AppMonitorConfiguration"]["SessionSampleRate"] == 0.1
    assert props["AppMonitorConfiguration"]["Telemetries"] == ["errors", "http"]
    assert props["Tags"] == [{"Key": "team", "Value": "web"}]
    assert "ResourcePolicy" in props


def test_yaml_output_is_the_same_template(run_cli, tmp_path):
    from cfn_flip import to_json as yaml_to_json

    result = run_cli("synth", "--format", "yaml", "-o", "t.yaml")
    assert result.returncode == 0, result.stderr
    assert json.loads(yaml_to_json((tmp_path / "t.yaml").read_text())) == json.loads(to_json(build_template()))
    assert "!Sub" in (tmp_path / "t.yaml").read_text()


BAD_ARGS = [
    (["--monitor.name", "bad name"], "monitor.name", "bad name"),
    ([arg for domain in "abcdef" for arg in ("--monitor.domains", f"{domain}.com")], "monitor.domains", "6"),
    (["--monitor.domains", "http://x.com/"], "monitor.domains", "http://x.com/"),
    (["--canary.url", "www.example.com"], "canary.url", "www.example.com"),
    (["--monitor.session-sample-rate", "1.01"], "monitor.session_sample_rate", "1.01"),
    (["--monitor.session-sample-rate", "lots"], "--monitor.session-sample-rate", "lots"),
    (["--monitor.telemetries", "errors,replay"], "monitor.telemetries", "replay"),
    (["--monitor.tags", "no-equals-sign"], "--monitor.tags", "no-equals-sign"),
    (["--monitor.tags", "=value"], "--monitor.tags", "=value"),
    (["--auth.mode", "iam"], "--auth.mode", "iam"),
    (["--budgets.ttfb", "100"], "--budget", "ttfb"),
    (["--budgets.lcp", "-5"], "budgets.lcp", "-5"),
    (["--budgets.cls", "250"], "budgets.cls", "250"),
    (["--budgets.lcp", "fast"], "--budgets.lcp", "fast"),
    (["--script.bucket", "Not_A_Bucket"], "script.bucket", "Not_A_Bucket"),
]


@pytest.mark.parametrize("args,setting,value", BAD_ARGS, ids=[" ".join(a[0])[:40] for a in BAD_ARGS])
def test_bad_flags_fail_with_one_line_and_exit_2_without_touching_the_output(run_cli, tmp_path, args, setting, value):
    out = tmp_path / "template.json"
    out.write_text("previous content")
    result = run_cli("synth", *args, "-o", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0] and value in lines[0]
    assert "Traceback" not in result.stderr
    assert out.read_text() == "previous content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["template.json"]


def test_bad_settings_file_fails_with_one_line(run_cli, tmp_path):
    (tmp_path / "rumcfn.toml").write_text('[monitor]\nname = "shop"\ndomian = "typo.example.com"\n')
    result = run_cli("synth", "-o", "out.json")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rumcfn: error: setting monitor.domian: is not a known setting (did you mean monitor.domains?), but got "
        f"'typo.example.com' (in {tmp_path / 'rumcfn.toml'}, found in the working directory)"
    )
    assert not (tmp_path / "out.json").exists()


def test_a_bad_flag_is_not_blamed_on_the_settings_file_found_beside_it(run_cli, tmp_path):
    """The file is valid; the flag's value is not: the one line names the flag's setting, not the file."""
    (tmp_path / "rumcfn.toml").write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n'
                                          '[script]\nbucket = "shop-site"\n')
    result = run_cli("synth", "--monitor.session-sample-rate", "1.5", "-o", "out.json")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rumcfn: error: setting monitor.session_sample_rate: must be between 0 and 1, but got 1.5 (from the "
        "command line)")
    assert not (tmp_path / "out.json").exists()


def test_every_misspelt_key_is_reported_in_one_run_with_a_suggestion(run_cli, tmp_path):
    (tmp_path / "site.toml").write_text('[monitor]\nname = "shop"\ndomian = "shop.example.com"\n[scirpt]\n'
                                        'bucket = "shop-site"\n[budgets]\nlpc = 3000\n[snippet.config]\n'
                                        'pageIdFormt = "HASH"\n[[budgets.segments]]\npage = "/"\ninpp = 300\n'
                                        '[monitor.tags]\nanything = "goes"\n')
    result = run_cli("synth", "--config", "site.toml")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "rumcfn: error: 5 settings are not known: scirpt (did you mean script?); monitor.domian (did you mean "
        "monitor.domains?); snippet.config.pageIdFormt (did you mean snippet.config.pageIdFormat?); budgets.lpc (did "
        "you mean budgets.lcp?); budgets.segments[0].inpp (did you mean budgets.segments[0].inp?)\n"
    )


def test_missing_config_file_is_a_usage_error(run_cli):
    result = run_cli("synth", "--config", "nope.toml")
    assert result.returncode == 2 and "nope.toml" in result.stderr and len(result.stderr.splitlines()) == 1


def test_lint_passes_the_example_and_fails_a_broken_template(run_cli, tmp_path):
    ok = run_cli("lint")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = json.loads(to_json(build_template()))
    broken["Resources"]["AppMonitor"]["Properties"]["CwLogEnabled"] = "sometimes"
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    bad = run_cli("lint", "broken.json")
    assert bad.returncode == 1
    assert "CwLogEnabled" in bad.stdout and "E3012" in bad.stdout
    assert bad.stderr.strip().splitlines()[-1].startswith("rumcfn: error: broken.json:")


def test_lint_in_a_region_without_rum_reports_the_type_as_an_error(run_cli):
    from rumcfn.template.regions import known_regions, offered

    region = next(
        r for r in known_regions() if "AWS::RUM::AppMonitor" not in offered(r)
    )  # ap-east-2 with cfn-lint 1.58
    result = run_cli("lint", "--region", "us-east-1", "--region", region)
    assert result.returncode == 1
    (finding,) = result.stdout.splitlines()
    assert "[error]" in finding and "AWS::RUM::AppMonitor" in finding and region in finding


def test_lint_names_a_region_cfn_lint_does_not_know_in_one_line(run_cli):
    result = run_cli("lint", "--region", "us-east-7")
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "--region" in line and "us-east-7" in line and "Traceback" not in result.stderr


def test_lint_reads_stdin(run_cli):
    result = run_cli("lint", "-", stdin=to_json(build_template()))
    assert result.returncode == 0, result.stdout + result.stderr


def test_snippet_command_writes_a_file_or_a_tag(run_cli, tmp_path):
    args = [
        "snippet",
        "--app-monitor-id",
        "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3",
        "--region",
        "eu-west-1",
        "--auth.mode", "resource-policy",
    ]
    assert run_cli(*args, "-o", "rum.js").returncode == 0
    assert (tmp_path / "rum.js").read_text().startswith("(function(n,i,v,r,s,c,u,")
    tag = run_cli(*args, "--html").stdout
    assert tag.startswith("<script>\n(function") and tag.endswith("</script>\n")


def test_version_and_help(run_cli):
    assert run_cli("--version").stdout.startswith("rumcfn, version ")
    help_text = run_cli("synth", "--help").stdout
    for flag in (
        "--config",
        "--monitor.name",
        "--monitor.domains",
        "--script.bucket",
        "--canary.url",
        "--auth.mode",
        "--monitor.session-sample-rate",
        "--monitor.telemetries",
        "--monitor.tags",
        "--budget",
        "--parameters",
        "--format",
        "--output",
    ):
        assert flag in help_text


@pytest.mark.parametrize(
    "module",
    [
        "rumcfn.cli",
        "rumcfn.cli.deploy",
        "rumcfn.cli.budgets",
        "rumcfn.cli.restore",
        "rumcfn.cli.template",
        "rumcfn.aws.restore",
        "rumcfn.cli.options",
        "rumcfn.cli.doctor",
        "rumcfn.doctor.runner",
        "rumcfn.cli.sourcemaps",
        "rumcfn.cli.init",
    ],
)
def test_every_command_module_imports_on_its_own(module):
    """No import cycle between the command group and the modules whose commands it registers."""
    code = (f"import {module}; import rumcfn.cli as c; "
            "print(len([c.main.get_command(None, name) for name in c.main.list_commands(None)]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "16"


def test_csp_prints_the_directives_the_configured_snippet_needs(run_cli):
    done = run_cli("csp", "--region", "eu-west-1")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "script-src 'self' https://client.rum.us-east-1.amazonaws.com\n"
        "connect-src https://dataplane.rum.eu-west-1.amazonaws.com https://cognito-identity.eu-west-1.amazonaws.com\n"
    )
    proxied = run_cli("csp", "--region", "eu-west-1", "--auth.mode", "resource-policy", "--format", "json")
    assert json.loads(proxied.stdout) == {
        "script-src": ["'self'", "https://client.rum.us-east-1.amazonaws.com"],
        "connect-src": ["https://dataplane.rum.eu-west-1.amazonaws.com"],
    }


def test_csp_needs_a_region(run_cli):
    done = run_cli("csp")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("rumcfn: error: setting --region: must be an AWS Region such as eu-west-1 (a Region of a "
                           "partition botocore knows), but none was given\n")


@pytest.mark.parametrize(
    "args, toml",
    [
        (["--budgets.lcp", "1e999"], None),
        (["--budgets.inp", "Infinity"], None),
        (["--budgets.cls", "nan"], None),
        ([], "[budgets]\nlcp = inf\n"),
        ([], "[monitor]\nsession_sample_rate = nan\n"),
    ],
)
def test_numbers_json_cannot_hold_are_refused_and_nothing_is_written(run_cli, tmp_path, args, toml):
    """Infinity used to reach the template and the dashboard (not JSON), and lint called it clean."""
    if toml:
        (tmp_path / "rumcfn.toml").write_text(toml)
    result = run_cli("synth", *args, "-o", "t.json")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("rumcfn: error: setting ")
    assert not (tmp_path / "t.json").exists()


SNIPPET_ARGS = (
    "snippet",
    "--app-monitor-id",
    "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3",
    "--region",
    "eu-west-1",
    "--auth.mode", "resource-policy",
)
WRITERS = {"synth": ("synth", *SITE), "snippet": SNIPPET_ARGS, "diagram": ("diagram", *SITE)}


@pytest.mark.parametrize("command", WRITERS)
def test_dash_output_is_standard_output(run_cli, tmp_path, command):
    to_stdout = run_cli(*WRITERS[command])
    dashed = run_cli(*WRITERS[command], "-o", "-")
    assert dashed.returncode == 0, dashed.stderr
    assert dashed.stdout == to_stdout.stdout and dashed.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", WRITERS)
def test_output_into_a_missing_directory_is_one_line(run_cli, tmp_path, command):
    result = run_cli(*WRITERS[command], "-o", "missing/dir/out.dot")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "rumcfn: error: -o missing/dir/out.dot: cannot write it (no such directory: missing/dir)"
    )
    assert list(tmp_path.iterdir()) == []


def test_failed_synth_leaves_a_symlink_fifo_and_device_alone(run_cli, tmp_path):
    import os
    import stat

    (tmp_path / "real.json").write_text("previous")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    os.mkfifo(tmp_path / "pipe")
    os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    for name in ("link.json", "pipe", "null"):
        # fails before writing: never opens the FIFO
        result = run_cli("synth", "--monitor.session-sample-rate", "2", "-o", name)
        assert result.returncode == 2 and "monitor.session_sample_rate" in result.stderr
    assert (tmp_path / "link.json").is_symlink() and (tmp_path / "real.json").read_text() == "previous"
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode) and stat.S_ISCHR(os.lstat(tmp_path / "null").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "null", "pipe", "real.json"]


@pytest.mark.parametrize("bucket", ["192.168.1.1", "site..bucket"])
@pytest.mark.parametrize("command", ["synth", "lint", "diagram"])
def test_a_bucket_troposphere_refuses_is_one_line_naming_the_setting(run_cli, tmp_path, command, bucket):
    (tmp_path / "rumcfn.toml").write_text(f'[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n'
                                          f'[script]\nbucket = "{bucket}"\ncreate_bucket = true\n')
    result = run_cli(command, *(("-o", "out.dot") if command != "lint" else ()))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("rumcfn: error: setting script.bucket: ") and repr(bucket) in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rumcfn.toml"]


def test_synth_warns_on_stderr_when_the_template_is_over_the_inline_limit(run_cli, tmp_path):
    from rumcfn.config import from_mapping
    from rumcfn.facts import INLINE_LIMIT
    from tests.support.variants import OVER_INLINE_LIMIT, to_toml

    (tmp_path / "rumcfn.toml").write_text(to_toml(OVER_INLINE_LIMIT))
    expected = to_json(build_template(from_mapping(OVER_INLINE_LIMIT)))
    size = len(expected.encode())
    assert size > INLINE_LIMIT
    result = run_cli("synth", "-o", "t.json")
    assert result.returncode == 0 and (tmp_path / "t.json").read_text() == expected
    # the last line; before it, the notes on source maps every-option-on settings get (see test_source_maps.py)
    assert result.stderr.splitlines()[-1] == (
        f"rumcfn: warning: t.json is {size:,} bytes, over CloudFormation's {INLINE_LIMIT:,}-byte limit for a template "
        "passed inline (aws cloudformation deploy without --s3-bucket); deploy it through S3: rumcfn deploy "
        "--s3-bucket BUCKET, or aws cloudformation deploy --s3-bucket BUCKET"
    )
    assert sum("warning" in line for line in result.stderr.splitlines()) == 1
    to_stdout = run_cli("synth")
    assert to_stdout.stdout == expected
    assert to_stdout.stderr.splitlines()[-1].startswith(f"rumcfn: warning: the template is {size:,} bytes")
    linted = run_cli("lint", "t.json")
    assert linted.returncode == 0, linted.stdout
    assert linted.stderr.splitlines()[0].startswith(f"rumcfn: warning: t.json is {size:,} bytes")


def test_synth_says_nothing_about_size_when_the_template_fits(run_cli):
    result = run_cli("synth", *SITE, "-o", "t.json")
    assert result.returncode == 0 and result.stderr == ""


def test_output_through_a_link_to_standard_output_writes_the_pipe(run_cli, tmp_path):
    """``-o /dev/stdout`` as a shell user writes it; here the link lives in tmp_path and points at fd 1."""
    (tmp_path / "out").symlink_to("/proc/self/fd/1")
    result = run_cli("synth", "-o", "out")
    assert result.returncode == 0, result.stderr
    assert result.stdout == to_json(build_template(Settings()))
    assert (tmp_path / "out").is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    "args, flag",
    [
        (["deploy", "--stack-set", "rum", "--accounts", "123456789012", "--regions", "us-east-1,eu west"], "--regions"),
        (
            ["deploy", "--stack-set", "rum", "--organizational-units", "ou-abc", "--regions", "us-east-1"],
            "--organizational-units",
        ),
        (["deploy", "--stack-set", "rum", "--accounts", "12345", "--regions", "us-east-1"], "--accounts"),
        (["deploy", "--stack-name", "site", "--tags", "aws:owner=me"], "--tags"),
        (["deploy", "--stack-name", "site", "--tags", "team=" + "x" * 257], "--tags"),
        (
            [
                "servicecatalog",
                "publish",
                "--product-name",
                "RUM",
                "--portfolio-id",
                "port bad!",
                "--version",
                "v1",
                "--s3-bucket",
                "templates-bucket",
            ],
            "--portfolio-id",
        ),
        (
            [
                "servicecatalog",
                "publish",
                "--product-name",
                "R\x07M",
                "--portfolio-id",
                "port-abc",
                "--version",
                "v1",
                "--s3-bucket",
                "templates-bucket",
            ],
            "--product-name",
        ),
    ],
)
def test_deploy_flags_are_held_to_the_apis_rules_before_any_call(run_cli, args, flag):
    """Service Catalog, StackSet targets and stack tags by their API models (botocore), checked while the flags
    are parsed: no credentials are needed to hear about a bad value."""
    result = run_cli(*args, "--yes") if args[0] == "deploy" else run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"rumcfn: error: setting {flag}:"), result.stderr


@pytest.mark.parametrize("name", ["t.yaml", "t.yml", "T.YAML"])
def test_an_output_named_yaml_is_yaml(run_cli, tmp_path, name):
    from cfn_flip import to_json as yaml_to_json

    done = run_cli("synth", *SITE, "-o", name)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / name).read_text()
    assert not text.startswith("{") and "!Sub" in text
    assert json.loads(yaml_to_json(text)) == json.loads(run_cli("synth", *SITE).stdout)


@pytest.mark.parametrize("args, named, given", [
    (("synth", *SITE, "-o", "t.yaml", "--format", "json"), "yaml", "json"),
    (("synth", *SITE, "-o", "t.json", "--format", "yaml"), "json", "yaml"),
    (("diagram", *SITE, "-o", "stack.svg", "--format", "png"), "svg", "png"),
])
def test_a_format_the_output_name_contradicts_is_refused(run_cli, tmp_path, args, named, given):
    done = run_cli(*args)
    assert done.returncode == 2 and done.stdout == ""
    output = args[args.index("-o") + 1]
    assert done.stderr == (f"rumcfn: error: -o {output} is a {named} file name, but --format is {given}: drop "
                           "--format, or name the file for the format\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [
    ("snippet", "--app-monitor-id", "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3", "--region", "eu-west-1",
     "--auth.mode", "resource-policy", "--monitor.telemetries", ","),
    ("deploy", "--stack-set", "site-set", "--regions", ",", "--accounts", "123456789012", "--yes"),
    ("deploy", "--stack-set", "site-set", "--regions", "eu-west-1", "--accounts", " , "),
])
def test_a_list_flag_of_only_empty_items_is_refused(run_cli, command):
    result = run_cli(*command)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "must list at least one item" in result.stderr, result.stderr
