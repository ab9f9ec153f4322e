"""The JavaScript pattern check against Node's own parser: over a corpus, the check refuses exactly what
Node refuses when rum.js holds the pattern as the literal rumcfn renders."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from rumcfn.client.snippet import RegExp, to_js
from rumcfn.config.js_regexp import JsRegExpError, check

NODE = shutil.which("node") or "node"
#: Each rendered literal is evaluated where rum.js holds it (a value); the answer is Node's error, or null.
COMPILE = r"""
const literals = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(literals.map(l => {
  try {
    if (!((0, eval)('(' + l + '\n)') instanceof RegExp)) throw new Error('not a RegExp literal');
    return null;
  } catch (e) { return e.message; }
})));
"""

KNOWN = [
    # Python accepts these, JavaScript refuses them
    "(?i)a", "(?s).", "a++", "a*+", "a?+", "(?>x)", "(?#c)", "(?(1)a|b)", "(?P<n>a)", "(?P=n)", "(?i:a)",
    # JavaScript accepts these, Python refuses them
    "[^]", "[]", "\\k", "\\c", "[\\c]", "\\8", "(?<n>a)\\k<n>", "\\u{41}", "\\p{L}",
    # both
    "a{,5}", "{", "}", "]", "[z-a]", "[\\d-z]", "[a-\\d]", "(?<n>a)\\k", "(?<n>a)\\k<m>", "(?<n>a)[\\k]", "[\\k]",
    "[\\c1]", "(?=a)*", "(?<=a)*", "(?!a)+", "(?<!a)?", "^*", "$+", "\\b*", "\\B{2}", "(?<n>a)(?<n>b)",
    "(?<n>a)|(?<n>b)", "\\", "[", "(", "a)", "())", "(?<$a>x)", "(?<1a>x)", "(?<>x)", "(?<a\\u0062>x)\\k<ab>",
    "[😀-😁]", "😀*", "[\\uD83D\\uDE00-\\uD83D\\uDE01]", "a{3,2}", "a{2,3}", "a{99999999999999999999}", "{1}",
    "a{2}{3}", "x{1,2}?", "a*?", "a**", "(?:)", "(?=)", "[\\b-a]", "\\0", "[\\0-\\9]", "a{1", "(?<a>x)\\k<a",
    "[a-]", "[-a]", "[a-b-c]", "[\\w-\\d]", "(?<é>x)", "(?<\\u{61}>x)", "\\cA", "(?<a>)\\k<a>\\k", "[(?<n>)]\\k",
    "\\(?<n>)\\k", "a/b", "[/]", "\\/", "</script>", "<!--", "^/api/(v1|v2)/.*$", "^https://[^/]+\\.example\\.com/",
    "\\x4", "\\x41", "\\u004", "[\\x41-\\x40]", "[\\101-\\100]", "[\\cz-\\ca]", "|", "a||b", "(|)", "((((a))))",
    "(" * 300 + ")" * 300, "[" + "a-z" * 100 + "]", "\u2028", "a\u2029b",
]
ALPHABET = ["a", "b", "(", ")", "(?:", "(?=", "(?<=", "(?<n>", "(?<m>", "(?", "[", "]", "^", "[^", "-", "\\",
            "\\k", "\\k<n>", "\\d", "\\b", "\\c", "\\1", "*", "+", "?", "{", "}", "{2}", "{1,}", "{3,1}", ",", "|",
            "$", ".", "z", "😀"]


def corpus() -> list[str]:
    rng = random.Random(20)
    fuzzed = {"".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))) for _ in range(3000)}
    return KNOWN + sorted(fuzzed - set(KNOWN))


def node_errors(patterns: list[str]) -> list[str | None]:
    literals = [to_js(RegExp(pattern), sub=False) for pattern in patterns]
    done = subprocess.run([NODE, "-e", COMPILE], input=json.dumps(literals), capture_output=True, text=True,
                          check=True, timeout=120)
    return json.loads(done.stdout)


def mine(pattern: str) -> str | None:
    if any(terminator in pattern for terminator in "\n\r\u2028\u2029"):
        return "line break"  # refused by the settings check before the grammar is asked
    try:
        check(pattern)
    except JsRegExpError as error:
        return str(error)
    return None


def test_the_check_refuses_exactly_what_node_refuses():
    patterns = corpus()
    answers = zip(patterns, node_errors(patterns), strict=True)
    disagreements = [(pattern, node, mine(pattern)) for pattern, node in answers
                     if (node is None) != (mine(pattern) is None)]
    assert disagreements == []
    assert sum(node is not None for node in node_errors(KNOWN)) > 40  # the corpus has both kinds


@pytest.mark.parametrize("pattern", ["a" * 200_000, "(" * 100_000 + ")" * 100_000, "[" * 200_000])
def test_long_patterns_are_read_in_one_pass_without_recursion(pattern):
    try:
        check(pattern)
    except JsRegExpError:
        pass
