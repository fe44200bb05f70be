"""`python -m safeguard ARGS` runs `safeguard ARGS`."""

from __future__ import annotations

import sys

from scripts.cli import main

if __name__ == "__main__":
    sys.exit(main())
