"""Rule primitives: what one value must be.

A rule checks a literal and lets a CloudFormation function (``Ref`` to a template parameter) pass,
because that can only be checked by CloudFormation. The same rule object describes itself as
Parameter constraints (``AllowedPattern``, ``MinValue`` ...), so ``--parameters`` mode and literal
validation share one definition.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from troposphere import AWSHelperFn

from rumcfn.errors import SettingsError

#: A setting value: a literal, or a CloudFormation function such as ``Ref(parameter)``.
Value = Any


def is_literal(value: Any) -> bool:
    """True unless ``value`` is a CloudFormation function, which cannot be checked at build time."""
    return not isinstance(value, AWSHelperFn)


def fail(name: str, ok: bool, rule: str, value: Any) -> None:
    """Raise the one-line error for ``name`` unless ``ok``."""
    if not ok:
        raise SettingsError(name, rule, value)


def is_number(value: Any) -> bool:
    """An int or float that is not a bool (``True`` is never a number here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: Control characters (C0, DEL, C1): no setting may carry one (a CR in a header value is header injection).
CONTROL = r"[\x00-\x1f\x7f-\x9f]"


class Rule:
    """What a value must be. Subclasses implement :meth:`_check`; literals only reach it."""

    def check(self, name: str, value: Any) -> None:
        if is_literal(value):
            self._check(name, value)

    def _check(self, name: str, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def normalize(self, value: Any) -> Any:
        """The stored form of a value (lists become tuples); the default keeps it."""
        return value

    def parameter(self) -> dict[str, Any]:
        """CloudFormation ``Parameter`` constraints that say the same as this rule."""
        return {}


@dataclass(frozen=True)
class Text(Rule):
    """A string matching ``pattern`` (whole string) within the length limits; ``optional``: "" means unset."""

    pattern: str
    rule: str
    min_length: int = 0
    max_length: int | None = None
    optional: bool = False
    summary: str = ""  # ConstraintDescription of a parameter built from this rule
    max_bytes: int | None = None  # a limit AWS counts in bytes of UTF-8, not characters

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, str), self.rule if value is None else "must be a string", value)
        if self.optional and value == "":
            return
        fail(name, re.search(CONTROL, value) is None, "must not contain control characters", value)
        ok = re.fullmatch(self.pattern, value) is not None and len(value) >= self.min_length
        ok = ok and (self.max_length is None or len(value) <= self.max_length)
        fail(name, ok and (self.max_bytes is None or len(value.encode("utf-8")) <= self.max_bytes), self.rule, value)

    def parameter(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.min_length and not self.optional:
            result["MinLength"] = self.min_length
        if self.max_length is not None:
            result["MaxLength"] = self.max_length
        # "" or the pattern when the setting may be empty
        result["AllowedPattern"] = (f"|{self.pattern}" if "|" not in self.pattern else f"|(?:{self.pattern})") \
            if self.optional else self.pattern
        if self.summary:
            result["ConstraintDescription"] = self.summary
        return result


@dataclass(frozen=True)
class Number(Rule):
    """A number in ``[low, high]``; ``integer`` keeps it whole, otherwise it is stored as a float."""

    low: float
    high: float
    integer: bool = False
    unit: str = ""
    summary: str = ""

    @property
    def rule(self) -> str:
        return f"must be between {self.low:g} and {self.high:g}{self.unit}"

    def _check(self, name: str, value: Any) -> None:
        if self.integer:
            fail(name, isinstance(value, int) and not isinstance(value, bool), "must be a whole number", value)
        else:
            fail(name, is_number(value) and math.isfinite(value), "must be a finite number", value)
        fail(name, self.low <= value <= self.high, self.rule, value)

    def normalize(self, value: Any) -> Any:
        return float(value) if not self.integer and is_number(value) else value

    def parameter(self) -> dict[str, Any]:
        result: dict[str, Any] = {"MinValue": self.low, "MaxValue": self.high}
        if self.summary:
            result["ConstraintDescription"] = self.summary
        return result


@dataclass(frozen=True)
class OneOf(Rule):
    """One of a fixed set of values (compared by type too: ``True`` is not ``1``)."""

    choices: tuple[Any, ...]

    @property
    def rule(self) -> str:
        return f"must be one of {', '.join(map(str, self.choices))}"

    def _check(self, name: str, value: Any) -> None:
        fail(name, any(type(value) is type(c) and value == c for c in self.choices), self.rule, value)

    def parameter(self) -> dict[str, Any]:
        return {"AllowedValues": [str(c) for c in self.choices]}


@dataclass(frozen=True)
class Flag(Rule):
    """``true`` or ``false``."""

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, bool), "must be true or false", value)


@dataclass(frozen=True)
class Each(Rule):
    """A list whose every entry obeys ``item``; ``count`` bounds its length, ``what`` names the entries."""

    item: Rule
    count: tuple[int, int | None] = (0, None)
    what: str = "entries"
    unique: bool = False

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, tuple), "must be a list", value)
        low, high = self.count
        if high is not None:
            fail(
                name,
                low <= len(value) <= high,
                f"must have {low} to {high} {self.what}, but has {len(value)}",
                list(value),
            )
        for item in value:
            self.item.check(name, item)
        if self.unique:
            fail(name, len(set(value)) == len(value), "must not repeat an entry", list(value))

    def normalize(self, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Pairs(Rule):
    """A table of ``KEY = VALUE`` (stored as a tuple of pairs): keys obey ``key``, values ``value``."""

    key: Rule
    value: Rule
    most: int | None = None
    unique_rule: str = "must not repeat a tag key"

    def _check(self, name: str, value: Any) -> None:
        ok = isinstance(value, tuple) and all(isinstance(kv, tuple) and len(kv) == 2 for kv in value)
        fail(name, ok, "must be a table of KEY = VALUE", value)
        if self.most is not None:
            fail(
                name,
                len(value) <= self.most,
                f"must have at most {self.most} entries, but has {len(value)}",
                [key for key, _ in value],
            )
        for key, item in value:
            self.key.check(name, key)
            self.value.check(name, item)
        keys = [key for key, _ in value]
        fail(name, len(keys) == len(set(keys)), self.unique_rule, keys)

    def normalize(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return tuple(value.items())
        if isinstance(value, list):
            return tuple(tuple(kv) if isinstance(kv, list) else kv for kv in value)
        return value


@dataclass(frozen=True)
class Budget(Rule):
    """A performance budget: a positive number, or ``None`` (off); ``most`` caps unitless vitals."""

    most: float | None = None
    most_rule: str = ""

    def _check(self, name: str, value: Any) -> None:
        if value is None:
            return
        fail(name, is_number(value) and math.isfinite(value) and value > 0, "must be a positive number (or off)", value)
        if self.most is not None:
            fail(name, value <= self.most, self.most_rule, value)


@dataclass(frozen=True)
class Custom(Rule):
    """A rule written as a function (for values no primitive above describes); ``test`` gets the literal;
    ``optional``: "" means unset."""

    test: Any = field(compare=False)
    rule: str = ""
    optional: bool = False

    def _check(self, name: str, value: Any) -> None:
        if self.optional and value == "":
            return
        fail(name, bool(self.test(value)), self.rule, value)


@dataclass(frozen=True)
class Lazy(Rule):
    """A rule built when first used, for rules made from data read at run time (botocore's partitions):
    importing the settings reads nothing."""

    build: Any = field(compare=False)

    def _check(self, name: str, value: Any) -> None:
        self.rule_now()._check(name, value)

    def rule_now(self) -> Rule:
        return _built(self.build)

    def parameter(self) -> dict[str, Any]:
        return self.rule_now().parameter()

    def __getattr__(self, name: str) -> Any:  # pattern, rule, max_length ... of the built rule
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.rule_now(), name)


@functools.cache
def _built(build: Any) -> Rule:
    return build()
