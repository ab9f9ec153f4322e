"""``--parameters`` mode: what becomes a parameter, and what a site's values for those parameters are."""

from __future__ import annotations

from rumcfn.config import from_mapping
from tests.support.variants import template_dict


def test_parameters_mode_keeps_every_domain_after_the_first():
    """The Domain parameter carries the first domain; the others stay in the monitor's DomainList (they were
    dropped, so a site's second domain silently stopped being accepted)."""
    settings = from_mapping({"parameters": True, "monitor": {"domains": ["www.example.com", "*.example.org"]}})
    props = template_dict(settings)["Resources"]["AppMonitor"]["Properties"]
    assert props["DomainList"] == [{"Ref": "Domain"}, "*.example.org"]
    assert "Domain" not in props


def test_parameters_mode_without_alarms_has_no_email_parameter(linter):
    """Nothing monitored (every budget off, no canary): no alarm, so no topic to subscribe an e-mail to; the
    AlertEmail parameter and its condition went unused (cfn-lint W8001)."""
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json
    from tests.support.variants import OFF

    settings = from_mapping({**OFF, "parameters": True})
    text = to_json(build_template(settings))
    assert "AlertEmail" not in text and "HasAlertEmail" not in text
    assert linter.lint(text) == []
