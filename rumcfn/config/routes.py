"""``snippet.routes``: route templates that turn a page's path into the page id the web client records.

``/products/:id`` makes ``/products/123`` and ``/products/456`` one page, ``/products/:id``; ``/blog/*``
makes every path below ``/blog/`` the page ``/blog/*``. A path no route matches keeps its path. The first
route that matches wins, so a route that an earlier one always beats is refused, as is one that no path can
match. Each route is one regular expression, used as it is by the browser (the snippet) and by Python
(:func:`route_of`, for checks such as a segment budget naming a path that is never recorded).

What a path can hold: the browser's ``location.pathname`` (which the client's page id is, by default) is the
URL's path as the WHATWG URL Standard serializes it: the characters of the path percent-encode set (C0
controls, space, ``"`` ``#`` ``<`` ``>`` ``?`` `````` ``{`` ``}``) and every code point above U+007E arrive
percent-encoded, ``\\`` is a path separator in http(s) URLs, and ``.``/``..`` segments are resolved away
(URL Standard, "path state", "single-dot / double-dot URL path segment"). A route naming any of them could
never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rumcfn.config.rules import Rule, fail

#: ``:name``: one whole path segment of at least one character.
PARAM = re.compile(r":[A-Za-z_][A-Za-z0-9_]*")
#: Characters ``location.pathname`` never holds as themselves (module docstring): C0 controls, space, the
#: rest of the path percent-encode set, ``\\``, DEL and anything non-ASCII: whatever is not one of the printable
#: ASCII characters left (written as that complement: a class up to U+10FFFF makes ``re`` weigh every code point
#: at import, a few milliseconds of every ``synth``).
NEVER_IN_PATH = re.compile(r"[^!$-;=@-\[\]-_a-z|~]")
#: A page id is a PageId dimension value when a segment budget names it: at most 1,024 characters
#: (botocore cloudwatch model, DimensionValue).
MAX_LENGTH = 1024
ONE, REST = "one", "rest"  # the kinds of a segment that is not literal


@dataclass(frozen=True)
class Route:
    """One route template, split into its path segments: each a literal text, :data:`ONE` or :data:`REST`."""

    template: str
    segments: tuple[str, ...]

    @property
    def regex(self) -> str:
        """The expression over ``location.pathname``, the same in JavaScript and Python: a ``:name`` is one
        segment of one or more characters, a final ``*`` the rest of the path (one or more characters)."""
        parts = []
        for segment in self.segments:
            if segment == ONE:
                parts.append("[^/]+")
            elif segment == REST:
                parts.append(".+")
            else:
                parts.append(re.sub(r"([\\^$.*+?()[\]{}|/-])", r"\\\1", segment[1:]))
        return "^" + "/".join(["", *parts]).replace("/", "\\/") + "$"

    def matches(self, path: str) -> bool:
        return re.fullmatch(self.regex[1:-1], path, re.DOTALL) is not None

    def covers(self, other: "Route") -> bool:
        """Every path ``other`` matches, this route matches too (so after this one, ``other`` never wins)."""
        mine, theirs = self.segments, other.segments
        if mine[-1] == REST:
            head = mine[:-1]
            if len(theirs) < len(mine) or not all(_covers(a, b) for a, b in zip(head, theirs[:len(head)], strict=True)):
                return False
            rest = theirs[len(head):]
            return len(rest) > 1 or rest[0] != "="  # a * takes one or more characters: all but an empty segment
        return len(mine) == len(theirs) and REST not in theirs and all(
            _covers(a, b) for a, b in zip(mine, theirs, strict=True))


def _covers(mine: str, theirs: str) -> bool:
    """A segment matches every text the other does: ``:name`` any non-empty one, a literal only itself."""
    if mine == ONE:
        return theirs == ONE or (theirs != REST and theirs != "=")
    return mine == theirs


def parse(name: str, template: Any) -> Route:
    """A route template as a :class:`Route`, or the one-line error saying why no path could match it."""
    fail(name, isinstance(template, str), "must be a list of route templates such as /products/:id", template)
    fail(name, template.startswith("/"), "must start with / (a route matches the page's path)", template)
    fail(name, len(template) <= MAX_LENGTH, f"must be at most {MAX_LENGTH} characters (a PageId value)", template)
    bad = NEVER_IN_PATH.search(template)
    fail(
        name,
        bad is None,
        f"can never match: a page's path never holds {bad.group()!r} (browsers percent-encode it, or treat \\ as /)"
        if bad else "",
        template,
    )
    segments = []
    texts = template[1:].split("/")
    for index, text in enumerate(texts):
        fail(name, text not in (".", ".."), "can never match: browsers resolve . and .. segments away", template)
        if text == "*":
            fail(name, index == len(texts) - 1, "can have * only as its last segment (the rest of the path)",
                 template)
            segments.append(REST)
        elif text.startswith(":"):
            fail(name, PARAM.fullmatch(text) is not None,
                 "a :name is a whole segment named by letters, digits and _ (such as /products/:id)", template)
            segments.append(ONE)
        else:
            fail(name, "*" not in text and ":" not in text,
                 "a :name or * takes a whole segment (such as /products/:id or /blog/*)", template)
            segments.append("=" + text)
    return Route(template, tuple(segments))


@dataclass(frozen=True)
class Routes(Rule):
    """The list of route templates: each can match some path, and none is beaten by an earlier one for every
    path it matches (the first match wins)."""

    def normalize(self, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, tuple), "must be a list of route templates such as /products/:id", value)
        routes = [parse(name, template) for template in value]
        for later, route in enumerate(routes):
            for earlier in routes[:later]:
                fail(
                    name,
                    not earlier.covers(route),
                    f"{route.template} can never win: {earlier.template}, listed before it, matches every path it "
                    f"does (list {route.template} first, or drop it)",
                    [earlier.template, route.template],
                )


def routes_of(templates: tuple[str, ...]) -> list[Route]:
    return [parse("snippet.routes", template) for template in templates]


def route_of(path: str, templates: tuple[str, ...]) -> str:
    """The page id the snippet records for ``path``: the first matching route's template, else the path."""
    return next((route.template for route in routes_of(templates) if route.matches(path)), path)
