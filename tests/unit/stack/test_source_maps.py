"""Source maps RUM can read: the bucket the stack creates, or the note for a bucket the user owns."""

from __future__ import annotations

import json

import pytest

from rumcfn.config import SettingsError, from_mapping
from rumcfn.contract import Outputs
from tests.support.variants import template_dict


def test_the_created_bucket_lets_only_this_monitor_read_it():
    template = template_dict(from_mapping({"monitor": {"source_maps_bucket": True}}))
    resources = template["Resources"]
    bucket = resources["SourceMaps"]
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    read, deny = resources["SourceMapsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert read["Principal"] == {"Service": "rum.amazonaws.com"}
    assert read["Action"] == ["s3:GetObject", "s3:ListBucket"]
    assert read["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert read["Condition"]["StringEquals"]["aws:SourceArn"] == {"Fn::Sub": [
        "arn:${AWS::Partition}:rum:${AWS::Region}:${AWS::AccountId}:appmonitor/${MonitorName}",
        {"MonitorName": "example-site"}]}
    assert deny["Sid"] == "DenyInsecureTransport" and deny["Effect"] == "Deny"
    monitor = resources["AppMonitor"]
    assert monitor["DependsOn"] == ["SourceMapsPolicy"]
    assert monitor["Properties"]["DeobfuscationConfiguration"] == {
        "JavaScriptSourceMaps": {"Status": "ENABLED", "S3Uri": {"Fn::Sub": "s3://${SourceMaps}/"}}}
    assert template["Outputs"][Outputs.SOURCE_MAPS_S3_URI]["Value"] == {"Fn::Sub": "s3://${SourceMaps}/"}


def test_an_existing_bucket_is_named_as_is():
    template = template_dict(from_mapping({"monitor": {"source_maps_s3_uri": "s3://maps-bucket/app/"}}))
    assert "SourceMaps" not in template["Resources"]
    assert template["Outputs"][Outputs.SOURCE_MAPS_S3_URI]["Value"] == "s3://maps-bucket/app/"
    assert Outputs.SOURCE_MAPS_S3_URI not in template_dict()["Outputs"]


def test_bucket_and_uri_are_one_or_the_other():
    with pytest.raises(
        SettingsError, match="monitor.source_maps_bucket: cannot be combined with monitor.source_maps_s3_uri"
    ):
        from_mapping({"monitor": {"source_maps_bucket": True, "source_maps_s3_uri": "s3://maps/app/"}})


def test_synth_prints_the_policy_for_an_existing_bucket_and_warns_without_a_release(run_cli, tmp_path):
    site = '[script]\nbucket = "shop-site"\n'
    (tmp_path / "rumcfn.toml").write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n'
                                          'source_maps_s3_uri = "s3://shop-maps/app/"\n' + site)
    done = run_cli("synth", "--config", "rumcfn.toml", "-o", "t.json")
    assert done.returncode == 0, done.stderr
    assert "snippet.release_id is empty" in done.stderr
    policy = json.loads(done.stderr[done.stderr.index("{") :])
    statement = policy["Statement"][0]
    assert statement["Resource"] == ["arn:aws:s3:::shop-maps", "arn:aws:s3:::shop-maps/*"]
    assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == "arn:aws:rum:REGION:ACCOUNT_ID:appmonitor/shop"
    assert json.loads((tmp_path / "t.json").read_text())["Resources"]["AppMonitor"]

    (tmp_path / "rumcfn.toml").write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n'
                                          'source_maps_bucket = true\n[snippet]\nrelease_id = "r1"\n' + site)
    quiet = run_cli("synth", "--config", "rumcfn.toml", "-o", "t.json")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_the_created_bucket_expires_replaced_versions_as_the_site_bucket_does():
    """Versioned with no lifecycle rule, every re-upload of a map would be kept forever (cfn-guard's
    S3_BUCKET_VERSIONING_ENABLED pairs with a lifecycle policy; cfripper flags it too)."""
    def rule(data):
        bucket = template_dict(from_mapping(data))["Resources"]["SourceMaps"]["Properties"]
        assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
        (only,) = bucket["LifecycleConfiguration"]["Rules"]
        return only

    assert rule({"monitor": {"source_maps_bucket": True}}) == {
        "Id": "ExpireReplacedVersions", "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}
    days = rule({"monitor": {"source_maps_bucket": True, "source_maps_noncurrent_version_days": 7}})
    assert days["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    with pytest.raises(SettingsError, match="monitor.source_maps_noncurrent_version_days: must be between 1"):
        from_mapping({"monitor": {"source_maps_bucket": True, "source_maps_noncurrent_version_days": 0}})
