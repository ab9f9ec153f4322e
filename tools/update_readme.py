"""Regenerate the documentation's generated parts (``make readme``): the install commands in the README from the
version, the settings reference and the Limits table in docs/configuration.md from the code, and the Regions where
the default stack cannot deploy in docs/deploying.md from cfn-lint's region schemas, and rum.js's size per load
strategy and the bundled module's in docs/loading-and-first-party.md."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rumcfn.config import Settings, reference  # noqa: E402
from rumcfn.template.reader import from_settings  # noqa: E402
from rumcfn.template.regions import markdown  # noqa: E402
from rumcfn.version import __version__, git_reference  # noqa: E402
from tests.support.sizes import limits_table, load_sizes_table, module_bytes_table  # noqa: E402


def install() -> str:
    """The README's install commands, pinned to this version's tag."""
    ref, wheel = git_reference(), f"rumcfn-{__version__}-py3-none-any.whl"
    lines = [(f'pipx install "{ref}"', "its own environment, rumcfn on PATH"),
             (f'python -m pip install "{ref}"', "or into the active virtualenv"),
             (f"python -m pip install {wheel}", "a wheel `make dist` built in dist/")]
    width = max(len(command) for command, _ in lines) + 3
    return "```sh\n" + "".join(f"{command:<{width}}# {why}\n" for command, why in lines) + "```\n"


#: file -> marker name -> what goes between ``<!-- name:start -->`` and ``<!-- name:end -->``
BLOCKS = {
    "README.md": {"install": install},
    "docs/configuration.md": {"settings-reference": reference, "limits": limits_table},
    "docs/deploying.md": {"deploy-regions": lambda: markdown(from_settings(Settings()).data)},
    "docs/loading-and-first-party.md": {"load-sizes": load_sizes_table, "module-bytes": module_bytes_table},
}


def block(text: str, name: str) -> str:
    """What a generated block holds now."""
    return text.split(f"<!-- {name}:start -->\n", 1)[1].split(f"<!-- {name}:end -->", 1)[0]


def main() -> None:
    for name, blocks in BLOCKS.items():
        path = ROOT / name
        text = path.read_text()
        for marker, generate in blocks.items():
            start, end = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
            text = re.sub(re.escape(start) + ".*?" + re.escape(end),
                          lambda m, start=start, generate=generate, end=end: start + generate() + end, text, flags=re.S)
        path.write_text(text)


if __name__ == "__main__":
    main()
