"""Regenerate the README's settings reference from the dataclass docs (``make readme``)."""

import re
from pathlib import Path

from rumcfn.config import reference

path = Path(__file__).resolve().parent.parent / "README.md"
text = path.read_text()
start, end = "<!-- settings-reference:start -->\n", "<!-- settings-reference:end -->"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: start + reference() + end, text, flags=re.S)
path.write_text(text)
