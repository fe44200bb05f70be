"""`safeguard fix PROGRAM_DIR`: the suggested fixes of a program's failing checks as one unified
diff (stdout, or `--diff FILE`); `--apply` writes them into the program and scans it again to
show that each fixed check now passes.

Only fixes that are an input of the declared resource are written (`checks/fixes.yaml` lists
them); the rest are named with why, on stderr. Waived findings are left alone. Exit codes: 0 the
diff was written (or there was nothing to fix), or `--apply` fixed every finding it touched; 1
`--apply` wrote the fixes but a finding it touched still fails; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
from pathlib import Path

from checks.errors import InputError
from checks.sources.base import DEFAULT_TIMEOUT
from checks.sources.catalog import build_sources
from checks.sources.registry import SourceRequest
from checks.text import safe_text
from policies.exit_codes import ExitCode
from scripts.commands.pipeline import collect_and_assess
from scripts.output import Progress, key_values, say


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    from scripts.commands.scan import _seconds

    fix = sub.add_parser(
        "fix",
        help="write the input-level fixes of a program's failing checks as a diff (--apply "
        "applies them)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    fix.add_argument("program_dir", metavar="PROGRAM_DIR", help="the Pulumi Python program")
    fix.add_argument("--stack", help="stack whose Pulumi.<stack>.yaml config to use")
    fix.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    fix.add_argument("--secret", action="append", default=[], metavar="KEY=VALUE")
    fix.add_argument(
        "--check",
        dest="checks",
        action="append",
        metavar="IDS",
        help="fix only these checks: ids, control ids or patterns, comma-separated, repeatable",
    )
    fix.add_argument(
        "--waivers",
        metavar="FILE",
        help="waivers YAML (default: policies/waivers/<stack>.yaml in the program folder); "
        "waived findings are not fixed",
    )
    fix.add_argument("--diff", metavar="FILE", help="write the diff to FILE instead of stdout")
    fix.add_argument(
        "--apply",
        action="store_true",
        help="write the fixes into the program's files, then scan again to confirm them",
    )
    fix.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS")
    fix.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    fix.set_defaults(handler=run, checks_option="--check")


def _assess(args: argparse.Namespace, progress: Progress):
    sources = build_sources()
    request = SourceRequest(
        location=None,
        program_dir=Path(args.program_dir),
        stack=args.stack,
        config=key_values(args.config, "--config"),
        secrets=key_values(args.secret, "--secret"),
        progress=progress,
        timeout=args.timeout,
    )
    return collect_and_assess(args, sources.default, request, progress)


def _write(path: Path, text: str) -> None:
    """Replace the file's text in one step, keeping its permissions."""
    mode = path.stat().st_mode
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fix")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(partial, mode)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _diff_target(args: argparse.Namespace, home: Path) -> Path | None:
    """`--diff FILE`, checked before the program runs: not inside the program (it would
    overwrite a program file), in a folder that exists."""
    if not args.diff:
        return None
    target = Path(args.diff).resolve()
    if target.is_relative_to(home):
        raise InputError(f"--diff {args.diff}: inside the program folder; write it elsewhere")
    if not target.parent.is_dir():
        raise InputError(f"--diff {args.diff}: no such folder {target.parent}")
    return target


def _writable(patches) -> None:
    """Every file to change may be changed: a read-only file is left alone, and so is the rest
    (all the fixes or none)."""
    for patch in patches:
        if not patch.path.stat().st_mode & stat.S_IWUSR or not os.access(patch.path, os.W_OK):
            raise InputError(f"{patch.file}: read-only; no file was changed")


def _shown(diff: str) -> str:
    """The diff for a terminal: a program's escape sequences or control characters are not let
    act on it (a diff written to a pipe or a file stays byte for byte)."""
    if not sys.stdout.isatty():
        return diff
    return "".join(safe_text(line.rstrip("\r\n")) + "\n" for line in diff.splitlines(True))


def run(args: argparse.Namespace) -> int:
    from policies.fix_patch import combined
    from policies.redaction import scrubber
    from policies.source_edit import unified_diff

    progress = Progress(args.quiet)
    home = Path(args.program_dir).resolve()
    diff_file = _diff_target(args, home)
    assessment = _assess(args, progress)
    scrub = scrubber(assessment.evaluation.inventory, assessment.secrets)

    def said(text: str) -> None:
        progress(scrub.text(text) if scrub else text)

    fixes = assessment.fixes
    by_id = {f.id: f for f in assessment.findings}
    for fix in fixes.values():
        if fix.manual:
            finding = by_id[fix.finding_id]
            said(f"no automatic edit for {fix.check_id} on {finding.resource.name}: {fix.manual}")
    merged = combined(fixes.values(), home, redact=scrub.text)
    for finding_id, why in merged.left_out:
        finding = by_id[finding_id]
        said(f"left out {finding.check.id} on {finding.resource.name}: {why}")
    diff = "".join(unified_diff(p.file, p.before, p.after) for p in merged.patches)
    if scrub and scrub.text(diff) != diff and (diff_file or not args.apply):
        raise InputError(
            f"{args.program_dir}: the diff would show a secret value (an input the program "
            "marks secret, a password, or a --secret value); use --apply without --diff to "
            "write the fixes without showing them"
        )
    fixed = {i for p in merged.patches for i in p.finding_ids}
    partial = {i for i in fixed if fixes[i].still_fails}
    for finding_id in sorted(partial):
        finding = by_id[finding_id]
        said(
            f"partial fix for {finding.check.id} on {finding.resource.name}: with it the check "
            f"still fails: {fixes[finding_id].still_fails}"
        )
    said(
        f"{len(fixed)} finding(s) fixed in {len(merged.patches)} file(s); "
        f"{sum(1 for f in fixes.values() if f.manual) + len(merged.left_out)} need a hand"
    )
    if diff_file:
        diff_file.write_text(diff, encoding="utf-8", newline="")
        say(f"Diff written: {args.diff}")
    elif not args.apply:
        sys.stdout.write(_shown(diff))
    if not args.apply or not merged.patches:
        return ExitCode.OK
    _writable(merged.patches)
    for patch in merged.patches:
        _write(patch.path, patch.after)
        say(f"Fixed: {patch.file}")
    progress("scanning the program again to confirm the fixes…")
    again = {f.id: f for f in _assess(args, progress).findings}
    still = sorted(i for i in fixed - partial if i not in again or again[i].status.value != "PASS")
    for finding_id in still:
        if finding_id not in again:
            say(f"{finding_id}: no longer found after the fix; check the program by hand")
            continue
        finding = again[finding_id]
        say(
            f"not confirmed: {finding.check.id} on {finding.resource.name} is "
            f"{finding.status.value}: {scrub.text(finding.message) if scrub else finding.message}"
        )
    if still:
        return ExitCode.FAILED
    say(f"confirmed: the {len(fixed - partial)} fixed finding(s) now pass")
    if partial:
        say(f"{len(partial)} partial fix(es) written: those checks need more, as said above")
    return ExitCode.OK
