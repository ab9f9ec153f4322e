"""Many sites in one process through the Python API: build, serialize, lint."""

from __future__ import annotations

import gc
import time

from timing import Stats, repeat


def site_settings(index: int):
    """Settings for site ``index``: its own monitor name, domain and bucket."""
    from rumcfn.config import Settings, with_overrides

    return with_overrides(Settings(), {
        "monitor.name": f"site-{index:04d}",
        "monitor.domains": (f"www.site{index:04d}.example.com",),
        "script.bucket": f"site-{index:04d}-assets",
    })


def build_fleet(count: int) -> list[str]:
    """Settings, template and JSON text for ``count`` sites (settings validation included)."""
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    return [to_json(build_template(site_settings(i))) for i in range(count)]


def fleet_scaling(sizes=(1, 10, 100, 1000), runs: dict[int, int] | None = None,
                  budget: float = 20.0) -> dict[int, Stats]:
    """Time to build ``n`` templates in one (warm) process, for each ``n`` (at most ``budget``
    seconds per size once 3 runs are done; 2 runs for the largest size)."""
    runs = runs or {}
    build_fleet(3)  # warm: imports, jinja template cache
    results = {}
    for size in sizes:
        gc.collect()
        results[size] = repeat(lambda size=size: build_fleet(size), runs.get(size, 5), budget=budget,
                                min_runs=min(runs.get(size, 5), 2 if size >= 1000 else 3))
    return results


def profile_build(count: int = 20, top: int = 8) -> list[tuple[str, float]]:
    """Where building time goes: rumcfn functions by share of cumulative time (cProfile, ``count`` sites)."""
    import cProfile
    import pstats

    build_fleet(2)
    profiler = cProfile.Profile()
    profiler.enable()
    build_fleet(count)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(stats.total_tt, 1e-9)
    rows = []
    for (filename, _line, name), (_, _, _, cumulative, _) in stats.stats.items():
        if "/rumcfn/" in filename.replace("\\", "/") and name not in ("<listcomp>", "<module>", "<genexpr>"):
            module = filename.replace("\\", "/").rsplit("/rumcfn/", 1)[1].removesuffix(".py").replace("/", ".")
            rows.append((f"rumcfn.{module}.{name}", cumulative / total))
    rows.sort(key=lambda row: -row[1])
    return [row for row in rows if not row[0].endswith((".build_template", ".build_stack"))][:top]


def first_template_in_fresh_process() -> Stats:
    """Import + one template through the API in a new interpreter (what a script pays once)."""
    import subprocess
    import sys

    code = (
        "import time; t=time.perf_counter(); from rumcfn.template.output import to_json; "
        "from rumcfn.stack.assemble import build_template; "
        "to_json(build_template()); print(time.perf_counter()-t)"
    )
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(7)
    ]
    return Stats(tuple(samples))


def lint_costs(fleet_size: int = 100, single_runs: int = 10, budget: float = 8.0) -> dict[str, object]:
    """One Linter: its start-up, one template, and ``fleet_size`` different templates."""
    from rumcfn.template.lint import Linter

    start = time.perf_counter()
    linter = Linter()
    startup = time.perf_counter() - start
    texts = build_fleet(fleet_size)
    findings = linter.lint(texts[0])  # warm
    single = repeat(lambda: linter.lint(texts[0]), single_runs, budget=budget, min_runs=5)
    start = time.perf_counter()
    total_findings = sum(len(linter.lint(text)) for text in texts)
    fleet = time.perf_counter() - start
    return {
        "startup": startup,
        "single": single,
        "fleet": fleet,
        "fleet_size": fleet_size,
        "findings_first": [str(f) for f in findings],
        "findings_total": total_findings,
    }


#: The fleet file's sites: most differ only in values; every 100th records errors and performance only, every
#: 250th is unsigned (resource-policy), every 500th has its LCP budget off: a few shapes, as a real fleet has.
def fleet_toml(count: int) -> str:
    """One rumcfn.toml with ``count`` [[sites]] tables over shared settings."""
    lines = ["[monitor]", 'tags = { team = "web" }', "", "[budgets]", "lcp = 2500", ""]
    for i in range(count):
        lines += ["[[sites]]", f'name = "site-{i:04d}"', f'domains = ["www.site{i:04d}.example.com"]',
                  f'bucket = "site-{i:04d}-assets"']
        if i % 100 == 1:
            lines.append('monitor = { telemetries = ["errors", "performance"] }')
        if i % 250 == 2:
            lines.append('auth = { mode = "resource-policy" }')
        if i % 500 == 3:
            lines.append('budgets = { lcp = "off" }')
        lines.append("")
    return "\n".join(lines)


def fleet_file_pipeline(count: int = 1000) -> dict[str, object]:
    """``rumcfn synth --fleet`` as a library pipeline over one fleet file of ``count`` sites: read and check every
    site, group by shape and build one template per shape, lint each distinct template once (one Linter), write
    every file (templates, two parameter files per site, the manifest). Wall-clock seconds of each step."""
    import tempfile
    from pathlib import Path

    from rumcfn.config.fleet import load_fleet
    from rumcfn.template.fleet import lint_fleet, synth_fleet
    from rumcfn.template.lint import Linter

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rumcfn.toml"
        path.write_text(fleet_toml(count))
        times: dict[str, float] = {}
        cpu = time.process_time()
        start = time.perf_counter()
        fleet = load_fleet(path)
        times["read and check every site"] = time.perf_counter() - start
        mark = time.perf_counter()
        result = synth_fleet(fleet)
        times["group by shape, build each template"] = time.perf_counter() - mark
        mark = time.perf_counter()
        linter = Linter()
        times["cfn-lint start-up (once)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        findings = lint_fleet(result, linter.lint)
        times["lint each distinct template once"] = time.perf_counter() - mark
        mark = time.perf_counter()
        out = Path(folder) / "out"
        files = result.files()
        for relative, text in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        times["write every file"] = time.perf_counter() - mark
        total = time.perf_counter() - start
        cpu = time.process_time() - cpu
    return {
        "cpu": cpu,
        "sites": len(fleet.sites),
        "templates": len(result.templates),
        "lint_runs": len(findings),
        "findings": sum(len(f) for f in findings.values()),
        "files": len(files),
        "times": times,
        "total": total,
        "largest_group": max(len(t.sites) for t in result.templates),
    }


def fleet_file_fresh_process(count: int = 1000) -> tuple[float, float]:
    """The whole pipeline in a new interpreter, imports included (what ``rumcfn synth --fleet`` costs): wall-clock
    and CPU seconds."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import time; t = time.perf_counter(); c = time.process_time(); import fleet; "
            "r = fleet.fleet_file_pipeline(%d); print(time.perf_counter() - t, time.process_time() - c)" % count)
    here = str(Path(__file__).resolve().parent)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=here)
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)
