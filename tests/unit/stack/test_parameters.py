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
