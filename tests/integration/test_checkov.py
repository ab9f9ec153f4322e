"""checkov over every template variant: each finding is fixed, or explained in rumcfn/stack/security.py.

checkov runs once (a separate process, ~5 s) over a directory holding every variant's template. It lives in its own
environment (``make`` creates ``.venv-checkov``; ``CHECKOV`` names another binary): checkov pins an old boto3, which
in the project's environment would hold botocore, and the service models its rules are read from, years back.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from rumcfn.config import from_mapping
from rumcfn.stack.assemble import build_template
from rumcfn.stack.security import SUPPRESSIONS, explain_scanner_findings, reasons_for
from rumcfn.template.output import to_json
from tests.support import ROOT
from tests.support.variants import MATRIX, VARIANTS

CHECKOV = Path(os.environ.get("CHECKOV") or ROOT / ".venv-checkov" / "bin" / "checkov")
EXTRA = {
    "existing-artifacts-bucket": from_mapping({"canary": {"artifacts_bucket": "my-canary-bucket"}}),
    "created-site-bucket": from_mapping({"script": {"create_bucket": True}}),
    "xray": from_mapping({"monitor": {"enable_xray": True}}),
    # 99 alarms: the site-health alarm over part composites (tests/unit/stack/test_composite_rules.py)
    "nested-composites": from_mapping(
        {"budgets": {"segments": [{"page": f"/page-{i}", "lcp": 3000, "cls": 0.2, "inp": 300, "fid": 200,
                                   "navigation": 4000} for i in range(19)]}}
    ),
}


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> dict:
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}: run `make .venv-checkov/.installed`", pytrace=False)
    folder = tmp_path_factory.mktemp("templates")
    variants = {**VARIANTS, **EXTRA, **{f"matrix-{i}": s for i, s in enumerate(MATRIX.values())}}
    for name, settings in variants.items():
        (folder / f"{name}.json").write_text(to_json(build_template(settings)))
    # --compact: each check's result without the resource's source lines (47 MB of JSON for these templates, and
    # a fifth of checkov's time); what the tests read (ids, names, resources, files, reasons) is all there.
    result = subprocess.run([str(CHECKOV), "-d", str(folder), "--framework", "cloudformation", "-o", "json",
                             "--skip-download", "--compact"], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    report["variants"] = len(variants)
    return report


def test_checkov_parsed_every_variant(scan):
    assert scan["summary"]["parsing_errors"] == 0
    assert scan["summary"]["passed"] > 0 and scan["summary"]["resource_count"] >= scan["variants"]


def test_no_unexplained_checkov_finding(scan):
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
              for c in scan["results"].get("failed_checks", [])]
    assert failed == []


def test_every_skip_carries_the_reason_from_the_security_table(scan):
    skipped = scan["results"].get("skipped_checks", [])
    assert skipped  # the table is in use
    for check in skipped:
        resource_type, logical_id = check["resource"].split(".", 1)
        table = {**SUPPRESSIONS.get(resource_type, {}), **SUPPRESSIONS.get(logical_id, {})}
        assert check["check_result"]["suppress_comment"] == table[check["check_id"]], check["resource"]


def test_every_reason_is_written_out():
    for entries in SUPPRESSIONS.values():
        for check, reason in entries.items():
            assert check.startswith("CKV_") and len(reason) > 40


def test_suppressions_are_written_only_where_they_apply():
    """CKV_AWS_173 (Lambda environment encryption) is explained only for a function that has variables."""
    assert "CKV_AWS_173" not in reasons_for("Fn", "AWS::Lambda::Function", {"Runtime": "python3.12"})
    assert "CKV_AWS_173" in reasons_for("Fn", "AWS::Lambda::Function", {"Environment": {}})
    assert reasons_for("Canary", "AWS::Synthetics::Canary", {}) == {}


def test_explanations_merge_with_existing_metadata():
    from troposphere import Template, logs

    template = Template()
    group = template.add_resource(logs.LogGroup("Logs", RetentionInDays=7, Metadata={
        "owner": "web", "checkov": {"skip": [{"id": "CKV_AWS_999", "comment": "kept"}]}}))
    explain_scanner_findings(template)
    assert group.Metadata["owner"] == "web"
    assert [s["id"] for s in group.Metadata["checkov"]["skip"]] == ["CKV_AWS_158", "CKV_AWS_999"]
