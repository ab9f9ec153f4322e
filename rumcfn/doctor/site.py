"""The page as a browser first sees it: its ``<head>``, read by a small linear tokenizer.

Only what the doctor needs is parsed: ``<script>`` elements (where, ``src`` or text, ``nonce``),
``<meta http-equiv="Content-Security-Policy">`` in ``<head>`` (the only place a browser honours one),
and ``<base href>``. The head ends where a browser's tree builder ends it: ``</head>``, ``<body>``, the
first element that only belongs in the body, or text that is not whitespace.

The tokenizer follows the HTML Standard's tokenization states for tags, attributes, comments and raw
text, and never looks at a character twice: ``html.parser`` rescans unfinished tags and is quadratic
on ``<a<a<a...`` (CVE-2025-6069). Only the first :data:`PARSE_LIMIT` bytes of a page are read.
"""

from __future__ import annotations

import html as entities
import re
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import urljoin, urlsplit

from rumcfn.doctor.fetch import Refused, browser_url

PARSE_LIMIT = 1024 * 1024  # bytes of a page parsed: the head, and the body's first scripts
HEAD_ELEMENTS = {"html", "head", "title", "meta", "link", "style", "script", "base", "noscript", "template"}
#: Elements whose content is text up to their end tag (RAWTEXT, RCDATA and script data), and plaintext.
RAW_TEXT = {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea"}
SPACE = "\t\n\f\r "
_NAME = re.compile(f"[^{SPACE}/>]*")
_ATTRIBUTE_NAME = re.compile(f"[^{SPACE}/>][^{SPACE}/>=]*")
_UNQUOTED = re.compile(f"[^{SPACE}>]*")
_SKIP = re.compile(f"[{SPACE}/]*")
_BLANK = re.compile(f"[{SPACE}]*")
_TEXT = re.compile(f"[^{SPACE}]")
_COMMENT_END = re.compile("--!?>")


@dataclass
class Script:
    src: str | None  # as written in the page
    text: str
    nonce: str | None
    in_head: bool
    metas_before: int  # <meta> policies the parser had seen when it reached this element


@dataclass
class Html:
    scripts: list[Script] = field(default_factory=list)
    meta_policies: list[str] = field(default_factory=list)
    base: str | None = None


@dataclass(frozen=True)
class Tag:
    name: str  # lower case
    attributes: dict[str, str]  # the first of each name, character references decoded
    end: bool = False
    text: str = ""  # a raw-text element's content (<script>, <style>, <title> ...), up to its end tag


def _attributes(text: str, pos: int) -> tuple[dict[str, str], int] | None:
    """A tag's attributes from ``pos`` through its ``>``: (attributes, the position after it), or None at the
    end of the text (a tag the end of the file cuts off is dropped)."""
    attributes: dict[str, str] = {}
    while True:
        pos = _SKIP.match(text, pos).end()
        if pos >= len(text):
            return None
        if text[pos] == ">":
            return attributes, pos + 1
        name_end = _ATTRIBUTE_NAME.match(text, pos).end()
        name, pos = text[pos:name_end].lower(), _BLANK.match(text, name_end).end()
        value = ""
        if pos < len(text) and text[pos] == "=":
            pos = _BLANK.match(text, pos + 1).end()
            if pos < len(text) and text[pos] in "\"'":
                close = text.find(text[pos], pos + 1)
                if close < 0:
                    return None
                value, pos = text[pos + 1 : close], close + 1
            else:
                value_end = _UNQUOTED.match(text, pos).end()
                value, pos = text[pos:value_end], value_end
        attributes.setdefault(name, entities.unescape(value))


def tokens(text: str) -> Iterator[Tag | str]:
    """Tags and text, in order; comments, doctypes and processing instructions are skipped. A raw-text
    element's content (``<script>``, ``<style>`` ...) is its start tag's ``text``; its end tag follows."""
    pos, size = 0, len(text)
    while pos < size:
        lt = text.find("<", pos)
        if lt < 0:
            yield text[pos:]
            return
        if lt > pos:
            yield text[pos:lt]
        pos, following = lt, text[lt + 1 : lt + 2]
        if text.startswith("<!--", pos):
            if text.startswith(">", pos + 4) or text.startswith("->", pos + 4):  # <!--> and <!--->
                pos = text.index(">", pos + 4) + 1
                continue
            end = _COMMENT_END.search(text, pos + 4)
            pos = end.end() if end else size
        elif following in ("!", "?") or (following == "/" and not text[lt + 2 : lt + 3].isalpha()):
            end = text.find(">", pos + 2)  # a doctype, a bogus comment, or </> (skipped whole)
            pos = end + 1 if end >= 0 else size
        elif following.isascii() and (following.isalpha() or following == "/"):
            closing = following == "/"
            name_end = _NAME.match(text, pos + 1 + closing).end()
            name = text[pos + 1 + closing : name_end].lower()
            parsed = _attributes(text, name_end)
            if parsed is None:
                return
            attributes, pos = parsed
            if closing:
                yield Tag(name, {}, end=True)
            elif name in RAW_TEXT or name == "plaintext":
                end = re.compile(f"</{name}[{SPACE}/>]", re.IGNORECASE).search(text, pos)
                stop = end.start() if end and name != "plaintext" else size
                yield Tag(name, attributes, text=text[pos:stop])
                pos = stop
            else:
                yield Tag(name, attributes)
        else:
            yield "<"
            pos += 1


def parse_html(text: str) -> Html:
    """The scripts, ``<meta>`` policies and ``<base>`` of a page (its first :data:`PARSE_LIMIT` characters)."""
    result, in_head = Html(), True
    for token in tokens(text[:PARSE_LIMIT].removeprefix("\ufeff")):
        if isinstance(token, str):
            in_head = in_head and not _TEXT.search(token)
            continue
        if token.end:
            in_head = in_head and token.name not in ("head", "body", "html", "br")
            continue
        attributes = token.attributes
        if token.name == "body" or token.name not in HEAD_ELEMENTS:
            in_head = False
        if token.name == "script":
            result.scripts.append(Script(attributes.get("src"), token.text, attributes.get("nonce"), in_head,
                                         len(result.meta_policies)))
        elif (token.name == "meta" and in_head
              and attributes.get("http-equiv", "").lower() == "content-security-policy"):
            result.meta_policies.append(attributes.get("content", ""))
        elif token.name == "base" and result.base is None and attributes.get("href"):
            result.base = attributes["href"]
    return result


def absolute(page_url: str, html: Html, src: str) -> str:
    """``src`` resolved against the page (and its ``<base>``) as a browser resolves it; as written when it is no
    URL at all."""
    try:
        return browser_url(urljoin(urljoin(page_url, html.base) if html.base else page_url, src.strip()))
    except (ValueError, Refused):  # e.g. an unclosed "[" in the host
        return src


def is_loader(script: Script, url: str | None, key: str) -> bool:
    """``<script src=".../<key>">`` or an inline snippet (it sets ``window.AwsRumClient``)."""
    if script.src is not None:
        try:
            return bool(url) and urlsplit(url).path.rstrip("/").endswith("/" + key.lstrip("/"))
        except ValueError:
            return False
    return "AwsRumClient" in script.text


def http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False
