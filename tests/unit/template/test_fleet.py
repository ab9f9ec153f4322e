"""A fleet's templates: one per shape, parameter files per site in each consumer's format, a manifest."""

from __future__ import annotations

import dataclasses
import json

import pytest

from rumcfn.config import Settings, from_mapping
from rumcfn.config.fleet import Fleet, Site, fleet_from_mapping
from rumcfn.template.fleet import MANIFEST, lint_fleet, parameter_list, shape_template, synth_fleet
from tests.support.variants import TOPIC, VARIANTS


def values_of(index: int, settings: Settings) -> Settings:
    """``settings`` with site ``index``'s own values for every parameter."""
    r = dataclasses.replace
    m, canary, alarms = settings.monitor, settings.canary, settings.alarms
    return r(
        settings,
        monitor=r(m, name=f"site-{index}", domains=(f"www.site{index}.example", *m.domains[1:]),
                  session_sample_rate=(index % 10) / 10),
        script=r(settings.script, bucket=f"site-{index}-assets"),
        canary=r(canary, name=f"canary-{index}", url=f"https://www.site{index}.example/start") if canary.enabled
        else canary,
        alarms=alarms if alarms.topic_arn else r(alarms, email=f"ops{index}@example.com" if index % 2 else ""),
    )


def fleet_of(settings: list[Settings]) -> Fleet:
    sites = [Site(s.monitor.name, s, f"stack-{index}") for index, s in enumerate(settings)]
    return Fleet(tuple(sites), "test")


@pytest.fixture(scope="module")
def variant_fleet():
    """Three sites of every settings variant, each with its own values."""
    settings, index = [], 0
    for variant in VARIANTS.values():
        for _ in range(3):
            index += 1
            settings.append(values_of(index, variant))
    return fleet_of(settings)


@pytest.fixture(scope="module")
def variant_synth(variant_fleet):
    return synth_fleet(variant_fleet)


def test_each_site_gets_the_template_its_own_settings_build(variant_fleet, variant_synth):
    """The shape key groups soundly: each site's own parameterized template (Defaults aside) is its group's."""
    for site in variant_fleet.sites:
        assert shape_template(site.settings) == variant_synth.site_template[site.name].text, site.name


def test_sites_that_differ_only_in_values_share_a_template(variant_fleet, variant_synth):
    by_variant = [variant_synth.site_template[s.name].path for s in variant_fleet.sites]
    for first in range(0, len(by_variant), 3):
        assert len(set(by_variant[first:first + 3])) == 1
    # the variants that differ only in --parameters itself share too: every fleet template is parameterized
    assert len(variant_synth.templates) == len({shape_template(v) for v in VARIANTS.values()}) < len(VARIANTS)


def test_the_parameter_files_hold_the_values_the_site_would_have_as_defaults(variant_fleet, variant_synth):
    from rumcfn.stack.assemble import build_template

    files = variant_synth.files()
    for site in variant_fleet.sites:
        own = build_template(dataclasses.replace(site.settings, parameters=True)).to_dict()["Parameters"]
        cfn = json.loads(files[f"parameters/{site.name}.cloudformation.json"])
        sc = json.loads(files[f"parameters/{site.name}.servicecatalog.json"])
        assert {p["ParameterKey"]: p["ParameterValue"] for p in cfn} == {k: str(v["Default"]) for k, v in own.items()}
        assert [(p["Key"], p["Value"]) for p in sc] == [(p["ParameterKey"], p["ParameterValue"]) for p in cfn]
        shared = json.loads(variant_synth.site_template[site.name].text)["Parameters"]
        assert set(shared) == set(own) and not any("Default" in p for p in shared.values())


def test_parameter_files_fit_botocores_models():
    """CloudFormation and StackSets take the ParameterKey/ParameterValue list, Service Catalog Key/Value: each file
    validates as the request member it is written for."""
    import botocore.session
    from botocore.validate import ParamValidator

    values = {"AppMonitorName": "shop", "SessionSampleRate": "0.5"}
    session = botocore.session.get_session()
    cfn = session.get_service_model("cloudformation")
    sc = session.get_service_model("servicecatalog")
    validator = ParamValidator()
    requests = [
        (cfn, "CreateStack", {"StackName": "shop", "Parameters": parameter_list(values, "cloudformation")}),
        (cfn, "CreateChangeSet", {"StackName": "shop", "ChangeSetName": "c1",
                                  "Parameters": parameter_list(values, "cloudformation")}),
        (cfn, "CreateStackInstances", {"StackSetName": "s", "Regions": ["eu-west-1"],
                                       "ParameterOverrides": parameter_list(values, "cloudformation")}),
        (sc, "ProvisionProduct", {"ProvisionedProductName": "shop", "ProvisionToken": "t",
                                  "ProvisioningParameters": parameter_list(values, "servicecatalog")}),
        (sc, "UpdateProvisionedProduct", {"UpdateToken": "t",
                                          "ProvisioningParameters": parameter_list(values, "servicecatalog")}),
    ]
    for model, operation, params in requests:
        report = validator.validate(params, model.operation_model(operation).input_shape)
        assert not report.has_errors(), (operation, report.generate_report())
    # and the wrong format for a consumer is refused by the same check
    wrong = {"StackName": "shop", "Parameters": parameter_list(values, "servicecatalog")}
    assert validator.validate(wrong, cfn.operation_model("CreateStack").input_shape).has_errors()


def test_output_is_deterministic_and_template_names_do_not_depend_on_order():
    sites = [{"name": f"s{i}", "domains": [f"www.s{i}.example"], "bucket": f"s{i}-assets",
              **({"monitor": {"telemetries": ["errors"]}} if i % 3 == 0 else {})} for i in range(9)]
    first = synth_fleet(fleet_from_mapping({"sites": sites})).files()
    again = synth_fleet(fleet_from_mapping({"sites": sites})).files()
    reordered = synth_fleet(fleet_from_mapping({"sites": sites[::-1]})).files()
    assert first == again
    assert {k: v for k, v in first.items() if k != MANIFEST} == {k: v for k, v in reordered.items() if k != MANIFEST}
    manifest = json.loads(first[MANIFEST])
    assert len(manifest["templates"]) == 2
    assert [s["name"] for s in manifest["sites"]] == [f"s{i}" for i in range(9)]
    s3 = manifest["sites"][3]
    assert s3["parameters"] == {"cloudformation": "parameters/s3.cloudformation.json",
                                "servicecatalog": "parameters/s3.servicecatalog.json"}
    assert manifest["templates"][s3["template"]]["sites"] == ["s0", "s3", "s6"]


def test_a_second_domain_is_part_of_the_shape():
    data = {"sites": [{"name": "a", "domains": ["www.a.example"], "bucket": "a-assets"},
                      {"name": "b", "domains": ["www.b.example", "b.example"], "bucket": "b-assets"},
                      {"name": "c", "domains": ["www.c.example", "b.example"], "bucket": "c-assets"}]}
    result = synth_fleet(fleet_from_mapping(data))
    assert [t.sites for t in result.templates] == [["a"], ["b", "c"]]
    props = json.loads(result.templates[1].text)["Resources"]["AppMonitor"]["Properties"]
    assert props["DomainList"] == [{"Ref": "Domain"}, "b.example"]


def test_each_distinct_template_is_linted_once_with_no_findings(variant_synth, linter):
    calls = []

    def lint(text):
        calls.append(text)
        return linter.lint(text)

    findings = lint_fleet(variant_synth, lint)
    assert sorted(calls) == sorted(t.text for t in variant_synth.templates)
    assert findings == {t.path: [] for t in variant_synth.templates}
    manifest = variant_synth.manifest()["templates"]
    assert all(entry["lint_findings"] == [] for entry in manifest.values())


def test_an_existing_topic_leaves_out_the_email_parameter():
    settings = from_mapping({"alarms": {"topic_arn": TOPIC}})
    result = synth_fleet(fleet_of([settings]))
    assert "AlertEmail" not in result.values[settings.monitor.name]
    assert "AlertEmail" not in json.loads(result.templates[0].text)["Parameters"]
