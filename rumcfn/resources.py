"""Locating the files that ship beside the code: ``templates/`` and ``handlers/``.

In a source checkout they sit at the top of the repository; in an installed wheel they are packaged
as ``rumcfn/templates`` and ``rumcfn/handlers``. One lookup serves both.
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def resource_dir(name: str) -> Path:
    package = Path(__file__).resolve().parent
    for candidate in (package / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rumcfn is installed without its {name}/ directory")


def read_resource(name: str, filename: str) -> str:
    return (resource_dir(name) / filename).read_text(encoding="utf-8")


@functools.cache
def jinja_env():
    """One jinja2 environment for every template: undefined variables are errors, nothing is escaped."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def render(template_name: str, **values) -> str:
    return jinja_env().get_template(template_name).render(**values)
