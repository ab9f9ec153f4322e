"""Regenerate the README's generated parts (``make readme``): the settings reference from the dataclass
docs, and the Regions where the default stack cannot deploy from cfn-lint's region schemas."""

import re
from pathlib import Path

from rumcfn.config import Settings, reference
from rumcfn.template.reader import from_settings
from rumcfn.template.regions import markdown


def replace(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    return re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: start + body + end, text, flags=re.S)


path = Path(__file__).resolve().parent.parent / "README.md"
text = replace(path.read_text(), "settings-reference", reference())
text = replace(text, "deploy-regions", markdown(from_settings(Settings()).data))
path.write_text(text)
