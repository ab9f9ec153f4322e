"""Values that used to pass synth (exit 0, lint-clean) and fail at deploy, widen a permission or reach the
template as something that is not JSON: each is one SettingsError naming the setting, the rule and the value."""

from __future__ import annotations

import pytest

from rumcfn.config import (
    CanarySettings,
    MonitorSettings,
    ScriptSettings,
    Settings,
    SettingsError,
    from_mapping,
    with_overrides,
)

POOL = "us-east-1:1a1a1a1a-ffff-1111-9999-12345678abcd"
ROLE = "arn:aws:iam::123456789012:role/rum-guest"

HOSTILE = [
    # a setting never widens a permission: the writer role may write exactly one object
    ({"script": {"key": "*"}}, "script.key", "no * or ?"),
    ({"script": {"key": "js/*.js"}}, "script.key", "no * or ?"),
    ({"script": {"key": "rum?.js"}}, "script.key", "no * or ?"),
    ({"script": {"key": "../../rum.js"}}, "script.key", ".. segments"),
    ({"script": {"key": "js/./rum.js"}}, "script.key", ".. segments"),
    ({"script": {"key": "é" * 513}}, "script.key", "at most 1,024 bytes"),
    ({"script": {"cache_control": "max-age=300\r\nX-Injected: 1"}}, "script.cache_control", "control characters"),
    # the schedule Synthetics takes
    ({"canary": {"schedule": "cron(junk)"}}, "canary.schedule", "six-field"),
    ({"canary": {"schedule": "cron(0 12 * * * *)"}}, "canary.schedule", "one day field ?"),
    ({"canary": {"schedule": "rate(2 hours)"}}, "canary.schedule", "rate(1 hour)"),
    ({"canary": {"schedule": "rate(24 hours)"}}, "canary.schedule", "rate(1 hour)"),
    # tags
    ({"monitor": {"tags": {"team": "a\x00b"}}}, "monitor.tags", "tag values"),
    ({"monitor": {"tags": {"team": "line\nbreak"}}}, "monitor.tags", "tag values"),
    ({"monitor": {"tags": {"a\nb": "x"}}}, "monitor.tags", "control characters"),
    ({"monitor": {"tags": {"owner @": "x"}}}, "monitor.tags", "tag keys"),
    ({"monitor": {"tags": {"AWS:owner": "x"}}}, "monitor.tags", "not start with aws:"),
    ({"monitor": {"tags": {f"k{i}": "v" for i in range(51)}}}, "monitor.tags", "at most 50 entries"),
    ({"canary": {"tag_key": "bad key!"}}, "canary.tag_key", "tag keys"),
    ({"canary": {"tag_value": "a\x07b"}}, "canary.tag_value", "tag values"),
    ({"monitor": {"name": "m" * 200}}, "canary.tag_key", "must be set"),
    # ARNs and ids AWS would refuse
    ({"alarms": {"topic_arn": "arn:awsfoo:sns:us-east-1:123456789012:alerts"}}, "alarms.topic_arn", "SNS topic ARN"),
    ({"alarms": {"topic_arn": "arn:aws:sns:us-east-1:123456789012:alertés"}}, "alarms.topic_arn", "SNS topic ARN"),
    ({"auth": {"identity_pool_id": "_:-", "guest_role_arn": ROLE}}, "auth.identity_pool_id", "identity pool id"),
    ({"auth": {"identity_pool_id": "1" * 510, "guest_role_arn": ROLE}}, "auth.identity_pool_id", "identity pool id"),
    ({"auth": {"identity_pool_id": POOL, "guest_role_arn": "arn:awsfoo:iam::123456789012:role/r"}},
     "auth.guest_role_arn", "IAM role ARN"),
    ({"monitor": {"name": "shop/prod"}}, "monitor.name", "no leading dot"),
    ({"monitor": {"name": ".hidden"}}, "monitor.name", "no leading dot"),
    # lengths and counts
    ({"description": "é" * 513}, "description", "1,024 bytes"),
    ({"monitor": {"excluded_pages": [f"https://www.example.com/{i}" for i in range(51)]}}, "monitor.excluded_pages",
     "0 to 50 pages"),
    # what cannot exist
    ({"snippet": {"client_version": "0.0.0"}}, "snippet.client_version", "version such as 3.2.1"),
    ({"snippet": {"client_version": "03.2.1"}}, "snippet.client_version", "version such as 3.2.1"),
    ({"snippet": {"client_url": "https://cdn.example.com:99999/cwr.js"}}, "snippet.client_url", "http(s) URL"),
    ({"canary": {"url": "https://-/"}}, "canary.url", "http(s) URL"),
    # S3 bucket naming rules
    ({"script": {"bucket": "192.168.1.1"}}, "script.bucket", "bucket naming rules"),
    ({"script": {"bucket": "site..bucket", "create_bucket": True}}, "script.bucket", "bucket naming rules"),
    ({"script": {"bucket": "xn--site"}}, "script.bucket", "bucket naming rules"),
    ({"script": {"bucket": "sthree-site"}}, "script.bucket", "bucket naming rules"),
    ({"script": {"bucket": "site--ol-s3"}}, "script.bucket", "bucket naming rules"),
    ({"script": {"bucket": "site.mrap"}}, "script.bucket", "bucket naming rules"),
    ({"script": {"bucket": "site--x-s3"}}, "script.bucket", "bucket naming rules"),
    ({"canary": {"artifacts_bucket": "my.artifacts"}}, "canary.artifacts_bucket", "without periods"),
    ({"monitor": {"source_maps_s3_uri": "s3://192.168.1.1/maps"}}, "monitor.source_maps_s3_uri", "S3 URI"),
    # PutMetricAlarm: Period x EvaluationPeriods <= 86,400 s
    ({"budgets": {"period": 3600, "evaluation_periods": 25}}, "budgets.evaluation_periods", "86,400"),
    # numbers JSON cannot hold, and booleans, are not numbers
    ({"budgets": {"lcp": float("inf")}}, "budgets.lcp", "positive number"),
    ({"budgets": {"inp": float("nan")}}, "budgets.inp", "positive number"),
    ({"budgets": {"cls": True}}, "budgets.cls", "positive number"),
    ({"monitor": {"session_sample_rate": float("nan")}}, "monitor.session_sample_rate", "finite number"),
    ({"script": {"service_timeout": 5.5}}, "script.service_timeout", "whole number"),
    ({"script": {"log_retention_days": True}}, "script.log_retention_days", "one of 1, 3, 5"),
]


@pytest.mark.parametrize("data, setting, rule", HOSTILE, ids=[f"{h[1]}-{i}" for i, h in enumerate(HOSTILE)])
def test_hostile_values_are_one_line_naming_setting_and_rule(data, setting, rule):
    with pytest.raises(SettingsError) as caught:
        from_mapping(data)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"setting {setting}:"), message
    assert rule in message, message


@pytest.mark.parametrize("build, setting, rule", [
    (lambda: from_mapping(None), "settings", "table of sections"),
    (lambda: Settings(monitor={"name": "x"}), "monitor", "must be a MonitorSettings"),
    (lambda: MonitorSettings(domains="www.example.com"), "monitor.domains", "must be a list"),
    (lambda: with_overrides(Settings(), {"monitor.name": 42}), "monitor.name", "must be a string"),
    (lambda: MonitorSettings(session_sample_rate="0.5"), "monitor.session_sample_rate", "finite number"),
    (lambda: CanarySettings(timeout_seconds=True), "canary.timeout_seconds", "whole number"),
    (lambda: ScriptSettings(service_timeout=5.5), "script.service_timeout", "whole number"),
    (lambda: MonitorSettings(tags=[("a", 1)]), "monitor.tags", "tag values"),
])
def test_the_python_api_answers_wrong_types_with_a_settings_error(build, setting, rule):
    with pytest.raises(SettingsError) as caught:
        build()
    assert str(caught.value).startswith(f"setting {setting}:") and rule in str(caught.value), str(caught.value)


def test_the_python_api_takes_the_natural_spellings():
    monitor = MonitorSettings(tags={"team": "web"}, domains=["www.example.com"], session_sample_rate=1)
    assert monitor.tags == (("team", "web"),) and monitor.domains == ("www.example.com",)
    assert monitor.session_sample_rate == 1.0 and isinstance(monitor.session_sample_rate, float)


@pytest.mark.parametrize("schedule", ["rate(1 minute)", "rate(60 minutes)", "rate(1 hour)", "rate(0 minutes)",
                                      "cron(0 12 * * ? *)", "cron(0/15 8-17 ? * MON-FRI *)", "cron(0 3 L * ? *)"])
def test_schedules_synthetics_takes_are_accepted(schedule):
    assert from_mapping({"canary": {"schedule": schedule}}).canary.schedule == schedule


def test_release_metrics_from_release_ids_need_the_snippet_to_send_one():
    """Per-release metrics keyed on aws:releaseId are empty unless the client sends a releaseId."""
    with pytest.raises(SettingsError) as caught:
        from_mapping({"budgets": {"release_namespace": "shop/releases"}})
    assert str(caught.value).startswith("setting snippet.release_id: must be set")
    assert from_mapping({"budgets": {"release_namespace": "shop/releases"}, "snippet": {"release_id": "r1"}})
    assert from_mapping({"budgets": {"release_namespace": "shop/releases", "release_source": "app_version"}})
