"""``[snippet.config]``: the web client's options in its own names, each checked by the option table."""

from __future__ import annotations

import re

import pytest

from rumcfn.config import Settings, SettingsError, from_mapping, load, with_overrides
from rumcfn.config.client_options import CLIENT_OPTIONS, DERIVED, JAVASCRIPT_ONLY, TELEMETRY_OPTIONS, FrozenMap

DOCS = "docs/configuration.md of aws-rum-web 3.2.1"


def snippet(config: dict, **snippet_settings) -> dict:
    return {"snippet": {"config": config, **snippet_settings}}


BAD = [
    ({"pageIdFormat": "QUERY"}, "pageIdFormat", "must be one of PATH, HASH, PATH_AND_HASH", "QUERY"),
    ({"sessionEventLimit": -1}, "sessionEventLimit", "must be at least 0", "-1"),
    ({"sessionEventLimit": 2.5}, "sessionEventLimit", "whole number", "2.5"),
    ({"batchLimit": 0}, "batchLimit", "must be at least 1", "0"),
    ({"disableAutoPageView": "yes"}, "disableAutoPageView", "true or false", "yes"),
    ({"alias": ""}, "alias", "1-255 characters", "''"),
    ({"cookieAttributes": {"sameSite": "lax"}}, "cookieAttributes.sameSite", "one of Strict, Lax, None", "lax"),
    (
        {"cookieAttributes": {"expires": 3}},
        "cookieAttributes.expires",
        "known: domain, path, sameSite, secure, unique",
        "3",
    ),
    ({"cookieAttributes": {"path": "m/"}}, "cookieAttributes.path", "starting with /", "m/"),
    (
        {"cookieAttributes": {"sameSite": "None", "secure": False}},
        "cookieAttributes.sameSite",
        "needs secure = true",
        "None",
    ),
    ({"sessionAttributes": {"aws:plan": "x"}}, "sessionAttributes.aws:plan", "not start with aws:", "aws:plan"),
    ({"sessionAttributes": {"pageTags": "x"}}, "sessionAttributes.pageTags", "pageTags", "pageTags"),
    ({"sessionAttributes": {"plan": "x" * 257}}, "sessionAttributes.plan", "at most 256 characters", "xxx"),
    ({"sessionAttributes": {"plan": [1]}}, "sessionAttributes.plan", "a number or true/false", "[1]"),
    (
        {"sessionAttributes": {f"k{i}": i for i in range(11)}},
        "sessionAttributes",
        "at most 10 attributes, but has 11",
        "k10",
    ),
    (
        {"routeChangeComplete": 500, "routeChangeTimeout": 400},
        "routeChangeComplete",
        "less than routeChangeTimeout (400)",
        "500",
    ),
    ({"headers": {"x api": "1"}}, "headers.x api", "HTTP header name", "x api"),
    ({"http": {"urlsToExclude": ["("]}}, "http.urlsToExclude", "JavaScript accepts (unterminated group)", "("),
    ({"http": {"urlsToExclude": "/health"}}, "http.urlsToExclude", "list of regular expressions over URLs", "/health"),
    ({"http": {"urlsToInclude": ["(?P<x>a)"]}}, "http.urlsToInclude", "JavaScript accepts (invalid group)", "(?P<x>a)"),
    ({"http": {"recordAll": True}}, "http.recordAll", "(did you mean snippet.config.http.recordAllRequests?)", "True"),
    ({"performance": {"recordAllTypes": ["video"]}}, "performance.recordAllTypes", "one of other, stylesheet", "video"),
    ({"errors": {"stackTraceLength": -5}}, "errors.stackTraceLength", "at least 0", "-5"),
    (
        {"interaction": {"events": [{"event": "click"}]}},
        "interaction.events",
        "exactly one of cssLocator or elementId",
        "click",
    ),
    (
        {"interaction": {"events": [{"event": "click", "element": "document"}]}},
        "interaction.events",
        "element needs JavaScript",
        "document",
    ),
    ({"replay": {"additionalSampleRate": 2}}, "replay.additionalSampleRate", "between 0 and 1", "2"),
    ({"sampleRate": 1}, "sampleRate", "(did you mean snippet.config.sessionSampleRate?)", "1"),
    ({"zzz": 1}, "zzz", "not a known setting (known: alias, allowCookies, applicationAttributes", "1"),
]


@pytest.mark.parametrize("config,option,rule,value", BAD, ids=[b[1] for b in BAD])
def test_a_bad_option_is_one_line_naming_option_rule_and_value(config, option, rule, value):
    with pytest.raises(SettingsError) as caught:
        from_mapping(snippet(config))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"setting snippet.config.{option}: "), message
    assert rule in message and value in message


@pytest.mark.parametrize("key", sorted(DERIVED))
def test_options_rumcfn_derives_name_the_setting_to_use(key):
    with pytest.raises(SettingsError) as caught:
        from_mapping(snippet({key: 1}))
    assert f"is set by rumcfn from {DERIVED[key]}; set that instead" in str(caught.value)


@pytest.mark.parametrize("key", sorted(JAVASCRIPT_ONLY))
def test_javascript_only_options_say_why_and_what_instead(key):
    config = {"interaction": {key: "x"}} if key == "interactionId" else {key: "x"}
    with pytest.raises(SettingsError) as caught:
        from_mapping(snippet(config))
    assert key in str(caught.value)


def test_javascript_only_keys_inside_a_telemetry_table_are_refused():
    with pytest.raises(
        SettingsError, match=r"snippet.config.interaction.interactionId: is not a known interaction option"
    ):
        from_mapping(snippet({"interaction": {"interactionId": "x"}}))


def test_an_option_newer_than_the_pinned_client_is_refused():
    with pytest.raises(SettingsError) as caught:
        from_mapping(snippet({"sessionAttributes": {"a": 1}, "applicationAttributes": {"b": 2}},
                             client_version="2.1.0"))
    assert str(caught.value) == (
        "setting snippet.config.applicationAttributes: needs web client 3.1.0 or later "
        "(snippet.client_version is 2.1.0), but got {'b': 2}"
    )
    with pytest.raises(SettingsError, match="snippet.config.replay: needs web client 3.0.0"):
        from_mapping(snippet({"replay": {}}, client_version="2.1.0"))
    with pytest.raises(SettingsError, match="snippet.config.candidatesCacheSize: needs web client 1.23.0"):
        from_mapping(snippet({"candidatesCacheSize": 10}, client_version="1.22.1"))
    with pytest.raises(SettingsError, match="snippet.config.performance.ignore: needs web client 1.14.0"):
        from_mapping(snippet({"performance": {"ignore": ["x"]}}, client_version="1.13.7"))


#: Options the 2.1.0 client's own ``Config`` type declares (aws-rum-web v2.1.0, src/orchestration/Orchestration.ts).
IN_2_1_0 = {"candidatesCacheSize": 10, "useBeacon": False, "userIdRetentionDays": 7, "batchLimit": 50,
            "eventCacheSize": 100, "sessionLengthSeconds": 900, "sessionAttributes": {"plan": "pro"},
            "compressionStrategy": {"enabled": True}, "cookieAttributes": {"unique": True},
            "performance": {"ignore": ["\\.gif$"]}}


@pytest.mark.parametrize("key", sorted(IN_2_1_0))
def test_options_the_2_x_client_has_are_accepted_for_it(key):
    settings = from_mapping(snippet({key: IN_2_1_0[key]}, client_version="2.1.0"))
    assert key in settings.snippet.config.keys()


def installed_types() -> str:
    """The TypeScript declarations of the installed (pinned) client: aws-rum-web and @aws-rum/web-core."""
    from tests.support import ROOT

    return "\n".join(p.read_text() for package in ("aws-rum-web", "@aws-rum/web-core")
                     for p in sorted((ROOT / "node_modules" / package / "dist" / "es").rglob("*.d.ts")))


def declared_keys(types: str, name: str) -> set[str]:
    keys = set()
    for body in re.findall(rf"(?:interface {name}(?: extends \w+)? |type {name} = )\{{(.*?)\n\}}", types, re.S):
        keys.update(re.findall(r"^    ([A-Za-z][A-Za-z0-9]*)\??:", body, re.M))
    return keys


def test_every_option_is_declared_by_the_pinned_clients_own_types():
    types = installed_types()
    config = declared_keys(types, "Config")
    assert set(CLIENT_OPTIONS) <= config and set(DERIVED) <= config | {"telemetries"}
    assert set(CLIENT_OPTIONS["cookieAttributes"].rule.options) <= declared_keys(types, "CookieAttributes")
    plugins = {"errors": "JsErrorPluginConfig", "performance": "PerformancePluginConfig", "http": "HttpPluginConfig",
               "interaction": "DomEventPluginConfig", "replay": "RRWebPluginConfig"}
    for telemetry, type_name in plugins.items():
        assert set(TELEMETRY_OPTIONS[telemetry]) <= declared_keys(types, type_name), telemetry


def test_telemetry_tables_need_the_telemetry_and_xray_options_need_xray():
    with pytest.raises(
        SettingsError, match=r"snippet.config.performance: configures a telemetry the monitor leaves out"
    ):
        from_mapping({"monitor": {"telemetries": ["errors"]}, **snippet({"performance": {"eventLimit": 5}})})
    for config in ({"http": {"addXRayTraceIdHeader": True}}, {"enableW3CTraceId": True}):
        with pytest.raises(SettingsError, match="has no effect unless monitor.enable_xray is true"):
            from_mapping(snippet(config))
    settings = from_mapping(
        {
            "monitor": {"enable_xray": True},
            **snippet({"enableW3CTraceId": True, "http": {"addXRayTraceIdHeader": ["^/api/"]}}),
        }
    )
    assert settings.snippet.config.get("enableW3CTraceId") is True


def test_every_option_in_the_table_has_a_rule_and_a_version():
    for name, option in [
        *CLIENT_OPTIONS.items(),
        *((f"{t}.{k}", o) for t, opts in TELEMETRY_OPTIONS.items() for k, o in opts.items()),
    ]:
        assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", option.since), name
        assert option.rule is not None, name
    assert not set(CLIENT_OPTIONS) & set(DERIVED) and not set(CLIENT_OPTIONS) & set(JAVASCRIPT_ONLY)


def test_a_toml_table_is_kept_frozen_sorted_and_hashable(tmp_path):
    path = tmp_path / "rumcfn.toml"
    path.write_text("""
[snippet]
release_id = "2026.12.02-1"
[snippet.config]
sessionEventLimit = 0
cookieAttributes = { sameSite = "Lax", path = "/" }
[snippet.config.http]
urlsToExclude = ["/health$"]
""")
    settings = load(path)
    assert isinstance(settings.snippet.config, FrozenMap)
    assert settings.snippet.config.keys() == ["cookieAttributes", "http", "sessionEventLimit"]
    assert settings.snippet.config.as_dict()["http"] == {"urlsToExclude": ["/health$"]}
    assert hash(settings) == hash(load(path))
    again = with_overrides(settings, {"snippet.app_version": "2.0.0"})  # a frozen table survives overrides
    assert again.snippet.config == settings.snippet.config


@pytest.mark.parametrize("release", ["v 1", "x" * 201, "rel#1"])
def test_release_id_follows_aws_rule(release):
    with pytest.raises(SettingsError, match=r"snippet.release_id: must be 1-200 of letters, digits and _ - : / \."):
        from_mapping({"snippet": {"release_id": release}})


def test_defaults_set_no_client_option():
    assert Settings().snippet.config == FrozenMap() and Settings().snippet.release_id == ""
