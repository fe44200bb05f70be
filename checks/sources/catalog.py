"""The built-in sources, registered explicitly at start-up."""

from __future__ import annotations

from pathlib import Path

from checks.sources.base import Collected
from checks.sources.program import ProgramSource
from checks.sources.registry import FileSource, SourceRegistry


# The file readers are imported when a file is read: they pull in the Pulumi SDK, which the
# command's start-up (and `--help`) should not pay for.
def _load_preview(path: Path) -> Collected:
    from checks.sources.preview import load_preview

    return load_preview(path)


def _load_state(path: Path) -> Collected:
    from checks.sources.state import load_state

    return load_state(path)


def build_sources() -> SourceRegistry:
    """The built-in sources: the program under mocks (the default), preview and state files."""
    return SourceRegistry(
        [
            ProgramSource(),
            FileSource(
                "preview",
                "--preview",
                "scan a `pulumi preview --json` output instead of running a program",
                _load_preview,
            ),
            FileSource(
                "state",
                "--state",
                "scan a `pulumi stack export` file (version 3 or 4)",
                _load_state,
            ),
        ]
    )
