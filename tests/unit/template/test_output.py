"""Template text: readable JSON when it fits inline, compact JSON when readability would cost the inline deploy."""

from __future__ import annotations

import json

import pytest
from troposphere import Tags, Template, sns

from rumcfn.facts import INLINE_LIMIT
from rumcfn.template.output import to_json


def template_of(size: int) -> Template:
    """A template of about ``size`` bytes of readable JSON: topics with long display names."""
    template = Template()
    for index in range(size // 1200 + 1):
        template.add_resource(sns.Topic(f"Topic{index}", DisplayName="x" * 90,
                                        Tags=Tags(**{f"k{n}": "v" * 10 for n in range(20)})))
    return template


def test_a_template_that_fits_is_indented_for_people():
    text = to_json(template_of(10_000))
    assert text.startswith('{\n "Resources": {\n  "Topic0": {')
    assert len(text.encode()) <= INLINE_LIMIT


def test_a_template_too_big_when_indented_is_written_compact_and_says_the_same():
    template = template_of(60_000)
    readable = json.dumps(template.to_dict(), indent=1, ensure_ascii=False) + "\n"
    assert len(readable.encode()) > INLINE_LIMIT  # the case under test
    text = to_json(template)
    assert "\n" not in text.rstrip("\n") and len(text.encode()) < len(readable.encode())
    assert json.loads(text) == json.loads(readable)


def test_numbers_that_are_not_json_never_reach_the_text():
    template = Template()
    template.add_resource(sns.Topic("T", DisplayName="t")).properties["DisplayName"] = float("inf")
    with pytest.raises(ValueError):
        to_json(template)
