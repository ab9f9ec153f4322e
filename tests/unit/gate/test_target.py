"""What the gate judges (:mod:`rumcfn.gate.target`): the budgets a stack records are the budgets its settings
give, read back through :class:`rumcfn.contract.StackMetadata`."""

from __future__ import annotations

import json

from rumcfn.config import Settings, from_mapping
from rumcfn.contract import Releases, StackMetadata
from rumcfn.gate.target import Target, from_settings
from tests.support.variants import SEGMENTS, template_dict

RELEASES = "RUM/CustomMetrics/shop/releases"


def test_budgets_from_settings_match_the_template_metadata():
    settings = Settings()
    recorded = StackMetadata.from_template(template_dict(settings)["Metadata"])
    assert recorded == settings.budgets.recorded()
    assert from_settings(settings) == Target.of(settings.monitor.name, recorded)
    assert [b.key for b in from_settings(settings).budgets] == ["lcp", "cls", "inp"]


def test_budgets_from_settings_match_the_stack_metadata_segments_and_releases_too():
    """Whatever key order the deployed template keeps (as written, or sorted by a tool on the way)."""
    settings = from_mapping(SEGMENTS)
    written = template_dict(settings)["Metadata"]
    for metadata in (written, json.loads(json.dumps(written, sort_keys=True))):
        recorded = StackMetadata.from_template(metadata)
        assert recorded.all_budgets() == from_settings(settings).budgets
        assert recorded.releases == from_settings(settings).releases == Releases(RELEASES)
    assert len(from_settings(settings).budgets) == 9
