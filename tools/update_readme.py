"""Regenerate the README's generated parts (``make readme``): the settings reference from the dataclass docs,
the Regions where the default stack cannot deploy from cfn-lint's region schemas, and the Limits table from
the templates the code builds now."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rumcfn.config import Settings, reference  # noqa: E402
from rumcfn.template.reader import from_settings  # noqa: E402
from rumcfn.template.regions import markdown  # noqa: E402
from tests.support.sizes import limits_table  # noqa: E402

#: marker name -> what goes between ``<!-- name:start -->`` and ``<!-- name:end -->``
BLOCKS = {
    "settings-reference": reference,
    "deploy-regions": lambda: markdown(from_settings(Settings()).data),
    "limits": limits_table,
}

path = ROOT / "README.md"
text = path.read_text()
for name, generate in BLOCKS.items():
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    text = re.sub(
        re.escape(start) + ".*?" + re.escape(end),
        lambda m, start=start, generate=generate, end=end: start + generate() + end,
        text,
        flags=re.S,
    )
path.write_text(text)
