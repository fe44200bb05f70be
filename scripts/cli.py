"""The `safeguard` command: the one place that wires sources, checks, the assessment and the
renderers together. Each subcommand is a module of `scripts.commands`; this file only builds the
parser and catches the errors a user can act on, once."""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from typing import IO

from checks.errors import InputError
from checks.text import safe_text
from policies.exit_codes import ExitCode
from policies.version import tool_version

# Each subcommand's module (scripts.commands.<module>), in the order `--help` lists them. A run
# imports only the module of the command it names: a file scan should not pay for the live
# audit's or the PDF printer's imports. tests/unit/test_cli_lazy.py holds this table to what
# the modules register.
COMMANDS = {
    "scan": "scan",
    "fix": "fix",
    "audit": "audit",
    "drift": "drift",
    "nightly": "nightly",
    "demo": "demo",
    "checks": "listing",
    "framework": "listing",
    "report": "report",
    "merge": "merge",
    "history": "history",
    "verify": "verify",
    "keygen": "keygen",
}

_MEANINGS = {
    ExitCode.OK: "no check failed at or above --fail-on, and every check could be evaluated",
    ExitCode.FAILED: "at least one check failed at or above --fail-on",
    ExitCode.INPUT: "usage or input error (one line on stderr names the file and the problem)",
    ExitCode.NOT_EVALUATED: (
        "no blocking failure, but some checks could not be evaluated (NOT_EVALUATED)"
    ),
}
EXIT_CODES_HELP = "exit codes:\n" + "".join(f"  {c:d}  {m}\n" for c, m in _MEANINGS.items())


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors made as safe for the terminal as every other message
    (an argument can quote anything); subcommand parsers are of the same class."""

    # Set on a parser built for one command: its own usage errors are said by the whole
    # parser instead, so they list every command as they would have (`build_parser`).
    whole_argv: Sequence[str] | None = None

    def _print_message(self, message: str, file: IO[str] | None = None) -> None:
        super()._print_message(safe_text(message) if message else message, file)

    def error(self, message: str):  # type: ignore[override]
        if self.whole_argv is not None:
            build_parser().parse_args(self.whole_argv)  # says the same error, and exits 2
        super().error(message)


def _named_command(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names, when its first word is one: an option before it is the
    top-level parser's (`--help`, `--version`, or an abbreviation argparse accepts of one of
    them), which needs every command listed."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser, or, when `argv` is given and names a command, one with only that
    command's module imported (what it parses, its help and its errors are the same)."""
    parser = _Parser(
        prog="safeguard",
        description="HIPAA safeguards for Pulumi programs and AWS accounts: evidence, not a "
        "compliance claim.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_CODES_HELP,
    )
    # The one version, pyproject.toml's, as the installed distribution states it.
    parser.add_argument("--version", action="version", version=f"safeguard {tool_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    named = _named_command(argv) if argv is not None else None
    modules = [COMMANDS[named]] if named else list(dict.fromkeys(COMMANDS.values()))
    if named:
        parser.whole_argv = list(argv or ())
    for module in modules:
        importlib.import_module(f"scripts.commands.{module}").add_parser(sub, EXIT_CODES_HELP)
    return parser


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM (a CI job cancelled, `kill`) unwinds like Ctrl-C: workers and the emulator are
    # stopped and temporary folders (which may hold a deploy's secrets) removed on the way out.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser(sys.argv[1:] if argv is None else argv).parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(args.handler(args))
    except InputError as exc:
        # One line, whatever the message quotes: no escape sequence or control character of a
        # program's exception or a file's content reaches the terminal.
        print(f"safeguard: error: {safe_text(str(exc), one_line=True)}", file=sys.stderr)
        return ExitCode.INPUT
    except KeyboardInterrupt:
        print("safeguard: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
