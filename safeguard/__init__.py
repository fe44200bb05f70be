"""`python -m safeguard`: the `safeguard` command under the name a user types.

The command itself lives in `scripts.cli` (the one place that wires sources, checks, the
assessment and the renderers together); this package only gives it a module name."""
