"""``[[budgets.segments]]``, levels and release settings: loaded from TOML, checked by their rules, frozen."""

from __future__ import annotations

import pytest

from rumcfn.config import Segment, SettingsError, from_mapping, load, with_overrides

BAD = [
    ([{"lcp": 3000}], "budgets.segments[0].page", "one or two of page, device, browser, os, country", "[]"),
    (
        [{"page": "/a", "device": "mobile", "country": "DE", "lcp": 1}],
        "budgets.segments[0].page",
        "one or two",
        "country",
    ),
    ([{"page": "/a"}], "budgets.segments[0].lcp", "a segment needs a budget", "a"),
    (
        [{"page": "/a", "lcp": 1}, {"device": "phone", "lcp": 1}],
        "budgets.segments[1].device",
        "one of desktop, mobile, tablet, embedded",
        "phone",
    ),
    ([{"country": "de", "lcp": 1}], "budgets.segments[0].country", "ISO 3166", "de"),
    ([{"page": " /a", "lcp": 1}], "budgets.segments[0].page", "without leading or trailing spaces", " /a"),
    # CloudWatch Dimension.Value: "must contain only ASCII characters" (botocore cloudwatch model, Dimension)
    ([{"page": "/caf\u00e9", "lcp": 1}], "budgets.segments[0].page", "ASCII", "/caf\u00e9"),
    ([{"browser": "Chr\u00f6me", "lcp": 1}], "budgets.segments[0].browser", "ASCII", "Chr\u00f6me"),
    ([{"os": "\u0410ndroid", "lcp": 1}], "budgets.segments[0].os", "ASCII", "\u0410ndroid"),
    ([{"page": "/a", "cls": 5}], "budgets.segments[0].cls", "not milliseconds", "5"),
    ([{"page": "/a", "lcp": -1}], "budgets.segments[0].lcp", "positive number", "-1"),
    ([{"page": "/a", "js_errors": 1}], "budgets.segments[0].js_errors", "not a known setting", "1"),
    ([{"page": "/a", "lcp": 1, "warn": ["inp"]}], "budgets.segments[0].warn", "does not set", "inp"),
    ([{"page": "/a", "lcp": 1, "name": "Check Out"}], "budgets.segments[0].name", "a-z 0-9", "Check Out"),
    ([{"page": "/a", "lcp": 1}, {"page": "/a", "lcp": 2}], "budgets.segments", "repeat a segment name", "a"),
    (
        [{"page": "/a", "lcp": 1}, {"name": "b", "page": "/a", "inp": 2}],
        "budgets.segments",
        "must not repeat a segment's",
        "/a",
    ),
    (
        [{"name": "a1-b", "page": "/x", "lcp": 1}, {"name": "a-1-b", "page": "/y", "lcp": 1}],
        "budgets.segments",
        "differ in more than their hyphens",
        "a1-b",
    ),
    (["/checkout"], "budgets.segments[0]", "must be a table", "/checkout"),
    ("/checkout", "budgets.segments", "must be a list", "/checkout"),
]


@pytest.mark.parametrize("segments,setting,rule,value", BAD, ids=[f"{b[1]}:{b[2][:20]}" for b in BAD])
def test_bad_segments_name_the_entry_rule_and_value(segments, setting, rule, value):
    with pytest.raises(SettingsError) as caught:
        from_mapping({"budgets": {"segments": segments}})
    message = str(caught.value)
    assert message.startswith(f"setting {setting}:"), message
    assert rule in message and value in message and "\n" not in message


@pytest.mark.parametrize(
    "budgets,setting,rule",
    [
        ({"warn": ["fid"]}, "budgets.warn", "names a budget that is off"),
        ({"warn": ["speed"]}, "budgets.warn", "one of lcp"),
        ({"release_namespace": "AWS/RUM"}, "budgets.release_namespace", "not start with AWS/"),
        ({"release_namespace": "shop releases"}, "budgets.release_namespace", "a-z A-Z 0-9"),
        ({"release_namespace": "x" * 238}, "budgets.release_namespace", "1-237"),
        ({"release_source": "git"}, "budgets.release_source", "one of release_id, app_version"),
    ],
)
def test_bad_levels_and_release_settings(budgets, setting, rule):
    with pytest.raises(SettingsError, match=rf"^setting {setting}: .*{rule}"):
        from_mapping({"budgets": budgets})


def test_segments_from_a_toml_file_are_frozen_hashable_and_survive_overrides(tmp_path):
    path = tmp_path / "rumcfn.toml"
    path.write_text(
        '[budgets]\nwarn = ["inp"]\n\n[[budgets.segments]]\npage = "/checkout"\ndevice = "mobile"\n'
        'lcp = 3000\ninp = "off"\n\n[[budgets.segments]]\nname = "de"\ncountry = "DE"\nnavigation = 4000\n'
        'warn = ["navigation"]\n'
    )
    settings = load(path)
    checkout, germany = settings.budgets.segments
    assert isinstance(checkout, Segment) and checkout.inp is None and checkout.lcp == 3000
    assert checkout.label() == "checkout-mobile" and germany.label() == "de"
    assert checkout.dimensions() == (("PageId", "/checkout"), ("DeviceType", "mobile"))
    assert germany.level("navigation") == "warn" and checkout.level("lcp") == "fail"
    assert settings.budgets.level_of("inp") == "warn"
    assert hash(settings) == hash(load(path)) and settings == load(path)
    changed = with_overrides(settings, {"budgets.lcp": 2000})
    assert changed.budgets.segments == settings.budgets.segments and changed.budgets.lcp == 2000
    with pytest.raises(AttributeError):
        checkout.lcp = 1  # type: ignore[misc]


def test_budgets_carry_level_segment_and_dimensions():
    settings = from_mapping(
        {"budgets": {"warn": ["cls"], "segments": [{"page": "/", "device": "desktop", "lcp": 2000}]}}
    )
    site = {b.key: b.level for b in settings.budgets.budgets()}
    assert site == {"lcp": "fail", "cls": "warn", "inp": "fail"}
    (home,) = settings.budgets.segment_budgets(settings.budgets.segments[0])
    assert (home.segment, home.dimensions, home.budget, home.statistic) == (
        "home-desktop",
        (("PageId", "/"), ("DeviceType", "desktop")),
        2000.0,
        "p75",
    )
