"""Settings: documented defaults, one-line errors naming setting, rule and value, TOML loading."""

from __future__ import annotations

import dataclasses

import pytest
from troposphere import Ref

from rumcfn.config import SECTIONS, Settings, SettingsError, from_mapping, load, reference, with_overrides

POOL = "us-east-1:1a1a1a1a-ffff-1111-9999-12345678abcd"

BAD = [
    ({"monitor": {"name": "my site!"}}, "monitor.name", "^(?!\\.)[\\.\\-_#A-Za-z0-9]+$", "my site!"),
    ({"monitor": {"name": "x" * 256}}, "monitor.name", "1 to 255", "x" * 256),
    (
        {"monitor": {"domains": [f"d{i}.example.com" for i in range(6)]}},
        "monitor.domains",
        "1 to 5 domains, but has 6",
        "d5.example.com",
    ),
    ({"monitor": {"domains": []}}, "monitor.domains", "1 to 5 domains, but has 0", "[]"),
    ({"monitor": {"domains": ["https://www.example.com"]}}, "monitor.domains", "host name", "https://www.example.com"),
    ({"monitor": {"domains": ["ex ample.com"]}}, "monitor.domains", "host name", "ex ample.com"),
    ({"monitor": {"session_sample_rate": 1.5}}, "monitor.session_sample_rate", "between 0 and 1", "1.5"),
    ({"monitor": {"session_sample_rate": -0.1}}, "monitor.session_sample_rate", "between 0 and 1", "-0.1"),
    ({"monitor": {"session_sample_rate": "half"}}, "monitor.session_sample_rate", "number", "half"),
    (
        {"monitor": {"telemetries": ["errors", "replay"]}},
        "monitor.telemetries",
        "one of errors, performance, http",
        "replay",
    ),
    ({"monitor": {"telemetries": ["http", "http"]}}, "monitor.telemetries", "repeat", "http"),
    ({"monitor": {"nmae": "typo"}}, "monitor.nmae", "not a known setting", "typo"),
    ({"montor": {}}, "montor", "not a known setting", "{}"),
    ({"monitor": {"allow_cookies": "yes"}}, "monitor.allow_cookies", "true or false", "yes"),
    ({"monitor": {"domains": "www.example.com"}}, "monitor.domains", "must be a list", "www.example.com"),
    ({"monitor": {"tags": {"aws:owner": "x"}}}, "monitor.tags", "not start with aws:", "aws:owner"),
    ({"monitor": {"source_maps_s3_uri": "maps-bucket/app"}}, "monitor.source_maps_s3_uri", "S3 URI", "maps-bucket/app"),
    ({"monitor": {"extended_metrics": ["LCP"]}}, "monitor.extended_metrics", "one of", "LCP"),
    (
        {"monitor": {"included_pages": ["https://a.example.com/x"], "excluded_pages": ["https://a.example.com/y"]}},
        "monitor.excluded_pages",
        "cannot be combined",
        "https://a.example.com/y",
    ),
    ({"monitor": {"excluded_pages": ["/admin"]}}, "monitor.excluded_pages", "full page URLs", "/admin"),
    ({"auth": {"mode": "iam"}}, "auth.mode", "one of cognito, resource-policy", "iam"),
    ({"auth": {"identity_pool_id": POOL}}, "auth.identity_pool_id", "together with auth.guest_role_arn", POOL),
    ({"auth": {"restrict_referer": True}}, "auth.restrict_referer", "resource-policy mode only", "True"),
    ({"script": {"bucket": "My_Bucket"}}, "script.bucket", "S3 bucket name", "My_Bucket"),
    ({"script": {"key": "/rum.js"}}, "script.key", "must not start with /", "/rum.js"),
    ({"script": {"log_retention_days": 10}}, "script.log_retention_days", "one of 1, 3, 5", "10"),
    ({"snippet": {"client_version": "latest"}}, "snippet.client_version", "version such as 3.2.1", "latest"),
    ({"snippet": {"endpoint": "ftp://proxy"}}, "snippet.endpoint", "http(s) URL", "ftp://proxy"),
    # the client strips one trailing slash from the endpoint's path, the canary's interception every one
    ({"snippet": {"endpoint": "https://rum.example.com//"}}, "snippet.endpoint", "no empty segments", "com//"),
    ({"snippet": {"endpoint": "https://rum.example.com/rum//"}}, "snippet.endpoint", "no empty segments", "rum//"),
    ({"snippet": {"endpoint": "https://rum.example.com/a//b"}}, "snippet.endpoint", "no empty segments", "a//b"),
    ({"snippet": {"endpoint": "https://rum.example.com/a?b=1"}}, "snippet.endpoint", "no query", "?b=1"),
    # RUM's JavaScriptSourceMaps.S3Uri pattern (botocore rum model, DeobfuscationS3Uri)
    ({"monitor": {"source_maps_s3_uri": "s3://maps/a+b"}}, "monitor.source_maps_s3_uri", "S3 URI", "a+b"),
    ({"monitor": {"source_maps_s3_uri": "s3://maps/a~b"}}, "monitor.source_maps_s3_uri", "S3 URI", "a~b"),
    ({"monitor": {"source_maps_s3_uri": "s3://maps/a%20b"}}, "monitor.source_maps_s3_uri", "S3 URI", "a%20b"),
    ({"monitor": {"source_maps_s3_uri": "s3://maps//app"}}, "monitor.source_maps_s3_uri", "S3 URI", "maps//app"),
    ({"monitor": {"source_maps_s3_uri": "s3://maps/app//"}}, "monitor.source_maps_s3_uri", "S3 URI", "app//"),
    ({"monitor": {"source_maps_s3_uri": "s3://maps/" + "a" * 1015}}, "monitor.source_maps_s3_uri", "1,024", "aaa"),
    ({"budgets": {"lcp": 0}}, "budgets.lcp", "positive number", "0"),
    ({"budgets": {"cls": 100}}, "budgets.cls", "not milliseconds", "100"),
    ({"budgets": {"statistic": "p999"}}, "budgets.statistic", "pNN", "p999"),
    (
        {"canary": {"schedule": "every 5 minutes"}},
        "canary.schedule",
        "rate(1 minute) to rate(1 hour)",
        "every 5 minutes",
    ),
    ({"monitor": {"name": "Shop.Prod"}, "canary": {"name": "Shop"}}, "canary.name", "^[0-9a-z_\\-]{1,255}$", "Shop"),
    ({"alarms": {"email": "ops"}}, "alarms.email", "e-mail address", "ops"),
    (
        {"canary": {"artifacts_bucket": "their-bucket", "empty_artifacts_on_delete": True}},
        "canary.empty_artifacts_on_delete",
        "only a bucket rumcfn creates",
        "True",
    ),
    ({"canary": {"empty_artifacts_on_delete": "yes"}}, "canary.empty_artifacts_on_delete", "true or false", "yes"),
]


@pytest.mark.parametrize("data,setting,rule,value", BAD, ids=[b[1] + ":" + b[3][:20] for b in BAD])
def test_bad_input_names_setting_rule_and_value(data, setting, rule, value):
    with pytest.raises(SettingsError) as caught:
        from_mapping(data)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"setting {setting}:"), message
    assert rule in message
    assert value in message


def test_defaults_are_the_built_in_example():
    s = Settings()
    assert s.monitor.name == "example-site"
    assert s.monitor.telemetries == ("errors", "performance", "http")
    assert s.auth.mode == "cognito"
    assert s.budgets.active() == {"lcp": 2500, "cls": 0.1, "inp": 200}


def test_every_setting_documents_itself():
    for section in SECTIONS.values():
        for f in dataclasses.fields(section):
            assert f.metadata.get("doc"), f"{section.name}.{f.name}"


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().monitor.name = "x"  # type: ignore[misc]


def test_toml_file_round_trip(tmp_path):
    path = tmp_path / "rumcfn.toml"
    path.write_text(
        '[monitor]\nname = "shop"\ndomains = ["shop.example.com", "*.shop.example.com"]\n'
        'session_sample_rate = 0.25\n[monitor.tags]\nteam = "web"\n'
        '[auth]\nmode = "resource-policy"\n[budgets]\nlcp = 3000\ncls = "off"\n'
    )
    s = load(path)
    assert s.monitor.name == "shop"
    assert s.monitor.domains == ("shop.example.com", "*.shop.example.com")
    assert s.monitor.session_sample_rate == 0.25
    assert s.monitor.tags == (("team", "web"),)
    assert s.auth.mode == "resource-policy"
    assert s.budgets.active() == {"lcp": 3000, "inp": 200}


def test_toml_errors_are_one_line(tmp_path):
    path = tmp_path / "rumcfn.toml"
    path.write_text("[monitor\nname = 1\n")
    with pytest.raises(SettingsError, match="must be valid TOML"):
        load(path)
    with pytest.raises(SettingsError, match="readable TOML file"):
        load(tmp_path / "missing.toml")


def test_overrides_go_through_the_same_checks():
    s = with_overrides(Settings(), {"monitor.name": "shop", "auth.mode": "resource-policy", "dashboard": False})
    assert (s.monitor.name, s.auth.mode, s.dashboard) == ("shop", "resource-policy", False)
    with pytest.raises(SettingsError, match="monitor.session_sample_rate"):
        with_overrides(Settings(), {"monitor.session_sample_rate": 7})


def test_refs_pass_through_unchecked():
    """A parameter cannot be checked at build time; CloudFormation checks it with AllowedPattern."""
    s = with_overrides(Settings(), {"monitor.name": Ref("AppMonitorName"), "canary.name": "c"})
    assert isinstance(s.monitor.name, Ref)


def test_reference_lists_every_setting_with_its_default():
    table = reference()
    for name, section in SECTIONS.items():
        for f in dataclasses.fields(section):
            assert f"| `{name}.{f.name}` |" in table
    assert '| `monitor.name` | `"example-site"` |' in table
    assert "| `budgets.fid` | `off` |" in table


def test_a_config_that_is_not_a_regular_file_is_refused_without_reading_it(tmp_path):
    """--config /dev/zero or a FIFO used to read forever."""
    import os

    fifo = tmp_path / "settings.fifo"
    os.mkfifo(fifo)
    with pytest.raises(SettingsError, match="must be a regular TOML file"):
        load(fifo)
    with pytest.raises(SettingsError, match="must be a regular TOML file"):
        load(tmp_path)


def test_a_config_larger_than_any_settings_file_is_refused(tmp_path):
    path = tmp_path / "rumcfn.toml"
    path.write_text("# padding\n" * 120_000)
    with pytest.raises(SettingsError, match="at most 1 MiB"):
        load(path)


@pytest.mark.parametrize("endpoint", ["https://rum.example.com", "https://rum.example.com/", "http://127.0.0.1:9000",
                                      "https://rum.example.com/collect", "https://rum.example.com/a/b/"])
def test_endpoints_the_client_and_the_canary_read_alike_are_accepted(endpoint):
    assert from_mapping({"snippet": {"endpoint": endpoint}}).snippet.endpoint == endpoint


@pytest.mark.parametrize("uri", ["s3://maps", "s3://maps/", "s3://maps/app", "s3://maps/app/",
                                 "s3://maps/a/b-c_d!e*f'g(h).i/", "s3://maps/" + "a" * 1014])
def test_source_map_uris_rum_takes_are_accepted(uri):
    assert from_mapping({"monitor": {"source_maps_s3_uri": uri}}).monitor.source_maps_s3_uri == uri
