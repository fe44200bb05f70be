"""The built-in sources, registered explicitly at start-up."""

from __future__ import annotations

from pathlib import Path

from checks.sources.base import PROGRAM_HELP, Collected
from checks.sources.registry import FileSource, SourceRegistry, SourceRequest


class ProgramSource:
    """The program under mocks (`checks.sources.program`), imported when a program is scanned:
    a file scan or an audit never pays for the Pulumi runner and its asyncio machinery."""

    kind = "program"
    option = None
    help = PROGRAM_HELP

    def collect(self, request: SourceRequest) -> Collected:
        from checks.sources.program import ProgramSource as Runner

        return Runner().collect(request)


# Each reader is imported when its kind of file is read: a run pays only for the source it
# reads (tests/unit/test_cli_lazy.py holds a file scan to that).
def _load_preview(path: Path) -> Collected:
    from checks.sources.preview import load_preview

    return load_preview(path)


class AwsSource:
    """The live account: its collectors (boto3) are imported when an audit runs."""

    kind = "aws"
    option = None
    help = "the live AWS account (or the emulator, with --endpoint-url)"

    def collect(self, request: SourceRequest) -> Collected:
        from checks.sources.aws.collectors import all_collectors
        from checks.sources.aws.source import AwsSource as Live

        return Live(all_collectors()).collect(request)


def _load_state(path: Path) -> Collected:
    from checks.sources.state import load_state

    return load_state(path)


def build_sources() -> SourceRegistry:
    """The built-in sources: the program under mocks (the default for `scan`), preview and
    state files, and the live account (`audit`)."""
    return SourceRegistry(
        [
            ProgramSource(),
            AwsSource(),
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
        ],
        default="program",
    )
