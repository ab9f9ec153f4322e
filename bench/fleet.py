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
