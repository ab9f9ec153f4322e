"""A finished template as text or data: output, reading, lint, diagram."""
