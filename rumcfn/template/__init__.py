"""A finished template as text or data: output, the one reader, lint, the Regions it can deploy to, what its
values became in a deployed stack (:mod:`.resolve`), the diagram."""
