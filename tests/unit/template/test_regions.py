"""Where the stack can deploy: the table of resource types each Region offers, read from cfn-lint's
bundled region schemas, over every Region cfn-lint knows (and so every partition)."""

from __future__ import annotations

import re

import pytest

from rumcfn.contract import CustomResources
from rumcfn.errors import UsageError
from rumcfn.stack.assemble import build_template
from rumcfn.template.lint import Linter
from rumcfn.template.output import to_json
from rumcfn.template.regions import check_regions, known_regions, markdown, table, unavailable
from tests.support.partitions import botocore_partitions, partition_of
from tests.support.variants import VARIANTS, template_dict

RUM = "AWS::RUM::AppMonitor"


def offered_by_cfn_lint(region: str) -> set[str]:
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    return set(PROVIDER_SCHEMA_MANAGER.get_resource_types(region))


def without_rum() -> list[str]:
    """Regions whose cfn-lint schemas lack the app monitor (ap-east-2, ap-southeast-6, cn-north-1 and
    cn-northwest-1 with cfn-lint 1.58), found at test time so the tests follow cfn-lint's updates."""
    regions = [region for region in known_regions() if RUM not in offered_by_cfn_lint(region)]
    assert regions, "cfn-lint now offers RUM everywhere: pick another missing type for these tests"
    return regions


def test_known_regions_span_every_partition():
    """The table covers a Region of each partition botocore knows (and aws-eusc, which it may not yet)."""
    covered = {partition_of(region) for region in known_regions()}
    assert {p["id"] for p in botocore_partitions()} <= covered
    assert "eusc-de-east-1" in known_regions()


@pytest.fixture(scope="module")
def every_region() -> Linter:
    return Linter(known_regions())


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_table_and_cfn_lint_agree_in_every_region(name, every_region):
    """Linted for every Region at once, every variant's only findings are cfn-lint's E3006 (type not in the
    Region), and they are exactly the table's entries: nothing else is found in any Region."""
    text = to_json(build_template(VARIANTS[name]))
    findings = every_region.lint(text)
    assert {f.rule for f in findings} <= {"E3006"}
    linted = {re.search(r"'([^']+)' does not exist in '([^']+)'", f.message).groups()[::-1] for f in findings}
    data = template_dict(VARIANTS[name])
    assert linted == {(region, kind) for region, kinds in table(data).items() for kind in kinds}
    assert {region for region, kinds in table(data).items() if RUM in kinds} == set(without_rum())


def test_a_region_offering_every_type_has_no_entry():
    data = template_dict()
    assert unavailable(data, "us-east-1") == []
    assert "us-east-1" not in table(data)
    for region in without_rum():
        assert RUM in unavailable(data, region)


def test_custom_resources_exist_wherever_cloudformation_does():
    data = {"Resources": {"Script": {"Type": CustomResources.RUM_SCRIPT, "Properties": {"ServiceToken": "x"}}}}
    assert table(data) == {}


def test_a_resource_whose_condition_cannot_hold_there_does_not_count():
    region = without_rum()[0]
    monitor = {"Type": RUM, "Properties": {"Name": "m", "Domain": "example.com"}}
    data = {"Conditions": {"Elsewhere": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::Region"}, region]}]}},
            "Resources": {"Monitor": {**monitor, "Condition": "Elsewhere"}}}
    assert unavailable(data, region) == []
    assert unavailable({"Resources": {"Monitor": monitor}}, region) == [RUM]


def test_check_regions_names_each_region_and_type():
    data = template_dict()
    region = without_rum()[0]
    check_regions(data, ["us-east-1"])
    with pytest.raises(UsageError) as raised:
        check_regions(data, ["us-east-1", region])
    message = str(raised.value)
    assert raised.value.exit_code == 2
    assert f"{region} ({', '.join(unavailable(data, region))})" in message and RUM in message
    assert "us-east-1" not in message and "\n" not in message


def test_regions_cfn_lint_does_not_know_are_left_to_aws():
    """A Region newer than cfn-lint's data: nothing is known there, so nothing is refused."""
    check_regions(template_dict(), ["xx-future-1"])


def test_markdown_lists_every_region_of_the_table():
    data = template_dict()
    text = markdown(data)
    for region, kinds in table(data).items():
        assert f"| `{region}` | {', '.join(f'`{kind}`' for kind in kinds)} |" in text
    assert "cfn-lint" in text
