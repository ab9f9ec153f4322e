"""``[[budgets.segments]]``: budgets of one page, device type, browser, OS or country, or of two of them.

Each entry is a :class:`Segment`; the ``segments`` setting of ``[budgets]`` holds them as a tuple, so
settings stay frozen and hashable. A segment's vitals become extended metrics of the monitor (with its
dimensions in each event pattern), alarms, a dashboard row and rows of ``rumcfn budgets check``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Mapping

from rumcfn.config.rules import Budget as BudgetRule
from rumcfn.config.rules import Each, OneOf, Rule, Text, Value, fail
from rumcfn.config.section import Section, setting
from rumcfn.errors import SettingsError
from rumcfn.facts import BUDGET_METRICS, DEVICE_TYPES, SEGMENT_DIMENSIONS, VITAL_KEYS

#: How files and flags spell a budget that is off.
OFF = ("off", "none")
CLS = BudgetRule(most=1, most_rule="must be at most 1: CLS is unitless, not milliseconds")
#: A dimension value: CloudWatch takes 1-1024 characters (botocore cloudwatch model, DimensionValue) that "must
#: contain only ASCII characters" without control characters (Dimension.Value). Browsers send a page id as its
#: percent-encoded path, so /café arrives as /caf%C3%A9.
VALUE = Text(r"[!-~]([ -~]*[!-~])?", "must be 1-1024 ASCII characters without leading or trailing spaces (CloudWatch "
             "dimension values; write a page's non-ASCII path percent-encoded, as browsers send it)", max_length=1024,
             optional=True)
NAME = Text(r"[a-z0-9]+(-[a-z0-9]+)*", "must be 1-48 of a-z 0-9 in words joined by single hyphens", max_length=48,
            optional=True)
LEVEL_KEYS = Each(OneOf(VITAL_KEYS), unique=True)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Segment(Section):
    """One segment: which page, device type, browser, OS or country (one or two of them) and its budgets."""

    section = "budgets.segments"

    name: str = setting(
        "", "Names the segment's alarms and rows (empty: made from its values, e.g. checkout-mobile).", NAME
    )
    page: str = setting(
        "", "Page id as the web client sends it (the path by default), e.g. /checkout: dimension PageId.", VALUE
    )
    device: str = setting(
        "",
        f"Device type: {', '.join(DEVICE_TYPES)} (dimension DeviceType).",
        Text("|".join(DEVICE_TYPES), f"must be one of {', '.join(DEVICE_TYPES)}", optional=True),
    )
    browser: str = setting("", "Browser name as RUM reports it, e.g. Chrome (dimension BrowserName).", VALUE)
    os: str = setting("", "Operating system as RUM reports it, e.g. Android (dimension OSName).", VALUE)
    country: str = setting(
        "",
        "ISO 3166 two-letter country code, e.g. DE (dimension CountryCode).",
        Text(r"[A-Z]{2}", "must be an ISO 3166 two-letter code such as DE", optional=True),
    )
    lcp: Value = setting(None, "LCP budget of the segment, ms.", BudgetRule())
    cls: Value = setting(None, "CLS budget of the segment.", CLS)
    inp: Value = setting(None, "INP budget of the segment, ms.", BudgetRule())
    fid: Value = setting(None, "FID budget of the segment, ms.", BudgetRule())
    navigation: Value = setting(None, "Navigation duration budget of the segment, ms.", BudgetRule())
    warn: tuple = setting((), "Budgets of the segment that only warn in the gate.", LEVEL_KEYS)

    def check(self) -> None:
        given = [key for key in SEGMENT_DIMENSIONS if getattr(self, key)]
        fail(
            self.qualified("page"),
            1 <= len(given) <= 2,
            "a segment names one or two of page, device, browser, os, country",
            given,
        )
        fail(
            self.qualified("lcp"),
            bool(self.active()),
            f"a segment needs a budget: one of {', '.join(VITAL_KEYS)}",
            self.label(),
        )
        off = [key for key in self.warn if key not in self.active()]
        fail(self.qualified("warn"), not off, "names a budget the segment does not set", off)

    def dimensions(self) -> tuple[tuple[str, str], ...]:
        """(CloudWatch dimension, value) pairs, in the order of :data:`SEGMENT_DIMENSIONS`."""
        return tuple(
            (dimension, getattr(self, key)) for key, dimension in SEGMENT_DIMENSIONS.items() if getattr(self, key)
        )

    def label(self) -> str:
        """The segment's name: the setting, else its values made into words (``/checkout`` + mobile ->
        checkout-mobile; the page ``/`` is home)."""
        if self.name:
            return self.name
        parts = [
            slug(getattr(self, key)) or ("home" if key == "page" else key)
            for key in SEGMENT_DIMENSIONS
            if getattr(self, key)
        ]
        limit = (48 - len(parts) + 1) // len(parts)  # each value keeps its share of the 48 characters
        return "-".join(part[:limit].strip("-") for part in parts)

    def active(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in VITAL_KEYS if getattr(self, key) is not None}

    def level(self, key: str) -> str:
        return "warn" if key in self.warn else "fail"


def _segment(index: int, entry: Any) -> Segment:
    """One ``[[budgets.segments]]`` table as a :class:`Segment`; errors name the entry by its index."""
    if isinstance(entry, Segment):
        return entry
    where = f"budgets.segments[{index}]"
    fail(where, isinstance(entry, Mapping), "must be a table ([[budgets.segments]])", entry)
    known = [f.name for f in dataclasses.fields(Segment)]
    for key in entry:
        fail(f"{where}.{key}", key in known, f"is not a known setting (known: {', '.join(sorted(known))})", entry[key])
    values = {
        key: (None if key in BUDGET_METRICS and isinstance(value, str) and value.lower() in OFF else value)
        for key, value in entry.items()
    }
    try:
        return Segment(**values)
    except SettingsError as error:
        raise SettingsError(error.setting.replace("budgets.segments", where, 1), error.rule, error.value) from None


@dataclass(frozen=True)
class Segments(Rule):
    """The list of segments: each a valid :class:`Segment`; names and dimension values never repeat.
    (How many fit is a limit of the stack: metric definitions, alarms, resources; :mod:`rumcfn.stack` checks it.)"""

    def normalize(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return tuple(_segment(index, entry) for index, entry in enumerate(value))
        return value

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, tuple), "must be a list of [[budgets.segments]] tables", value)
        labels = [segment.label() for segment in value]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        fail(name, not twice, "must not repeat a segment name (set name = ... to tell them apart)", twice)
        logical = [logical_id(label) for label in labels]
        fail(name, len(set(logical)) == len(logical), "names must differ in more than their hyphens", labels)
        where = [segment.dimensions() for segment in value]
        same = [dict(w) for w in where if where.count(w) > 1]
        fail(name, not same, "must not repeat a segment's page, device, browser, os and country", same)


def logical_id(label: str) -> str:
    """``checkout-mobile`` -> ``CheckoutMobile`` (template logical ids are alphanumeric)."""
    return "".join(part.capitalize() for part in label.split("-"))
