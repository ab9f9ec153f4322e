"""``make bench``: measure rumcfn on this machine and write a Markdown report.

    python bench/run.py --output docs/benchmarks.md [--quick] [--only synth,fleet,...]

Every number is measured here and now: medians of several runs with their spread (IQR and range).
Sections that cannot run (no Chromium, no handler in the stack yet) say so instead of failing the
whole report. This is not a test: nothing here asserts a time; targets are compared and reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import machine  # noqa: E402
from timing import Stats  # noqa: E402

SECTIONS = ("cli", "fleet", "lint", "sizes", "handler", "page", "lab")

TARGETS = {
    "synth": 0.5,  # s, median of `rumcfn synth` as a process
    "synth_floor": 1.3,  # `rumcfn synth` / `python -c "import troposphere, awacs, click, jinja2"` (issue 18)
    "version_floor": 1.5,  # `rumcfn --version` / `python -c "import click"` (issue 18)
    "fleet100": 2.0,  # s, 100 site templates in one process
    "fleetfile": 10.0,  # s, 1,000 sites from one fleet file: checked, synthesized, linted, written (issue 23)
    "snippet": 1024,  # bytes, raw
    "page": 1.05,  # load-event and LCP ratios with / without rum.js (default strategy, throttled)
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def kb(n: float) -> str:
    return f"{n:,.0f} B ({n / 1024:.1f} KiB)"


def ms(seconds: float, digits: int = 1) -> str:
    return f"{seconds * 1e3:.{digits}f} ms"


def spread(stats: Stats, scale: float = 1.0, digits: int = 1) -> str:
    q1, q3 = stats.iqr
    f = f"{{:.{digits}f}}"
    return (f"IQR {f.format(q1 * 1e3 * scale)}–{f.format(q3 * 1e3 * scale)}, "
            f"range {f.format(stats.low * 1e3 * scale)}–{f.format(stats.high * 1e3 * scale)}")


def table(header: list[str], rows: list[list[Any]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "**missed**")


class Report:
    def __init__(self, quick: bool):
        self.quick = quick
        self.parts: list[str] = []
        self.headline: dict[str, tuple[str, str, bool | None, str]] = {}
        self.notes: list[str] = []

    def section(self, title: str, body: str) -> None:
        self.parts.append(f"## {title}\n\n{body.rstrip()}\n")

    def failed(self, title: str, error: BaseException) -> None:
        last = traceback.format_exception_only(type(error), error)[-1].strip()
        self.section(title, f"Not measured: this section failed on this run (`{last}`).")


# --- sections -------------------------------------------------------------------------------------


def run_cli(report: Report) -> None:
    import cli

    runs = 5 if report.quick else 15
    cli.compiled()
    synth = cli.synth(runs)
    imports = cli.import_time(5 if report.quick else 10)
    breakdown = cli.import_breakdown(runs=3 if report.quick else 5)
    rows = [[f"`{name}`", ms(s.median), spread(s), s.n] for name, s in {**synth, **imports}.items()]
    base = imports["python -c pass"].median
    cli_import = imports["python -c 'import rumcfn.cli'"].median - base
    body = ("Whole processes, started the way a user or CI job starts them (console script `rumcfn`, "
            "empty working directory, the built-in example settings). Wall-clock from spawn to exit.\n\n")
    body += table(["command", "median", "spread", "runs"], rows)
    body += (f"\nImporting the package costs about **{ms(cli_import, 0)}** over a bare interpreter "
             f"(`import rumcfn.cli` median minus `python -c pass` median). boto3 and cfn-lint are not imported "
             f"by `synth`; only `lint`, `deploy` and `budgets check` load them.\n\n"
             "Heaviest imports (`python -X importtime -c 'import rumcfn.cli'`, medians; cumulative times nest):\n\n")
    body += table(["module", "self", "cumulative"], [[f"`{n}`", f"{s:.1f} ms", f"{c:.1f} ms"] for n, s, c in breakdown])
    floors, cpu, modules = cli.against_floors(runs)
    body += ("\nAgainst their floors: each command and the imports it cannot do without, run by turns in the same "
             "loop so both see the same machine (ratio of medians). The target is the wall-clock ratio; the CPU "
             "time each process used is shown beside it because other work on a busy machine inflates it far "
             "less.\n\n")
    ratios = {}
    floor_rows = []
    for command, floor in cli.FLOORS.items():
        ratios[command] = floors[command].median / floors[floor].median
        floor_rows.append([f"`{command}`", ms(floors[command].median), f"`{floor}`", ms(floors[floor].median),
                           f"{ratios[command]:.2f}×", f"{cpu[command].median / cpu[floor].median:.2f}× "
                           f"({ms(cpu[command].median, 0)} ÷ {ms(cpu[floor].median, 0)})", floors[command].n])
    body += table(["command", "median", "floor", "median", "ratio", "CPU-time ratio", "runs"], floor_rows)
    body += leftover(floors, cpu, modules)
    parts, classes = cli.synth_parts(5 if report.quick else 10)
    body += (f"\nWhere a `synth` process spends its CPU time, part by part (`bench/synth_parts.py` in fresh "
             f"interpreters, medians of {next(iter(parts.values())).n}, at the young-generation threshold the console "
             f"script sets for its commands); rumcfn's imports create {classes} "
             f"dataclasses, and Python {sys.version_info.major}.{sys.version_info.minor} compiles each one's "
             f"methods as it creates it:\n\n")
    body += table(["part", "CPU time"], [[name, ms(s.median)] for name, s in parts.items()])
    report.section("1. The CLI as a process", body)
    for key, command in (("synth_floor", "rumcfn synth -o template.json"), ("version_floor", "rumcfn --version")):
        report.headline[key] = (
            f"`{command.split(' -o')[0]}` ÷ `{cli.FLOORS[command]}` (same run, medians)",
            f"≤ {TARGETS[key]}×",
            ratios[command] <= TARGETS[key],
            f"{ratios[command]:.2f}× ({ms(floors[command].median, 0)} ÷ {ms(floors[cli.FLOORS[command]].median, 0)})",
        )
    median = synth["rumcfn synth -o template.json"].median
    report.headline["synth"] = (
        "`rumcfn synth` (whole process, median)",
        f"< {TARGETS['synth']} s",
        median < TARGETS["synth"],
        f"{median:.3f} s ({synth['rumcfn synth -o template.json'].n} runs)",
    )


def leftover(floors: dict[str, Stats], cpu: dict[str, Stats], modules: int) -> str:
    """What ``synth``'s floor leaves rumcfn's own work, and ``synth`` with its dataclasses' methods kept compiled."""
    import cli

    synth = "rumcfn synth -o template.json"
    floor = cli.FLOORS[synth]
    budget = TARGETS["synth_floor"] * floors[floor].median - floors[cli.STACK_MODULES].median
    body = (f"\nWhat that floor leaves `synth`, in the same loop: importing also the {modules} troposphere and "
            f"awacs modules of the resources the stack makes takes "
            f"{floors[cli.STACK_MODULES].median / floors[floor].median:.2f}× the floor, so under "
            f"{TARGETS['synth_floor']}× everything rumcfn does itself (its modules, its dataclasses, the jinja2 "
            f"templates, the command) must fit in {ms(budget, 0)}; it takes "
            f"{ms(floors[synth].median - floors[cli.STACK_MODULES].median, 0)}. The experiment "
            f"(`bench/precompiled.py`, not shipped) keeps the methods `dataclasses` writes for each class compiled in "
            f"a file, so no process compiles them again; the classes are still made by `dataclasses`:\n\n")
    rows = [[f"`{name}`" if name == synth else name, ms(floors[name].median),
             f"{floors[name].median / floors[floor].median:.2f}×", f"{cpu[name].median / cpu[floor].median:.2f}×",
             floors[name].n] for name in (cli.STACK_MODULES, cli.PRECOMPILED, synth)]
    return body + table(["process", "median", "÷ floor", "CPU time ÷ floor's", "runs"], rows)


def run_fleet(report: Report) -> None:
    import fleet

    sizes = (1, 10, 100, 1000)
    runs = {1: 10, 10: 5, 100: 5, 1000: 2} if not report.quick else {1: 3, 10: 2, 100: 2, 1000: 1}
    results = fleet.fleet_scaling(sizes, runs)
    fresh = fleet.first_template_in_fresh_process()
    per_100 = results[100].median / 100
    rows = []
    for size in sizes:
        s = results[size]
        per = s.median / size
        rows.append(
            [
                f"{size:,}",
                f"{s.median:.3f} s",
                spread(s, 1 / 1000, 3).replace("IQR", "IQR (s)"),
                ms(per, 2),
                f"{per / per_100:.2f}×",
                s.n,
            ]
        )
    growth_1000 = (results[1000].median / 1000) / per_100
    growth_10 = (results[10].median / 10) / per_100
    linear = growth_1000 <= 1.25  # per-template cost does not grow with the fleet (within noise)
    grows = (
        "linearly (per-template cost does not rise with fleet size, within 25 %)" if linear else "faster than linearly"
    )
    body = (
        "Building N templates in one Python process through the API, each site with its own monitor name, "
        "domain and bucket (`with_overrides(Settings(), {...})` → `build_template` → `to_json`; settings "
        "validation and JSON serialization included). The process is warmed up first (imports, Jinja cache).\n\n"
    )
    body += table(["sites", "total (median)", "spread", "per template", "per template vs. 100 sites", "runs"], rows)
    body += (
        f"\nGrowth: per-template time at 1,000 sites is {growth_1000:.2f}× the per-template time at 100 sites "
        f"(10 sites: {growth_10:.2f}×): total time grows "
        f"{grows}. "
        f"A fresh interpreter pays once for imports: import + first template = {ms(fresh.median, 0)} "
        f"median ({spread(fresh, digits=0)}, {fresh.n} runs).\n"
    )
    profile = fleet.profile_build()
    body += (
        "\nWhere one build's time goes (cProfile over 20 sites; share of the total, cumulative, so rows nest):\n\n"
        + table(["function", "share"], [[f"`{name}`", f"{share:.0%}"] for name, share in profile])
    )
    report.section("2. Fleet scale (Python API)", body)
    t100 = results[100].median
    report.headline["fleet"] = (
        "100 site templates in one process",
        f"< {TARGETS['fleet100']:.0f} s, linear",
        t100 < TARGETS["fleet100"] and linear,
        f"{t100:.2f} s ({ms(t100 / 100, 1)} each); 1,000 sites {results[1000].median:.1f} s "
        f"({growth_1000:.2f}× per template)",
    )
    report.fleet_per_template = t100 / 100  # type: ignore[attr-defined]
    run_fleet_file(report)


def run_fleet_file(report: Report) -> None:
    """``rumcfn synth --fleet`` over one fleet file of 1,000 sites: every step, in a fresh process and warm."""
    import fleet

    sites = 1000
    fresh = [fleet.fleet_file_fresh_process(sites) for _ in range(1 if report.quick else 3)]
    warm = [fleet.fleet_file_pipeline(sites) for _ in range(1 if report.quick else 3)]
    last = warm[-1]
    steps = table(["step", "seconds (last warm run)"], [[name, f"{seconds:.2f} s"] for name, seconds in
                                                       last["times"].items()])
    fresh_stats, warm_stats = Stats(tuple(w for w, _ in fresh)), Stats(tuple(r["total"] for r in warm))
    fresh_cpu = Stats(tuple(c for _, c in fresh))
    body = (
        f"`rumcfn synth --fleet` as a pipeline over one `rumcfn.toml` holding {sites:,} `[[sites]]` tables "
        "(`bench/fleet.py`: `fleet_toml`): every site read and checked by the settings rules, grouped by shape "
        "(a site's settings with its parameter values as placeholders), one parameterized template built per "
        "shape, each distinct template linted once by one cfn-lint `Linter`, and every file written (the "
        "templates, two parameter files per site, the manifest).\n\n"
        f"- sites: {last['sites']:,}; distinct templates: **{last['templates']}** (the largest serves "
        f"{last['largest_group']:,} sites); cfn-lint runs: **{last['lint_runs']}**, findings: {last['findings']}; "
        f"files written: {last['files']:,}\n"
        f"- whole pipeline in a fresh process (imports included): {fresh_stats.median:.2f} s median "
        f"({fresh_stats.n} run(s), range {fresh_stats.low:.2f}–{fresh_stats.high:.2f} s), of which "
        f"{fresh_cpu.median:.2f} s CPU time (one core: the pipeline is single-threaded; the rest is waiting for "
        "a core or the disk on this machine)\n"
        f"- warm, in one process: {warm_stats.median:.2f} s median ({warm_stats.n} run(s)), "
        f"{Stats(tuple(r['cpu'] for r in warm)).median:.2f} s CPU\n\n" + steps
    )
    report.section("2b. A fleet file (synth --fleet)", body)
    report.headline["fleetfile"] = (
        f"{sites:,} sites from one fleet file: checked, synthesized, linted, written (fresh process)",
        f"≤ {TARGETS['fleetfile']:.0f} s",
        fresh_stats.median <= TARGETS["fleetfile"],
        f"{fresh_stats.median:.2f} s; {last['templates']} templates, {last['lint_runs']} lint runs",
    )


def run_lint(report: Report) -> None:
    import cli
    import fleet

    process = cli.lint(3 if report.quick else 5)["rumcfn lint template.json"]
    costs = fleet.lint_costs(fleet_size=20 if report.quick else 100, single_runs=5 if report.quick else 10)
    single: Stats = costs["single"]
    n = costs["fleet_size"]
    rows = [
        [
            "`rumcfn lint template.json` (whole process, built-in example)",
            ms(process.median, 0),
            spread(process, digits=0),
            process.n,
        ],
        ["`Linter()` start-up (rules and schemas, once per process)", ms(costs["startup"], 0), "one run", 1],
        ["`Linter().lint(text)`, one template (warm)", ms(single.median, 0), spread(single, digits=0), single.n],
        [
            f"{n} different site templates, one `Linter`",
            f"{costs['fleet']:.2f} s",
            f"{ms(costs['fleet'] / n, 0)} per template",
            1,
        ],
    ]
    body = (
        "cfn-lint with every rule (informational ones included) for us-east-1, through `rumcfn.template.lint.Linter`, "
        "which loads the rules once.\n\n"
    ) + table(["what", "median", "spread", "runs"], rows)
    body += (
        f"\nFindings: {len(costs['findings_first'])} on the first template, {costs['findings_total']} across "
        f"all {n}. Linting dominates a fleet pipeline: one template lints in about "
        f"{single.median / max(getattr(report, 'fleet_per_template', single.median), 1e-9):.0f}× the time it "
        "takes to build, so a fleet job should share one `Linter` (and can lint templates in parallel "
        "processes, one `Linter` each).\n"
    )
    report.section("3. Linting", body)


def run_sizes(report: Report) -> None:
    import sizes

    rows, zip_rows = [], []
    templates = sizes.template_sizes()
    for row in templates:
        if "error" in row:
            rows.append([row["variant"], "–", f"failed: {row['error']}", "", "", ""])
            continue
        share = row["json"] / row["limit"]
        rows.append(
            [
                row["variant"],
                row["resources"],
                f"{row['json']:,}",
                f"{share:.0%}",
                f"{row['minified']:,}",
                f"{row['yaml']:,}",
            ]
        )
        for lid, size in row["zipfiles"].items():
            zip_rows.append([row["variant"], f"`{lid}`", f"{size:,}", f"{size / row['json']:.0%}"])
    body = (
        "`rumcfn synth` output (JSON as written: one-space indent, or compact when the indented text would "
        "pass the limit) against CloudFormation's 51,200-byte limit for a template passed inline (`--template-body`, "
        "or `aws cloudformation deploy` without `--s3-bucket`).\n\n"
    )
    body += table(["settings", "resources", "JSON bytes", "of 51,200", "minified JSON", "YAML bytes"], rows)
    largest = max((r for r in templates if "json" in r), key=lambda r: r["json"], default=None)
    if largest:
        body += (
            f"\nThe largest variant uses {largest['json'] / largest['limit']:.0%} of the inline limit "
            f"({largest['limit'] - largest['json']:,} bytes to spare).\n"
        )
    body += "\n**Inline handler** (`Code.ZipFile` of each `AWS::Lambda::Function`; Lambda saves it as `index.py`):\n\n"
    if zip_rows:
        body += table(["settings", "function", "bytes", "share of the template"], zip_rows)
        body += (
            "\nCloudFormation no longer limits inline code to 4,096 characters (the limit was lifted in 2022; "
            "see aws-cdk#20624), so the handler counts against the template's own 51,200 bytes.\n"
        )
    else:
        body += "No inline Lambda function in these templates (the custom-resource handler has not landed).\n"
    snippets = sizes.snippet_sizes()
    snippet_rows = [[r["variant"], f"{r['raw']:,}", f"{r['gzip']:,}"] for r in snippets]
    body += (
        "\n**Snippet** (`rum.js`, rendered by `rumcfn.client.snippet.render_concrete(...)`, as `rumcfn snippet` "
        "writes it; gzip -9):\n\n"
    ) + table(["auth", "raw bytes", "gzipped bytes"], snippet_rows)
    report.section("4. Sizes", body)
    unsigned = snippets[0]
    report.headline["snippet"] = (
        "Snippet `rum.js`, raw",
        "< 1 KB",
        unsigned["raw"] < TARGETS["snippet"],
        f"{unsigned['raw']:,} B unsigned ({unsigned['gzip']:,} B gzipped); {snippets[1]['raw']:,} B with Cognito",
    )
    if largest:
        report.headline["template"] = (
            "Largest template vs. inline limit",
            "≤ 51,200 B",
            largest["json"] <= largest["limit"],
            f"{largest['json']:,} B ({largest['variant']})",
        )


def run_handler(report: Report) -> None:
    import handler

    result = handler.measure(creates=3 if report.quick else 6, import_runs=3 if report.quick else 7)
    if not result.get("present"):
        report.section(
            "5. The custom-resource handler",
            "The synthesized stack has no custom resource backed by an "
            "inline Lambda function yet, so there is nothing to measure.",
        )
        return
    creates = Stats(tuple(result["creates"]))
    warm = Stats(tuple(result["creates"][1:])) if len(result["creates"]) > 1 else creates
    imports = Stats(tuple(result["import_processes"]))
    written = result.get("written") or {}
    rows = [
        [
            "cold `import index` (fresh interpreter, boto3 included)",
            ms(imports.median, 0),
            spread(imports, digits=0),
            imports.n,
        ],
        ["first Create (S3 client created, object written, answer sent)", ms(result["creates"][0], 1), "one run", 1],
        ["later Creates (same process)", ms(warm.median, 1), spread(warm, digits=1), warm.n],
    ]
    body = (
        f"`{result['resource']}` (`{result['type']}`) is backed by `{result['function']}`, whose inline code "
        f"({result['code_bytes']:,} bytes) is taken from the synthesized template, saved as `index.py` and loaded as "
        "module `index`, the way Lambda does. Create events carry the custom resource's real properties "
        "(intrinsic functions filled with stand-ins); S3 is moto's in-process mock (`moto.mock_aws`) and "
        "`ResponseURL` a local HTTP server. This is local CPU cost, not Lambda's: a real cold start adds the "
        "runtime's own init, and real S3 and CloudFormation add network round trips.\n\n"
    )
    body += table(["what", "median", "spread", "runs"], rows)
    body += (
        f"\nAnswer sent: `{result['answer'].get('Status')}`, "
        f"physical id `{result['answer'].get('PhysicalResourceId')}`; "
        f"object written: {written.get('bytes', '?')} bytes, `Content-Type: {written.get('content_type')}`, "
        f"`Cache-Control: {written.get('cache_control')}`.\n"
    )
    report.section("5. The custom-resource handler", body)


def run_page(report: Report) -> None:
    import page

    result = page.measure(runs=4 if report.quick else 9, warmup=1, throttled_runs=3 if report.quick else 9)
    body = (
        f"A small test page (HTML {result['page_bytes']['/p0/page.html']:,} B, CSS, an app script, a "
        f"{result['page_bytes']['/hero.png'] / 1024:.0f} KiB hero image that is the LCP element) loaded in headless "
        "Chromium through puppeteer-core, every load in a fresh browser context with the cache disabled (a first "
        "visit). With rum.js, the page loads it as rumcfn's `ScriptTag` output says (`<script src=\"/rum.js\">` "
        "first in `<head>`); rum.js is the concrete unsigned snippet for each `snippet.load` strategy ("
        + ", ".join(f"{load} {size:,} B" for load, size in result["rum_js_bytes"].items())
        + ") and loads the **real** web client "
        f"(aws-rum-web bundled by esbuild: {result['client_bytes']:,} B, {result['client_gzip']:,} B gzipped, "
        "served gzipped from a separate \"CDN\" origin), which sends to a local collector on a third origin "
        "(CORS preflights included). Only 127.0.0.1 is contacted. Load = `loadEventStart`, LCP = the last "
        "`largest-contentful-paint` entry, both from the navigation start; variants are interleaved and "
        "rotated each run. After measuring, each load waits for its client to run (\"client running\": when it "
        "took over, from the navigation start, median) and then leaves, so the client's page-hide flush sends "
        "what it recorded. Every "
        f"page, the one without RUM too, throws {page.EARLY_ERRORS_PER_LOAD} errors before any client can run (an "
        "uncaught error in an inline script in `<head>`, one at the end of `<body>`, an unhandled rejection); "
        "\"early errors recorded\" counts the `js_error` events the collector received for them, over every load "
        "of the variant (warm-up loads included).\n\n"
    )
    body += (
        "**Each way of loading the client** (the CDN snippet's `cwr.js`, or `rumcfn snippet --format module` "
        "imported by a site's entry point and bundled by esbuild as one ES module, minified; gzip -6 as a CDN "
        "serves it). The module pages load the bundle with one `<script type=module>` tag, standing in for a "
        "site's own bundle:\n\n"
    )
    body += table(
        ["client", "minified bytes", "gzipped bytes"],
        [[name, f"{raw:,}", f"{gz:,}"] for name, (raw, gz) in result["builds"].items()],
    )
    body += (
        "\nEvery strategy bundles the same bytes: with `load = \"after-load\"` or `\"idle\"` the module only "
        "builds the client after the load event (a dynamic import would let a bundler move the client into a chunk "
        "of its own, but it keeps the package's whole namespace: measured with esbuild, the slim client's chunk "
        "was 285 KB, rrweb included).\n\n"
    )
    default = None
    for profile, rows in result["profiles"].items():
        base = rows["without rum.js"]
        lines = []
        for name, row in rows.items():
            load, lcp = row["load"], row["lcp"]
            ratio_load = load["median"] / base["load"]["median"]
            ratio_lcp = lcp["median"] / base["lcp"]["median"] if base["lcp"]["median"] else float("nan")
            recorded, thrown = row["early_errors"]
            lines.append(
                [
                    name,
                    f"{load['median']:.0f} ms",
                    f"{load['q1']:.0f}–{load['q3']:.0f}",
                    "1.00" if row is base else f"{ratio_load:.2f}",
                    f"{lcp['median']:.0f} ms",
                    f"{lcp['q1']:.0f}–{lcp['q3']:.0f}",
                    "1.00" if row is base else f"{ratio_lcp:.2f}",
                    f"{row['dcl']['median']:.0f} ms",
                    "—" if row is base else f"{row['rum_loaded']}/{row['n']}",
                    "—" if row is base or row["client_at"] is None else f"{row['client_at']:.0f} ms",
                    "—" if row is base else f"{recorded} of {thrown}",
                ]
            )
            if name == page.DEFAULT and profile.startswith("throttled"):
                default = (ratio_load, ratio_lcp, recorded, thrown)
        body += f"**{profile}** ({base['n']} runs per variant):\n\n"
        body += table(
            ["variant", "load (median)", "load IQR", "load ratio", "LCP (median)", "LCP IQR", "LCP ratio",
             "DOMContentLoaded", "client ran", "client running", "early errors recorded"],
            lines,
        )
        body += "\n"
    c = result["collector"]
    body += (
        f"What the collector received from all loads: {c['batches']} batches with {c['events']} events "
        f"({', '.join(f'{k} ×{v}' for k, v in c['types'].items())}). LCP is missing there because web-vitals reports "
        "it on the first input or when the page is hidden, and no load here has an input; the client's page-hide "
        "flush leaves before that report (tests/browser/test_loading.py shows LCP arriving after an input).\n\n"
    )
    if default:
        ratio_load, ratio_lcp, recorded, thrown = default
        met = ratio_load <= TARGETS["page"] and ratio_lcp <= TARGETS["page"]
        local = result["profiles"]["localhost, no throttling"]

        throttled = next(rows for name, rows in result["profiles"].items() if name.startswith("throttled"))

        def ratio(rows, name, key="load"):
            return f"{rows[name][key]['median'] / rows['without rum.js'][key]['median']:.2f}×"

        def dcl(rows, name):
            return f"{rows[name]['dcl']['median']:.0f} ms"

        body += (
            "**Reading the numbers.** `eager` inserts the client at once: a script inserted before the load event "
            "delays the load event until it has been fetched, parsed and run (load "
            f"{ratio(local, 'rum.js, load = eager')} on localhost). `after-load` (the default) and `idle` fetch the "
            "client only after the load event, so the page's own resources do not compete with it; the loader "
            "itself is a small parser-blocking script, one more request before the body is parsed "
            f"(DOMContentLoaded without and with it: {dcl(local, 'without rum.js')} and {dcl(local, page.DEFAULT)} "
            f"on localhost, {dcl(throttled, 'without rum.js')} and {dcl(throttled, page.DEFAULT)} throttled; "
            "pasting rum.js into the page, `rumcfn snippet --html`, saves the request). The errors the page "
            "throws before the client runs are kept "
            "by the loader and recorded when the client starts, under every strategy of the snippet. A bundled "
            "module cannot keep errors thrown before the bundle runs (here: inline scripts in the page), whatever "
            "its strategy. The ratio also depends on the page: this test page loads in about "
            f"{local['without rum.js']['load']['median']:.0f} ms; on a page whose load takes seconds the same "
            "absolute cost is a much smaller ratio."
            + (
                " Other work was running on this machine when the bench started (see the load averages), so these "
                "page timings are noisy; compare the IQRs before reading much into small differences."
                if loaded()
                else ""
            )
            + "\n"
        )
        report.headline["page"] = (
            "Page load and LCP with / without rum.js, default `load = \"after-load\"`, throttled",
            f"≤ {TARGETS['page']}",
            met,
            f"{ratio_load:.2f}× load event, {ratio_lcp:.2f}× LCP; early errors recorded {recorded} of {thrown}",
        )
    report.section("6. Page cost of the snippet (headless Chromium)", body)


def run_lab(report: Report) -> None:
    import statistics

    import lab

    result = lab.measure(runs=2 if report.quick else 5)
    rows = []
    for (page, device), row in result["per"].items():
        seconds = Stats(tuple(row["seconds"]))
        lcps = [v for v in row["lcp"] if v is not None]
        rows.append([page, device, f"{seconds.median:.2f} s", spread(seconds, 1 / 1000, 2).replace("IQR", "IQR (s)"),
                     f"{statistics.median(lcps):.0f} ms" if lcps else "–", seconds.n])
    body = (
        "`rumcfn budgets check --lab`: each run is a fresh browser context in one headless Chromium, the page loaded "
        "under the profile, then a 1 s window of network quiet (Lighthouse's default) before the vitals are read "
        "from the page's performance entries. Pages served from 127.0.0.1 (`bench/lab.py`); mobile is Lighthouse's "
        "mobileSlow4G as DevTools applies it (562.5 ms latency, 1,474.56 Kbps down) with the CPU slowed 4×, desktop "
        "unthrottled.\n\n"
    )
    body += table(["page", "profile", "per run (median)", "spread", "LCP (median)", "runs"], rows)
    loads = result["loads"]
    body += (
        f"\nAll {loads} loads in one call: {result['total']:.1f} s ({result['total'] / loads:.2f} s per load, "
        f"Chromium's start included). One page as a process (`rumcfn budgets check --lab URL --runs "
        f"{result['runs']}`, mobile only, exit {result['cli_code']}): {result['cli_seconds']:.1f} s. A CI job's lab "
        "gate costs about pages × profiles × runs × the per-run time above, plus a second or two to start.\n"
    )
    report.section("7. The lab gate (headless Chromium)", body)


RUNNERS: dict[str, tuple[str, Callable[[Report], None]]] = {
    "cli": ("1. The CLI as a process", run_cli),
    "fleet": ("2. Fleet scale (Python API)", run_fleet),
    "lint": ("3. Linting", run_lint),
    "sizes": ("4. Sizes", run_sizes),
    "handler": ("5. The custom-resource handler", run_handler),
    "page": ("6. Page cost of the snippet (headless Chromium)", run_page),
    "lab": ("7. The lab gate (headless Chromium)", run_lab),
}


def render(report: Report, machine_rows, started: datetime, elapsed: float, load_end) -> str:
    head = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` (`bench/run.py`) on {started:%Y-%m-%d %H:%M} UTC, in {elapsed:.0f} s. "
        "Times are medians of several runs with their spread (IQR = 25th–75th percentile, range = min–max). "
        "Nothing here is a unit test: run `make bench` to measure your own machine."
        + (" **Quick mode** (fewer runs): indicative only." if report.quick else ""),
        "",
        "## Machine",
        "",
        table(["", ""], [[k, v] for k, v in machine_rows] + [["Load average at end", load_end]], "ll").rstrip(),
        "",
        "## Targets",
        "",
    ]
    rows = [[what, target, measured, verdict(ok)] for what, target, ok, measured in report.headline.values()]
    head.append(table(["what", "target", "measured", "result"], rows, "llll").rstrip())
    head.append("")
    missed = [what for what, _, ok, _ in report.headline.values() if ok is False]
    if missed:
        head.append(
            "Missed targets are explained in their sections below. "
            + (
                "Other work was running on this machine when the bench started (see the load averages), which "
                "inflates the times; the sizes are exact."
                if busy(machine_rows, load_end)
                else ""
            )
        )
        head.append("")
    tail = (
        "\n## Reproduce\n\n`make bench` writes this file; "
        "`python bench/run.py --only page,sizes --output /tmp/b.md` runs "
        "some sections, `--quick` fewer runs. Sections: " + ", ".join(f"`{s}`" for s in SECTIONS) + ". The code is in "
        "`bench/` (one module per section; `bench/page.mjs` drives Chromium).\n"
    )
    return "\n".join(head) + "\n" + "\n".join(report.parts) + tail


#: 1-minute load average when the bench started (the bench itself loads the machine later on).
START_LOAD = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def loaded() -> bool:
    """Was the machine already busy with other work when the bench started?"""
    return START_LOAD > (os.cpu_count() or 1) * 0.75


def busy(machine_rows, load_end: str) -> bool:
    return loaded()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--quick", action="store_true", help="Fewer runs (a smoke test of the bench itself).")
    parser.add_argument("--only", help=f"Comma-separated sections: {','.join(SECTIONS)}.")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    machine_rows = machine.describe()
    report = Report(args.quick)
    for key in chosen:
        title, runner = RUNNERS[key]
        log(f"{key}: {title}")
        t = time.perf_counter()
        try:
            runner(report)
        except Exception as error:  # noqa: BLE001 - one broken section must not lose the others
            log(f"{key} failed: {error!r}")
            report.failed(title, error)
        log(f"{key}: {time.perf_counter() - t:.1f} s")
    load_end = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    text = render(report, machine_rows, started, time.perf_counter() - t0, load_end)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    log(f"wrote {out} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
