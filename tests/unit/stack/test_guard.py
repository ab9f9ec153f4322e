"""A value rumcfn's own rules let through but one of troposphere's validators refuses still ends as one line
naming the setting (never troposphere's traceback, nor the line it writes to stderr first); anything that is
not a validator's refusal is left alone."""

from __future__ import annotations

import pytest
from troposphere import s3

from rumcfn.config import SettingsError, from_mapping
from rumcfn.stack.assemble import build_template

SITE = {"script": {"bucket": "shop-site", "create_bucket": True}}


@pytest.fixture
def strict_bucket_validator(monkeypatch):
    """A troposphere validator stricter than rumcfn's rule (as troposphere's own can be)."""

    def refuse(name):
        if name == "shop-site":
            raise ValueError(f"{name} is not a valid s3 bucket name")
        return name

    monkeypatch.setitem(s3.Bucket.props, "BucketName", (refuse, False))


def test_a_validator_refusal_names_the_setting_it_came_from(strict_bucket_validator, capsys):
    with pytest.raises(SettingsError) as raised:
        build_template(from_mapping(SITE))
    assert raised.value.setting == "script.bucket" and raised.value.value == "shop-site"
    assert str(raised.value) == ("setting script.bucket: is refused by troposphere's check of "
                                 "SiteBucket.BucketName (shop-site is not a valid s3 bucket name), but got 'shop-site'")
    assert capsys.readouterr().err == ""  # troposphere's own "function validator ... threw exception" line is gone


def test_a_refused_value_that_no_setting_holds_is_a_one_line_build_failure(monkeypatch, capsys):
    """rumcfn's own constant refused: not the user's input, so exit 1 and the place it happened, not a setting."""
    from troposphere import awslambda

    from rumcfn.stack.guard import BuildFailed

    def refuse(runtime):
        raise ValueError(f"unknown runtime {runtime}")

    monkeypatch.setitem(awslambda.Function.props, "Runtime", (refuse, False))
    with pytest.raises(BuildFailed) as raised:
        build_template(from_mapping(SITE))
    assert raised.value.exit_code == 1 and "\n" not in str(raised.value)
    assert str(raised.value).startswith("troposphere refused RumScriptFunction.Runtime (unknown runtime python3.")
    assert capsys.readouterr().err == ""


def test_a_failure_that_is_not_a_validators_refusal_is_not_disguised(monkeypatch):
    import rumcfn.stack.assemble as stack

    def broken(*args, **kwargs):
        raise ValueError("a bug in rumcfn")

    monkeypatch.setattr(stack, "add_outputs", broken)
    with pytest.raises(ValueError, match="a bug in rumcfn"):
        build_template(from_mapping(SITE))


def test_the_line_troposphere_writes_is_kept_when_nothing_is_refused(capsys):
    build_template(from_mapping(SITE))
    assert capsys.readouterr().err == ""
