"""``[snippet.config]`` values a browser would refuse: each is refused when the settings are read, because
once in rum.js a refused pattern or header turns RUM off on every page, with no error anyone sees."""

from __future__ import annotations

import pytest

from rumcfn.config import SettingsError, from_mapping

JAVASCRIPT_REFUSES = ["(?i)admin", "a++", "(?>x)", "(?#note)x", "(?(1)a|b)", "(?i:a)", "x{2}{3}", "(?P<n>a)"]
OPTIONS = {  # where a pattern goes, and the settings it needs
    "http.urlsToExclude": {"http": {"urlsToExclude": ["PATTERN"]}},
    "http.urlsToInclude": {"http": {"urlsToInclude": ["PATTERN"]}},
    "errors.ignore": {"errors": {"ignore": ["PATTERN"]}},
    "performance.ignore": {"performance": {"ignore": ["PATTERN"]}},
    "http.addXRayTraceIdHeader": {"http": {"addXRayTraceIdHeader": ["PATTERN"]}},
}


def settings(config: dict, pattern: str | None = None) -> dict:
    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return pattern if value == "PATTERN" else value

    return {"monitor": {"enable_xray": True}, "snippet": {"config": fill(config)}}


@pytest.mark.parametrize("pattern", JAVASCRIPT_REFUSES)
@pytest.mark.parametrize("option", OPTIONS)
def test_a_pattern_javascript_refuses_is_refused_where_it_is_set(option, pattern):
    with pytest.raises(SettingsError) as caught:
        from_mapping(settings(OPTIONS[option], pattern))
    message = str(caught.value)
    assert message.startswith(f"setting snippet.config.{option}: must be regular expressions JavaScript accepts (")
    assert repr(pattern) in message and "\n" not in message


@pytest.mark.parametrize("pattern", ["[^]", "\\k", "[]", "\\c", "x{,2}", "]"])
def test_a_pattern_only_javascript_reads_is_accepted(pattern):
    assert from_mapping(settings(OPTIONS["http.urlsToExclude"], pattern)).snippet.config


@pytest.mark.parametrize("pattern", ["a\u2028b", "\u2029", "a\nb", "a\rb"])
def test_a_line_break_javascript_counts_as_one_is_refused_in_a_pattern(pattern):
    with pytest.raises(SettingsError, match="no line breaks"):
        from_mapping(settings(OPTIONS["errors.ignore"], pattern))


@pytest.mark.parametrize("value,rule", [
    ("a\r\nX-Injected: 1", "must not contain control characters"),
    ("\x00", "must not contain control characters"),
    ("caf\u00e9", None),  # Latin-1 is a byte: fetch sends it
    ("\u20ac5", "must be characters up to U+00FF"),
    ("\U0001f600", "must be characters up to U+00FF"),
])
def test_a_header_value_fetch_would_throw_on_is_refused(value, rule):
    data = {"snippet": {"config": {"headers": {"x-api-key": value}}}}
    if rule is None:
        assert from_mapping(data).snippet.config.get("headers").get("x-api-key") == value
        return
    with pytest.raises(SettingsError) as caught:
        from_mapping(data)
    assert str(caught.value).startswith("setting snippet.config.headers.x-api-key: ") and rule in str(caught.value)


@pytest.mark.parametrize("config,where", [
    ({"sessionAttributes": {"plan": "gold\x07"}}, "sessionAttributes.plan"),
    ({"applicationAttributes": {"team": "a\x1b[31m"}}, "applicationAttributes.team"),
    ({"interaction": {"events": [{"event": "click", "cssLocator": "#buy\x00"}]}}, "interaction.events"),
    ({"interaction": {"events": [{"event": "cl\u0085ick", "elementId": "buy"}]}}, "interaction.events"),
    ({"errors": {"ignore": ["a\x7fb"]}}, "errors.ignore"),
    ({"alias": "shop\x1b"}, "alias"),
])
def test_control_characters_in_nested_values_are_refused_as_the_readme_says(config, where):
    with pytest.raises(SettingsError) as caught:
        from_mapping({"snippet": {"config": config}})
    assert str(caught.value).startswith(f"setting snippet.config.{where}"), str(caught.value)
    assert "control characters" in str(caught.value)
