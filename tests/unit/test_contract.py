"""The stack's contract with its readers (:mod:`rumcfn.contract`): what the builders write is exactly what the
contract names, the metadata reads back as written, and nothing else in the package spells a name of it."""

from __future__ import annotations

import ast

import pytest

from rumcfn.contract import METADATA_KEY, CustomResources, Outputs, StackMetadata
from tests.support import ROOT
from tests.support.variants import VARIANTS, template_dict

TEMPLATES = {name: template_dict(settings) for name, settings in VARIANTS.items()}


def names(namespace: type) -> set[str]:
    """The names a contract class holds (its upper-case attributes)."""
    return {value for key, value in vars(namespace).items() if key.isupper()}


OUTPUTS, CUSTOM_TYPES = names(Outputs), names(CustomResources)


def test_every_output_and_custom_resource_type_is_the_contracts_and_each_is_written_by_some_variant():
    outputs = {key for template in TEMPLATES.values() for key in template.get("Outputs", {})}
    types = {resource["Type"] for template in TEMPLATES.values() for resource in template["Resources"].values()}
    custom = {kind for kind in types if kind.startswith("Custom::")}
    assert outputs == OUTPUTS
    assert custom == CUSTOM_TYPES


@pytest.mark.parametrize("name", VARIANTS)
def test_the_metadata_block_reads_back_as_written_and_as_the_settings_record_it(name):
    written = TEMPLATES[name]["Metadata"]
    recorded = StackMetadata.from_template(written)
    assert recorded.to_dict() == written[METADATA_KEY]
    assert recorded == VARIANTS[name].budgets.recorded()


def test_a_template_without_the_block_has_no_budgets():
    assert StackMetadata.from_template(None).all_budgets() == []
    assert StackMetadata.from_template({"AWS::CloudFormation::Interface": {}}).all_budgets() == []


def test_the_inline_function_serves_exactly_the_contracts_custom_resource_types():
    """handlers/rum_script.py is stdlib-only (it cannot import rumcfn), so it spells the types itself."""
    from tests.support.handler import inline_source, load_index

    assert set(load_index(inline_source()).TYPES) == CUSTOM_TYPES  # the function as the template ships it
    source = (ROOT / "handlers" / "rum_script.py").read_text()
    assert {text for text in _strings(source) if text.startswith("Custom::")} == CUSTOM_TYPES


#: Names only the contract may spell: the custom-resource types and the outputs whose spelling means nothing
#: else. (AppMonitorName, AppMonitorId, IdentityPoolId and CanaryName are also template parameters, RUM or
#: CloudWatch property names and Fn::Sub variables, which are not the stack's promise to its readers.)
ONLY_IN_THE_CONTRACT = {*CUSTOM_TYPES, Outputs.SNIPPET_URL, Outputs.SCRIPT_TAG, Outputs.SOURCE_MAPS_S3_URI,
                        Outputs.DASHBOARD_URL, Outputs.ALARM_TOPIC_ARN}


@pytest.mark.parametrize("path", sorted((ROOT / "rumcfn").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_but_the_contract_spells_its_names(path):
    if path.name == "contract.py" and path.parent.name == "rumcfn":
        return
    assert not ONLY_IN_THE_CONTRACT & _strings(path.read_text())


def _strings(source: str) -> set[str]:
    """Every string constant in ``source`` except docstrings."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}
