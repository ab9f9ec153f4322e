"""A fleet's templates: sites that differ only in values share one parameterized template (``--parameters`` mode),
with one parameter file per site in each consumer's format; sites whose settings change the template's shape get
one template per shape. Pure: the files as text, for the caller to lint and write.

Grouping does not build a template per site: a site's settings with its parameter values replaced by placeholders
(:func:`rumcfn.stack.parameters.without_site_values`) are its shape, and one template is built per distinct shape;
shapes whose templates come out byte-identical are then merged, so the template's bytes decide in the end.
The shared templates have no parameter Defaults: each site's values are in its own parameter files, and a
template written once must not carry one site's values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from rumcfn.config.fleet import Fleet, Site
from rumcfn.stack.assemble import build_template
from rumcfn.stack.parameters import site_values, without_site_values
from rumcfn.template.output import render
from rumcfn.version import __version__

MANIFEST = "manifest.json"
#: Parameter files by the consumer that reads them, and the shape of each entry:
#: CloudFormation and StackSets take ``[{"ParameterKey", "ParameterValue"}]`` (CreateStack/CreateChangeSet
#: ``Parameters``, CreateStackInstances ``ParameterOverrides``: the cloudformation model's ``Parameter``);
#: Service Catalog ``[{"Key", "Value"}]`` (ProvisionProduct ``ProvisioningParameters``: the servicecatalog model's
#: ``ProvisioningParameter``). tests/unit/template/test_fleet.py checks both against botocore's models.
CONSUMERS = {
    "cloudformation": ("ParameterKey", "ParameterValue"),
    "servicecatalog": ("Key", "Value"),
}


@dataclass
class FleetTemplate:
    path: str  # templates/<sha256 prefix>.<json|yaml>, relative to the output directory
    text: str
    sites: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def parameter_keys(self) -> list[str]:
        import cfn_flip

        return list((cfn_flip.load(self.text)[0].get("Parameters") or {}))


@dataclass
class FleetSynth:
    """Every file of a fleet's output, by path relative to the output directory, and what they mean."""

    templates: list[FleetTemplate]
    site_template: dict[str, FleetTemplate]  # site name -> its template
    values: dict[str, dict[str, str]]  # site name -> its parameter values
    fleet: Fleet
    findings: dict[str, list[str]] = field(default_factory=dict)  # template path -> lint findings, once linted

    def parameter_file(self, site: str, consumer: str) -> str:
        return f"parameters/{site}.{consumer}.json"

    def files(self) -> dict[str, str]:
        """Path -> text of every file: the templates, each site's parameter files, the manifest."""
        files = {t.path: t.text for t in self.templates}
        for site in self.fleet.sites:
            for consumer in CONSUMERS:
                files[self.parameter_file(site.name, consumer)] = dumps(parameter_list(self.values[site.name],
                                                                                       consumer))
        files[MANIFEST] = dumps(self.manifest())
        return files

    def manifest(self) -> dict[str, Any]:
        """Site -> template -> parameter files, and each template's sites (and lint findings, once linted)."""
        templates = {}
        for t in self.templates:
            templates[t.path] = {"sha256": t.sha256, "sites": t.sites}
            if t.path in self.findings:
                templates[t.path]["lint_findings"] = self.findings[t.path]
        sites = []
        for site in self.fleet.sites:
            entry: dict[str, Any] = {
                "name": site.name,
                "stack_name": site.stack_name,
                "template": self.site_template[site.name].path,
                "parameters": {consumer: self.parameter_file(site.name, consumer) for consumer in CONSUMERS},
            }
            entry.update({key: value for key, value in (("account", site.account), ("region", site.region)) if value})
            sites.append(entry)
        return {"rumcfn": __version__, "fleet": self.fleet.origin, "templates": templates, "sites": sites}


def dumps(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def parameter_list(values: dict[str, str], consumer: str = "cloudformation") -> list[dict[str, str]]:
    """A site's parameter values in the list form ``consumer`` takes (:data:`CONSUMERS`)."""
    key, value = CONSUMERS[consumer]
    return [{key: name, value: text} for name, text in values.items()]


def shape_template(settings, fmt: str = "json") -> str:
    """The parameterized template for every site of this shape, without parameter Defaults."""
    template = build_template(dataclasses.replace(settings, parameters=True))
    for parameter in template.parameters.values():
        parameter.properties.pop("Default", None)
    return render(template, fmt)


def synth_fleet(fleet: Fleet, fmt: str = "json") -> FleetSynth:
    """One template per distinct shape (merged by bytes), and each site's parameter values."""
    shapes: dict[Any, list[Site]] = {}
    for site in fleet.sites:
        shapes.setdefault(without_site_values(dataclasses.replace(site.settings, parameters=True)), []).append(site)
    by_text: dict[str, FleetTemplate] = {}
    site_template: dict[str, FleetTemplate] = {}
    for shape, sites in shapes.items():
        text = shape_template(shape, fmt)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        template = by_text.setdefault(text, FleetTemplate(f"templates/{digest[:16]}.{fmt}", text))
        template.sites += [site.name for site in sites]
        for site in sites:
            site_template[site.name] = template
    order = {site.name: index for index, site in enumerate(fleet.sites)}
    for template in by_text.values():
        template.sites.sort(key=order.__getitem__)
    templates = sorted(by_text.values(), key=lambda t: order[t.sites[0]])
    values = {site.name: site_values(site.settings) for site in fleet.sites}
    return FleetSynth(templates, site_template, values, fleet)


def lint_fleet(result: FleetSynth, lint: Any) -> dict[str, list[Any]]:
    """Each distinct template linted once with ``lint`` (``Linter().lint``); the findings by template path."""
    findings = {t.path: list(lint(t.text)) for t in result.templates}
    result.findings = {path: [str(f) for f in found] for path, found in findings.items()}
    return findings


def regions_of(sites: Iterable[Site]) -> tuple[str, ...]:
    """The Regions the sites name (to lint for), in order; empty when none names one."""
    return tuple(sorted({site.region for site in sites if site.region}))
