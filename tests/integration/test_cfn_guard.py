"""cfn-guard over every template variant, with AWS's own Guard rules: each finding is fixed, or accepted with its
reason in ``rumcfn/stack/security.py`` (``GUARD_SUPPRESSIONS``, ``GUARD_REASONS``).

The rules are AWS Control Tower's proactive controls in Guard, and the cfn-guard binary is the one AWS ships
beside them; both come in the npm package ``@cdklabs/cdk-validator-cfnguard`` (package.json; ``npm ci`` installs
it). The AWS Guard Rules Registry itself is published only as GitHub releases, which this project cannot
fetch.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess

import pytest

from rumcfn.stack.assemble import build_template
from rumcfn.stack.security import GUARD_REASONS, guard_rules_for
from rumcfn.template.output import to_json
from tests.support import ROOT
from tests.support.variants import MATRIX, VARIANTS

PACKAGE = ROOT / "node_modules" / "@cdklabs" / "cdk-validator-cfnguard"
BINARY = PACKAGE / "bin" / "ubuntu" / platform.machine() / "cfn-guard"
RULES = PACKAGE / "rules" / "control-tower" / "cfn-guard"
RESOURCE = re.compile(r"/Resources/([A-Za-z0-9]+)")
REPORTS_ON = re.compile(r"^# Reports on:\n((?:#\s+AWS::.*\n)+)", re.MULTILINE)


def rules_for(types: set[str]) -> list[str]:
    """The rule files that report on a resource type the templates hold (the others can only skip)."""
    chosen = []
    for path in sorted(RULES.rglob("*.guard")):
        found = REPORTS_ON.search(path.read_text())
        if found is None or set(re.findall(r"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+", found.group(1))) & types:
            chosen.append(str(path))
    return chosen


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> dict:
    """(template name -> template data, findings as (template name, rule, logical id))."""
    if not BINARY.exists() or not RULES.is_dir():
        pytest.fail(f"cfn-guard and AWS's Guard rules not found under {PACKAGE}: run `npm ci` (make test does)",
                    pytrace=False)
    folder = tmp_path_factory.mktemp("guard")
    variants = {**VARIANTS, **{f"matrix-{i}": settings for i, settings in enumerate(MATRIX.values())}}
    templates = {}
    for name, settings in variants.items():
        text = to_json(build_template(settings))
        (folder / f"{name}.json").write_text(text)
        templates[name] = json.loads(text)
    types = {resource["Type"] for template in templates.values() for resource in template["Resources"].values()}
    rules = rules_for(types)
    assert len(rules) >= 20  # S3, Lambda, IAM, KMS, CloudWatch ... and the rules that do not say
    arguments = [argument for rule in rules for argument in ("-r", rule)]
    result = subprocess.run([str(BINARY), "validate", "-d", str(folder), *arguments, "-o", "json", "-S", "none", "-z"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 19), result.stderr  # 19: some rule failed
    reports = json.loads(result.stdout)
    findings = set()
    for report in reports:
        name = report["name"].rsplit("/", 1)[-1].removesuffix(".json")
        for entry in report.get("not_compliant", []):
            rule = entry["Rule"]["name"]
            findings |= {(name, rule, logical) for logical in RESOURCE.findall(json.dumps(entry))}
    return {"templates": templates, "findings": findings, "reports": len(reports),
            "rules": len(list(RULES.rglob("*.guard")))}


def explained(template: dict, logical: str) -> dict[str, str]:
    """The rules the resource is excused from, each with its reason."""
    resource = template["Resources"][logical]
    rules = guard_rules_for(resource["Type"], resource.get("Properties") or {})
    return {rule: GUARD_REASONS.get(rule, "") for rule in rules}


def test_cfn_guard_read_every_variant_with_every_rule(scan):
    assert scan["reports"] == len(scan["templates"]) and scan["rules"] > 200


def test_no_unexplained_cfn_guard_finding(scan):
    unexplained = sorted(f"{rule} {logical} ({name})" for name, rule, logical in scan["findings"]
                         if len(explained(scan["templates"][name], logical).get(rule, "")) < 60)
    assert unexplained == []


def test_every_explanation_answers_a_finding(scan):
    """An explanation where the scanner finds nothing would mislead the reader."""
    stale = sorted(f"{rule} {logical} ({name})" for name, template in scan["templates"].items()
                   for logical in template["Resources"] for rule in explained(template, logical)
                   if (name, rule, logical) not in scan["findings"])
    assert stale == []
