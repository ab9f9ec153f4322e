"""What the gate judges (:mod:`rumcfn.gate.target`): the budgets a stack records are the budgets its settings
give."""

from __future__ import annotations

import json

from rumcfn.config import from_mapping
from rumcfn.gate.target import (
    Releases,
    budgets_from_metadata,
    budgets_from_settings,
    from_settings,
    releases_from_metadata,
)
from tests.support.variants import SEGMENTS, template_dict

RELEASES = "RUM/CustomMetrics/shop/releases"


def test_budgets_from_settings_match_the_template_metadata():
    from rumcfn.config import Settings
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    settings = Settings()
    metadata = json.loads(to_json(build_template(settings)))["Metadata"]
    assert budgets_from_settings(settings) == budgets_from_metadata(metadata)
    assert [b.key for b in budgets_from_settings(settings)] == ["lcp", "cls", "inp"]


def test_budgets_from_settings_match_the_stack_metadata_segments_and_releases_too():
    """Whatever key order the deployed template keeps (as written, or sorted by a tool on the way)."""

    settings = from_mapping(SEGMENTS)
    written = template_dict(settings)["Metadata"]
    for metadata in (written, json.loads(json.dumps(written, sort_keys=True))):
        assert budgets_from_metadata(metadata) == budgets_from_settings(settings)
        assert (
            releases_from_metadata(metadata) == from_settings(settings).releases == Releases(RELEASES)
        )
    assert len(budgets_from_settings(settings)) == 9
