"""``snippet.routes``: what a route matches, the routes no path could ever reach (refused, naming both routes
when one shadows the other), and a segment page a route rewrites."""

from __future__ import annotations

import re

import pytest

from rumcfn.config import SettingsError, from_mapping
from rumcfn.config.routes import route_of, routes_of

ROUTES = ("/products/new", "/products/:id", "/products/:id/reviews", "/blog/*", "/")


@pytest.mark.parametrize("path, page_id", [
    ("/products/123", "/products/:id"),
    ("/products/456", "/products/:id"),
    ("/products/new", "/products/new"),  # listed first: a literal before the :id that would take it
    ("/products/123/reviews", "/products/:id/reviews"),
    ("/products/", "/products/"),  # a :name is one segment of at least one character
    ("/products/1/2", "/products/1/2"),
    ("/blog/2026/11/routes", "/blog/*"),
    ("/blog/", "/blog/"),  # a * takes at least one character
    ("/", "/"),
    ("/about", "/about"),  # unknown paths keep their path
])
def test_a_path_becomes_its_first_matching_route_or_stays(path, page_id):
    assert route_of(path, ROUTES) == page_id


def test_the_browser_and_python_use_one_expression():
    """The regex is plain enough for both engines: escaped slashes and a character class, anchored."""
    assert [route.regex for route in routes_of(("/products/:id", "/blog/*", "/a.b"))] == [
        r"^\/products\/[^\/]+$", r"^\/blog\/.+$", r"^\/a\.b$"]
    assert re.fullmatch(routes_of(("/a.b",))[0].regex[1:-1], "/axb") is None


SHADOWED = [
    (["/products/:id", "/products/new"], "/products/new can never win: /products/:id, listed before it"),
    (["/blog/*", "/blog/:slug"], "/blog/:slug can never win: /blog/*"),
    (["/blog/*", "/blog/a/b/*"], "/blog/a/b/* can never win: /blog/*"),
    (["/a/:x", "/a/:y"], "/a/:y can never win: /a/:x"),
    (["/x", "/x"], "/x can never win: /x"),
]


@pytest.mark.parametrize("routes, message", SHADOWED)
def test_a_route_an_earlier_one_always_beats_is_refused_naming_both(routes, message):
    with pytest.raises(SettingsError) as error:
        from_mapping({"snippet": {"routes": routes}})
    assert error.value.setting == "snippet.routes"
    assert message in str(error.value) and all(route in str(error.value) for route in routes)


@pytest.mark.parametrize("routes", [
    ["/products/new", "/products/:id"],  # the literal first: both reachable
    ["/blog/*", "/blog/"],  # a * never takes an empty rest
    ["/a/:x", "/a/:x/b", "/a/*"],
    ["/:section/:id", "/:section"],
])
def test_routes_that_each_win_some_path_are_taken(routes):
    assert from_mapping({"snippet": {"routes": routes}}).snippet.routes == tuple(routes)


NEVER = [
    ("products/:id", "must start with /"),
    ("/search?q=:q", "never holds '?'"),
    ("/a#b", "never holds '#'"),
    ("/a b", "never holds ' '"),
    ("/größe", "never holds 'ö'"),  # location.pathname has it percent-encoded
    ("/a\\b", "never holds '\\\\'"),
    ("/a/../b", "resolve . and .. segments away"),
    ("/a/*/b", "* only as its last segment"),
    ("/p-:id", "takes a whole segment"),
    ("/files*", "takes a whole segment"),
    ("/:1d", "a :name is a whole segment named by letters"),
]


@pytest.mark.parametrize("route, rule", NEVER)
def test_a_route_no_path_can_match_is_refused(route, rule):
    with pytest.raises(SettingsError) as error:
        from_mapping({"snippet": {"routes": [route]}})
    assert error.value.setting == "snippet.routes" and rule in str(error.value), str(error.value)
    assert "\n" not in str(error.value)


def test_a_segment_page_a_route_rewrites_is_refused_the_route_is_taken():
    with pytest.raises(SettingsError) as error:
        from_mapping({"snippet": {"routes": ["/products/:id"]},
                      "budgets": {"segments": [{"page": "/checkout", "lcp": 1}, {"page": "/products/42", "lcp": 1}]}})
    assert error.value.setting == "budgets.segments[1].page"
    assert "is recorded as /products/:id" in str(error.value)
    settings = from_mapping({"snippet": {"routes": ["/products/:id"]},
                             "budgets": {"segments": [{"page": "/products/:id", "lcp": 1}]}})
    assert settings.budgets.segments[0].label() == "products-id"


@pytest.mark.parametrize("option, value", [("disableAutoPageView", False), ("pageIdFormat", "HASH")])
def test_routes_record_page_views_themselves_so_the_clients_own_page_id_options_are_refused(option, value):
    with pytest.raises(SettingsError) as error:
        from_mapping({"snippet": {"routes": ["/a/:b"], "config": {option: value}}})
    assert error.value.setting == f"snippet.config.{option}"


def test_never_in_path_is_the_path_percent_encode_set_and_everything_beyond_ascii():
    """C0 controls, space, ``"#<>?`{}``, ``\\``, DEL and every non-ASCII code point; nothing else."""
    from rumcfn.config.routes import NEVER_IN_PATH

    never = {chr(c) for c in range(0x21)} | set('"#<>?`{}\\') | {chr(0x7F)}
    for code in [*range(0x800), 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF]:
        char = chr(code)
        assert bool(NEVER_IN_PATH.fullmatch(char)) == (char in never or code > 0x7F), hex(code)
