"""National-scale data: a generator built from the real files' distributions (see
docs/methods/national-scale-generator.md)."""
