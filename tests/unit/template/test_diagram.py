"""``rumcfn diagram``: references found, clusters chosen, DOT deterministic, SVG/PNG via Graphviz."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from rumcfn.cli import run
from rumcfn.contract import CustomResources
from rumcfn.errors import OperationFailed
from rumcfn.template import diagram as dg
from tests.support import (
    ROOT,  # noqa: E402
    SITE_FLAGS,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

TEMPLATE = {
    "Parameters": {"SiteName": {"Type": "String"}},
    "Resources": {
        "Monitor": {"Type": "AWS::RUM::AppMonitor", "Properties": {
            "Name": {"Ref": "SiteName"},
            "AppMonitorConfiguration": {"IdentityPoolId": {"Ref": "Pool"},
                                        "GuestRoleArn": {"Fn::GetAtt": ["Guest", "Arn"]}}}},
        "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {}},
        "Guest": {"Type": "AWS::IAM::Role", "Properties": {"Region": {"Ref": "AWS::Region"},
                                                           "Pool": {"Ref": "Pool"}}},
        "WriterRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Writer": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": "WriterRole.Arn"}}},
        "Snippet": {"Type": CustomResources.RUM_SCRIPT, "DependsOn": "Monitor", "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Writer", "Arn"]},
            "Body": {"Fn::Sub": ["id=${Monitor.Id} pool=${Pool} ${!Literal} ${AWS::Region} ${Local}",
                                 {"Local": {"Ref": "Bucket"}}]}}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Canary": {"Type": "AWS::Synthetics::Canary", "DependsOn": ["ArtifactsPolicy", "Snippet"],
                   "Properties": {"ArtifactS3Location": {"Fn::Sub": "s3://${Artifacts}/"}}},
        "Artifacts": {"Type": "AWS::S3::Bucket"},
        "ArtifactsPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Artifacts"}}},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "LcpAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"AlarmActions": [{"Ref": "Topic"}],
                                                                      "Dimensions": [{"Value": {"Ref": "Monitor"}}]}},
        "Board": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"Body": {"Fn::Sub": "${Monitor}"}}},
        "Key": {"Type": "AWS::KMS::Key"},
    },
    "Outputs": {"Id": {"Value": {"Fn::GetAtt": ["Monitor", "Id"]}}},
}


def edges_of(template) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.label) for e in dg.references(template)}


def test_references_of_every_kind():
    assert edges_of(TEMPLATE) == {
        ("Monitor", "Pool", "Ref"), ("Monitor", "Guest", "GetAtt Arn"),
        ("Guest", "Pool", "Ref"),
        ("Writer", "WriterRole", "GetAtt Arn"),
        ("Snippet", "Monitor", "DependsOn"), ("Snippet", "Writer", "GetAtt Arn"),
        ("Snippet", "Monitor", "Sub Id"), ("Snippet", "Pool", "Sub"), ("Snippet", "Bucket", "Ref"),
        ("Canary", "ArtifactsPolicy", "DependsOn"), ("Canary", "Snippet", "DependsOn"), ("Canary", "Artifacts", "Sub"),
        ("ArtifactsPolicy", "Artifacts", "Ref"),
        ("LcpAlarm", "Topic", "Ref"), ("LcpAlarm", "Monitor", "Ref"),
        ("Board", "Monitor", "Sub"),
    }


def test_parameters_pseudo_parameters_escapes_and_sub_variables_are_not_edges():
    targets = {e.target for e in dg.references(TEMPLATE)}
    assert not targets & {"SiteName", "AWS::Region", "AWS", "Literal", "!Literal", "Local"}


def test_clusters_by_type_then_name_then_neighbours():
    placed = dg.clusters(TEMPLATE)
    assert placed == {
        "Monitor": "monitor", "Pool": "auth", "Guest": "auth",
        "Writer": "snippet", "WriterRole": "snippet", "Snippet": "snippet",
        "Bucket": "snippet",  # no rule by type or name: joins its neighbour
        "Canary": "canary", "Artifacts": "canary", "ArtifactsPolicy": "canary",
        "Topic": "alarms", "LcpAlarm": "alarms", "Board": "dashboard",
        "Key": "other",  # nothing to go by
    }


def test_dot_is_deterministic_and_complete():
    shuffled = dict(TEMPLATE, Resources=dict(reversed(list(TEMPLATE["Resources"].items()))))
    dot = dg.to_dot(TEMPLATE, title="t")
    assert dot == dg.to_dot(shuffled, title="t") == dg.to_dot(json.loads(json.dumps(TEMPLATE)), title="t")
    assert dot.startswith("digraph rumcfn {") and dot.endswith("}\n")
    for lid, resource in TEMPLATE["Resources"].items():
        assert f'"{lid}" [label="{lid}\\n{resource["Type"]}"];' in dot
    assert dot.count(" -> ") == len(dg.references(TEMPLATE))
    clusters = re.findall(r"subgraph cluster_\d+_(\w+) \{", dot)
    assert clusters == ["monitor", "auth", "snippet", "canary", "alarms", "dashboard", "other"]


def test_quotes_in_labels_are_escaped():
    dot = dg.to_dot({"Resources": {"A": {"Type": "Custom::X"}}}, title='say "hi" \\ bye')
    assert 'label="say \\"hi\\" \\\\ bye\\n' + dg.LEGEND + '"' in dot


def test_format_of():
    assert [dg.format_of(p) for p in ("a.dot", "a.gv", "a.SVG", "b/a.png", None)] == ["dot", "dot", "svg", "png", "dot"]
    assert dg.format_of("a.txt", "svg") == "svg"
    with pytest.raises(OperationFailed, match="a.txt") as raised:
        dg.format_of("a.txt")
    assert raised.value.exit_code == 1


@needs_dot
def test_svg_of_the_example_stack_has_every_resource():
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    template = json.loads(to_json(build_template()))
    svg = dg.render(dg.to_dot(template), "svg").decode()
    titles = set(re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]+)</title>', svg))
    assert titles == set(template["Resources"])


# --- the command ----------------------------------------------------------------------------------


def test_cli_writes_dot_without_graphviz(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot
    assert run(["diagram", "-o", "stack.dot", *SITE_FLAGS]) == 0
    dot = (tmp_path / "stack.dot").read_text()
    assert '"AppMonitor" [label="AppMonitor\\nAWS::RUM::AppMonitor"];' in dot
    assert "stack.dot:" in capsys.readouterr().err


def test_cli_without_graphviz_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run(["diagram", "-o", "stack.svg", *SITE_FLAGS]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rumcfn: error: Graphviz 'dot' is not installed") and err.count("\n") == 1
    assert not (tmp_path / "stack.svg").exists()


def test_cli_stdout_is_dot(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["diagram", "--no-title"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph rumcfn {") and "label=\"CloudWatch" not in out


def test_cli_unknown_suffix(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["diagram", "-o", "stack.txt"]) == 1
    assert "stack.txt" in capsys.readouterr().err


def test_cli_reads_a_template_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.json").write_text(json.dumps(TEMPLATE))
    assert run(["diagram", "t.json"]) == 0
    assert capsys.readouterr().out == dg.to_dot(TEMPLATE)
    (tmp_path / "t.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    assert run(["diagram", "t.yaml", "--no-title"]) == 0
    assert '"Q" [label="Q\\nAWS::SQS::Queue"];' in capsys.readouterr().out


@needs_dot
@pytest.mark.parametrize("suffix, magic", [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_cli_renders_with_graphviz(tmp_path, monkeypatch, capsys, suffix, magic):
    monkeypatch.chdir(tmp_path)
    assert run(["diagram", "-o", f"stack.{suffix}"]) == 0
    assert (tmp_path / f"stack.{suffix}").read_bytes().startswith(magic)


def test_readme_picture_shows_the_current_example_stack():
    """docs/stack.svg must show the resources the example stack has now.
    If this fails, redraw it: ``rumcfn diagram -o docs/stack.svg``."""
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    svg = (ROOT / "docs" / "stack.svg").read_text(encoding="utf-8")
    drawn = set(re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]+)</title>', svg))
    assert drawn == set(json.loads(to_json(build_template()))["Resources"]), \
        "docs/stack.svg is stale: run `rumcfn diagram -o docs/stack.svg`"


@pytest.mark.parametrize("content, reason", [
    (b"{ not json", "not a JSON or YAML template"),
    (b'{"AWSTemplateFormatVersion": "2010-09-09"}', "no Resources section"),
    (b"\xff\xfe\x00garbage", "not UTF-8 text"),
])
def test_cli_reads_templates_through_the_one_reader_and_fails_in_one_line(
    tmp_path, monkeypatch, capsys, content, reason
):
    """``rumcfn diagram bad.json`` used to end in a traceback; it reads the file the way lint and deploy do."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_bytes(content)
    assert run(["diagram", "bad.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("rumcfn: error: ") and reason in err and "bad.json" in err


def test_the_canary_bucket_emptier_is_drawn_with_the_canary():
    from rumcfn.config import from_mapping
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_dict

    template = to_dict(build_template(from_mapping({"canary": {"empty_artifacts_on_delete": True}})))
    placed = dg.clusters(template)
    assert placed["CanaryArtifactsEmptier"] == placed["CanaryArtifacts"] == "canary"
    assert placed["RumScriptFunctionInvokeConfig"] == "snippet"
