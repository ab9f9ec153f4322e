"""The budget gate's report in the formats CI systems read: a text table, JSON, JUnit XML (one test case per
budget: broken budgets fail, missing data is skipped), GitHub Actions workflow commands and Markdown (for a
job summary or a pull-request comment). Pure functions of a :class:`rumcfn.gate.judge.Report`."""

from __future__ import annotations

import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET

from rumcfn.gate.judge import FAIL, NO_DATA, PASS, WARN, Report, Result, describe, name, num
from rumcfn.text import printable
from rumcfn.text import table as text_table

FORMATS = ("table", "json", "junit", "github", "markdown")


def _measure(value: float | None, unit: str) -> str:
    return num(value) + (f" {unit}" if unit and value is not None else "")


def _change(result: Result) -> str:
    return "-" if result.change is None else f"{result.change:+.1%}"


def _scope(report: Report) -> str:
    if report.lab is not None:
        return report.lab["scope"]
    what = f"release {report.release}" if report.release else "the site"
    against = f" against {report.against}" if report.against else (
        f" against the {report.days} day(s) before" if report.baseline else "")
    return f"{what}{against} over the last {report.days} day(s) ({report.start} to {report.end})"


def columns(report: Report) -> list[tuple[str, object]]:
    """(header, cell function) of the columns this report needs: segment, level and baseline only when used."""
    cols: list[tuple[str, object]] = []
    if any(r.page for r in report.results):
        cols.append(("page", lambda r: r.page))
        cols.append(("device", lambda r: r.dimensions.get("DeviceType", "")))
    if any(r.segment for r in report.results):
        cols.append(("segment", lambda r: printable(r.segment) or "(site)"))
    cols += [("vital", lambda r: r.key), ("metric", lambda r: r.metric), ("statistic", lambda r: r.statistic),
             ("value", lambda r: _measure(r.value, r.unit)), ("budget", lambda r: _measure(r.budget, r.unit))]
    if report.against or report.baseline:
        cols += [("baseline", lambda r: _measure(r.baseline, r.unit)), ("change", _change)]
    cols.append(("samples", lambda r: num(r.samples) if r.samples else "0"))
    if any(r.level != "fail" for r in report.results):
        cols.append(("level", lambda r: r.level))
    cols.append(("result", lambda r: r.status))
    return cols


def table(report: Report) -> str:
    """The text table; names are printed with control characters escaped, so each row is one line."""
    cols = columns(report)
    body = text_table([h for h, _ in cols], [[cell(r) for _, cell in cols] for r in report.results], rules=False)
    notes = "".join(f"{printable(line)}\n" for line in _lab_lines(report))
    return f"{body}\n{notes}{printable(f'{report.app_monitor}: {report.status} for {_scope(report)}')}\n"


def _lab_lines(report: Report) -> list[str]:
    """The lab's other measurements per page and device (FCP and TTFB have no budget), and the wall time."""
    if report.lab is None:
        return []
    return [f"{m['url']} ({m['device']}): " + ", ".join(
        f"{key.upper()} {report.lab['statistic']} {_measure(m['values'].get(key), 'ms')}" for key in ("fcp", "ttfb"))
        + f"; {m['runs']} run(s), {m['seconds_per_run']:.1f} s each" for m in report.lab["pages"]]


def _finite(value):
    """JSON has no infinity or NaN: such a number is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def to_json(report: Report) -> str:
    return json.dumps(_finite(report.as_dict()), indent=2, allow_nan=False) + "\n"


# --- JUnit XML ------------------------------------------------------------------------------------


def junit(report: Report) -> str:
    """One ``testsuite`` of one ``testcase`` per budget row: classname ``<monitor>.<segment or site>``, name the
    vital; a broken ``fail`` budget is a ``failure``, missing data ``skipped``, a broken ``warn`` budget passes
    with the warning in ``system-out``."""
    failures = sum(r.status == FAIL for r in report.results)
    skipped = sum(r.status == NO_DATA for r in report.results)
    counts = {"tests": str(len(report.results)), "failures": str(failures), "errors": "0", "skipped": str(skipped)}
    suites = ET.Element("testsuites", name="rumcfn budgets", time="0", **counts)
    suite = ET.SubElement(suites, "testsuite", name=f"rumcfn budgets {report.app_monitor}", timestamp=report.end[:19],
                          time="0", **counts)
    properties = ET.SubElement(suite, "properties")
    for key, value in (("app_monitor", report.app_monitor), ("start", report.start), ("end", report.end),
                       ("release", report.release), ("against", report.against), ("baseline", report.baseline),
                       ("lab", report.lab["scope"] if report.lab is not None else None)):
        if value:
            ET.SubElement(properties, "property", name=key, value=value)
    for r in report.results:
        where = f"{r.page} {r.dimensions.get('DeviceType', '')}." if r.page else ""
        case = ET.SubElement(
            suite, "testcase", classname=f"{report.app_monitor}.{where}{r.segment or 'site'}", name=r.key, time="0"
        )
        if r.status == FAIL:
            failure = ET.SubElement(case, "failure", message=describe(r), type="BudgetBroken")
            failure.text = _detail(r)
        elif r.status == NO_DATA:
            ET.SubElement(case, "skipped", message=f"not enough data: {r.reason}")
        elif r.status == WARN:
            ET.SubElement(case, "system-out").text = f"warning: {describe(r)}\n{_detail(r)}"
    for element in suites.iter():  # names from outside may hold what XML 1.0 cannot: shown escaped instead
        element.text = _xml(element.text) if element.text is not None else None
        element.attrib = {key: _xml(value) for key, value in element.attrib.items()}
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


#: Characters XML 1.0 does not allow ("Characters", production [2]).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return printable(text, NOT_XML)


def _detail(r: Result) -> str:
    lines = [
        f"{r.metric} {r.statistic}: {_measure(r.value, r.unit)} (budget {_measure(r.budget, r.unit)}, "
        f"{num(r.samples) if r.samples else 0} samples)"
    ]
    if r.dimensions:
        lines.append("dimensions: " + ", ".join(f"{k}={v}" for k, v in r.dimensions.items()))
    if r.baseline is not None:
        lines.append(f"baseline: {_measure(r.baseline, r.unit)} ({_change(r)})")
    return "\n".join(lines)


# --- GitHub Actions and Markdown ------------------------------------------------------------------


def _data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    """``::error`` for each broken budget, ``::warning`` for each warning and each budget without enough data,
    then the table (for the log) between ``::stop-commands::`` and its end token, so that nothing in it is
    read as a workflow command (GitHub Actions, "Stopping and starting workflow commands"). The token is the
    table's SHA-256: unguessable by whoever writes a name into it, and the same for the same report."""
    lines = []
    for r in report.results:
        title = f"rumcfn budget {name(r)}"
        if r.status in (FAIL, WARN):
            command = "error" if r.status == FAIL else "warning"
            lines.append(f"::{command} title={_property(title)}::{_data(f'{report.app_monitor}: {describe(r)}')}")
        elif r.status == NO_DATA:
            command = "warning" if r.level == "fail" and r.decides else "notice"
            lines.append(
                f"::{command} title={_property(title)}::"
                f"{_data(f'{report.app_monitor}: not enough data for {name(r)} ({r.reason})')}"
            )
    body = table(report)
    token = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return "".join(line + "\n" for line in lines) + f"::stop-commands::{token}\n{body}::{token}::\n"


MARKS = {PASS: "✅", FAIL: "❌", WARN: "⚠️", NO_DATA: "➖"}


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|")


def _code(text: str) -> str:
    """Text from outside as a Markdown code span, where GitHub links, embeds, mentions and renders HTML
    nothing: the fence is one backtick longer than any run inside (CommonMark, "Code spans")."""
    text = _cell(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _reason(result: Result, report: Report) -> str:
    """The reason, with the release it was compared with as a code span (a release id may look like a URL)."""
    text = _cell(result.reason)
    if report.against:
        text = text.replace(f"against {_cell(report.against)} (", f"against {_code(report.against)} (")
    return text


def _markdown_scope(report: Report) -> str:
    if report.lab is not None:
        return _cell(report.lab["scope"])
    what = f"Release {_code(report.release)}" if report.release else "The site"
    against = f" against {_code(report.against)}" if report.against else (
        f" against the {report.days} day(s) before" if report.baseline else "")
    return f"{what}{against} over the last {report.days} day(s) ({report.start} to {report.end})"


def markdown(report: Report) -> str:
    """A heading, the scope and a table with a mark per row: for a job summary or a pull-request comment.
    Names (monitor, segments, releases) are code spans: a pull-request comment cannot be made to mention,
    link, embed an image or carry HTML through them."""
    cols = columns(report)[:-1]  # the mark says the result
    heads = [""] + [h for h, _ in cols] + ["result"]
    named = {"segment", "page"}  # names from outside: the stack's metadata, the pages given
    rows = [
        [MARKS[r.status]]
        + [_code((r.segment or "(site)") if head == "segment" else str(cell(r))) if head in named
           else _cell(str(cell(r))) for head, cell in cols]
        + [r.status + (f": {_reason(r, report)}" if r.reason else "")]
        for r in report.results
    ]
    lines = [
        f"### {MARKS[report.status]} rumcfn budgets: {_code(report.app_monitor)} — {report.status}",
        "",
        f"{_markdown_scope(report)}.",
        "",
        "| " + " | ".join(heads) + " |",
        "|" + "---|" * len(heads),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += ["", *(f"- {_cell(line)}" for line in _lab_lines(report))] if report.lab is not None else []
    return "\n".join(lines) + "\n"


RENDERERS = {"table": table, "json": to_json, "junit": junit, "github": github, "markdown": markdown}


def render(report: Report, fmt: str) -> str:
    return RENDERERS[fmt](report)
