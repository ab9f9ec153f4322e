"""The composite "site health" alarm against PutCompositeAlarm's limits, resolved as CloudFormation resolves it.

``AlarmRule`` names each child by its full ARN (``ALARM("arn:<partition>:cloudwatch:<region>:<account>:alarm:
<stack>-<suffix>")``), so its length depends on the stack name, the partition and the Region, none of which
synth knows. Every rule is resolved here for the worst case AWS's own data allows: the longest stack name
CloudFormation takes (128), the longest partition and Region botocore's ``partitions.json`` and cfn-lint's
region data know, and held against the botocore cloudwatch model's ``AlarmRule`` maximum and the 100 children
its documentation allows.
"""

from __future__ import annotations

import re

import pytest

from rumcfn.config import from_mapping
from rumcfn.facts import (
    ACCOUNT_ID_LENGTH,
    LONGEST_PARTITION,
    LONGEST_REGION,
    MAX_ALARM_RULE,
    MAX_ALARM_WIDGET_ALARMS,
    MAX_COMPOSITE_CHILDREN,
)
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_json
from tests.support.partitions import botocore_partitions, regions
from tests.support.variants import template_dict

COMPOSITE = "AWS::CloudWatch::CompositeAlarm"
METRIC_ALARM = "AWS::CloudWatch::Alarm"
TERM = re.compile(r'ALARM\("\$\{(\w+)\.Arn\}"\)')
ACCOUNT = "123456789012"
VITALS = {"lcp": 3000, "cls": 0.2, "inp": 300, "fid": 200, "navigation": 4000}


def alarm_rule_max() -> int:
    from botocore.loaders import Loader

    return Loader().load_service_model("cloudwatch", "service-2")["shapes"]["AlarmRule"]["max"]


def longest_partition() -> str:
    return max((p["id"] for p in botocore_partitions()), key=len)


def longest_region() -> str:
    """The longest Region a stack can be in: botocore's Regions (not its ``*-global`` endpoints) and cfn-lint's."""
    known = [r for p in botocore_partitions() for r in p["regions"] if not r.endswith("-global")] + regions()
    return max(known, key=len)


def resolved_rules(t: dict, stack: str, partition: str, region: str) -> dict[str, str]:
    """Every composite's AlarmRule as CloudFormation hands it to PutCompositeAlarm in that stack."""

    def arn(logical: str) -> str:
        name = t["Resources"][logical]["Properties"]["AlarmName"]["Fn::Sub"].replace("${AWS::StackName}", stack)
        return f"arn:{partition}:cloudwatch:{region}:{ACCOUNT}:alarm:{name}"

    return {
        logical: TERM.sub(lambda m: f'ALARM("{arn(m.group(1))}")', r["Properties"]["AlarmRule"]["Fn::Sub"])
        for logical, r in t["Resources"].items()
        if r["Type"] == COMPOSITE
    }


def children(t: dict, logical: str) -> list[str]:
    return TERM.findall(t["Resources"][logical]["Properties"]["AlarmRule"]["Fn::Sub"])


def segments(count: int) -> dict:
    """``count`` segments with the longest names (48 characters) and every vital, every site budget at two
    levels, and three canary locations."""
    return {
        "budgets": {"segments": [{"name": f"s{i:03d}-" + "x" * 43, "page": f"/p{i}", **VITALS} for i in range(count)],
                    "two_levels": True, "fid": 100, "navigation": 3000, "js_errors": 0.5, "http_5xx": 0.1},
        "canary": {"locations": ["ap-southeast-2", "eu-west-1", "us-west-2"]},
    }


#: The issue's example: 19 segments x 5 vitals with the default budgets and canary, 99 alarms, which today's
#: single rule resolves to 10,601 characters for stack shop-rum.
ISSUE = {"budgets": {"segments": [{"page": f"/page-{i}", **VITALS} for i in range(19)]}}
#: 60 segments: 315 alarms, near the 500 resources a stack may hold.
CASES = {"issue": ISSUE, "one": segments(1), "19": segments(19), "60": segments(60)}


def test_the_worst_case_synth_plans_for_is_aws_data():
    assert MAX_ALARM_RULE == alarm_rule_max()
    assert LONGEST_PARTITION >= len(longest_partition()) and LONGEST_REGION >= len(longest_region())
    assert len(ACCOUNT) == ACCOUNT_ID_LENGTH


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_composite_rule_fits_for_the_longest_names_aws_allows(case):
    t = template_dict(from_mapping(CASES[case]))
    limit = alarm_rule_max()
    for stack in ("shop-rum", "S" + "s" * 127):
        rules = resolved_rules(t, stack, longest_partition(), longest_region())
        for logical, rule in rules.items():
            assert len(rule) <= limit, f"{logical}: {len(rule)} characters for stack {stack[:12]}..."
            assert 1 <= len(children(t, logical)) <= MAX_COMPOSITE_CHILDREN, logical


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_site_health_alarm_covers_every_alarm_once_and_alone_notifies(case):
    t = template_dict(from_mapping(CASES[case]))
    resources = t["Resources"]
    metric_alarms = {k for k, r in resources.items() if r["Type"] == METRIC_ALARM}
    composites = {k for k, r in resources.items() if r["Type"] == COMPOSITE}
    reached: list[str] = []
    todo = ["SiteHealthAlarm"]
    while todo:
        for child in children(t, todo.pop()):
            reached.append(child)
            if child in composites:
                todo.append(child)
    assert sorted(x for x in reached if x in metric_alarms) == sorted(metric_alarms)  # each exactly once
    assert set(reached) | {"SiteHealthAlarm"} == metric_alarms | composites  # no composite left out
    for logical in composites:
        props = resources[logical]["Properties"]
        notifies = {"AlarmActions", "OKActions"} & set(props)
        assert notifies == ({"AlarmActions", "OKActions"} if logical == "SiteHealthAlarm" else set()), logical
        assert len(props["AlarmName"]["Fn::Sub"].replace("${AWS::StackName}", "s" * 128)) <= 255
    names = [resources[k]["Properties"]["AlarmName"]["Fn::Sub"] for k in metric_alarms | composites]
    assert len(names) == len(set(names))


def test_a_stack_whose_rule_fits_keeps_one_composite_over_every_alarm():
    """Nesting only starts where one rule would not fit: the default stack's composite is as before."""
    t = template_dict()
    (composite,) = [k for k, r in t["Resources"].items() if r["Type"] == COMPOSITE]
    alarms = [k for k, r in t["Resources"].items() if r["Type"] == METRIC_ALARM]
    assert composite == "SiteHealthAlarm" and children(t, composite) == alarms


@pytest.mark.parametrize("case", ["issue", "60"])
def test_nested_composites_have_zero_cfn_lint_findings(case, linter):
    assert [str(f) for f in linter.lint(to_json(build_template(from_mapping(CASES[case]))))] == []


def test_the_dashboard_shows_the_site_health_alarm_and_every_alarm_in_widgets_of_at_most_100():
    """The alarm status widget takes 1-100 alarm ARNs (CloudWatch dashboard body structure, alarm widget)."""
    import json

    t = template_dict(from_mapping(CASES["60"]))
    body, _ = t["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = [w for w in json.loads(body)["widgets"] if w["type"] == "alarm"]
    shown = [re.fullmatch(r"\$\{(\w+)\.Arn\}", arn).group(1) for w in widgets for arn in w["properties"]["alarms"]]
    assert all(1 <= len(w["properties"]["alarms"]) <= MAX_ALARM_WIDGET_ALARMS for w in widgets)
    metric_alarms = [k for k, r in t["Resources"].items() if r["Type"] == METRIC_ALARM]
    assert shown == ["SiteHealthAlarm", *metric_alarms]
    assert len({(w["x"], w["y"]) for w in json.loads(body)["widgets"]}) == len(json.loads(body)["widgets"])
