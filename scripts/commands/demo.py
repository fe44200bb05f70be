"""`safeguard demo`: the live audit, start to finish, with no AWS account.

It starts the embedded emulator, prepares the account as a governed one, deploys the billing
system into it (the emulated deploy), audits it, makes three changes the way someone in the
console would, audits again with the first run as the trend's baseline, prints where both
reports are, and stops everything it started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from checks.errors import InputError
from scripts.commands import audit
from scripts.output import FORCE_HELP, Progress, check_out, formats, say

AS_DEPLOYED = "1-as-deployed"
AFTER_CHANGES = "2-after-console-changes"
# What must not leak from the user's shell into the demo: it talks to the emulator only.
_AWS_SETTINGS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


def add_parser(sub: argparse._SubParsersAction, epilog: str) -> None:
    demo = sub.add_parser(
        "demo",
        help="no AWS needed: deploy the billing system into the embedded emulator, audit it, "
        "change it by hand, audit again",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    demo.add_argument(
        "program_dir", nargs="?", default=".", help="the Pulumi program to deploy (default: .)"
    )
    demo.add_argument("--stack", default="prod", help="its stack (default: prod)")
    demo.add_argument(
        "--out",
        default="safeguard-demo",
        help=f"output folder (default: ./safeguard-demo), with {AS_DEPLOYED}/ and "
        f"{AFTER_CHANGES}/ in it",
    )
    demo.add_argument(
        "--format", default="html,md,json", help="formats of both reports (json is always kept)"
    )
    demo.add_argument("--force", action="store_true", help=FORCE_HELP)
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    demo.set_defaults(handler=run)


@contextlib.contextmanager
def _emulator_credentials(region: str) -> Iterator[None]:
    """The environment of this process pointed at the emulator for the demo, and restored
    after: a profile or endpoint of the user's can never send a demo call to a real account."""
    from checks.sources.aws.emulator import CREDENTIALS

    saved = dict(os.environ)
    for name in _AWS_SETTINGS:
        os.environ.pop(name, None)
    os.environ.update(CREDENTIALS, AWS_DEFAULT_REGION=region)
    # The emulator is on loopback: never through the user's proxy.
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"]))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _audit(endpoint: str, region: str, out: Path, args: argparse.Namespace, previous=None) -> int:
    """One `safeguard audit` of the emulator, with the demo's output options."""
    parser = argparse.ArgumentParser(prog="safeguard")
    audit.add_parser(parser.add_subparsers(), "")
    formats = args.format if "json" in args.format.split(",") else args.format + ",json"
    argv = ["audit", "--endpoint-url", endpoint, "--regions", region, "--out", str(out)]
    argv += ["--history", str(out.parent / "history.sqlite")]  # the demo's runs, kept with it
    argv += ["--format", formats, *(["--force"] if args.force else [])]
    argv += [*(["--previous", str(previous)] if previous else []), *(["-q"] if args.quiet else [])]
    parsed = parser.parse_args(argv)
    return int(parsed.handler(parsed))


def _failures(record_path: Path) -> dict[tuple[str, str], str]:
    """(check id, resource id) → resource name, for every FAIL of a run."""
    record = json.loads(record_path.read_text(encoding="utf-8"))
    return {
        (f["check_id"], (f.get("resource") or {}).get("id") or ""): (
            (f.get("resource") or {}).get("name") or "the account"
        )
        for f in record["findings"]
        if f["status"] == "FAIL"
    }


def run(args: argparse.Namespace) -> int:
    from checks.sources.aws.emulator import Emulator
    from reports.renderers import build_renderers
    from scripts.emulate.baseline import prepare_account
    from scripts.emulate.clients import Clients
    from scripts.emulate.console import the_demo_changes
    from scripts.emulate.deploy import deploy, stack_region

    progress = Progress(args.quiet)
    program, out = Path(args.program_dir), Path(args.out)
    region = stack_region(program, args.stack)
    renderers = build_renderers("A4")
    if not args.out.strip():
        raise InputError("--out: name a folder")
    formats(args.format, renderers)  # refused now, not after the deploy
    for folder in (AS_DEPLOYED, AFTER_CHANGES):
        check_out(out / folder, renderers, args.force)
    with _emulator_credentials(region), Emulator(aws_managed_policies=True) as emulator:
        progress(f"started the emulator (moto) at {emulator.endpoint}, on loopback only")
        progress(prepare_account(emulator, [region]).describe())
        progress(f"deploying {program} (stack {args.stack}) into the emulator…")
        report = deploy(program, args.stack, emulator.endpoint, progress=progress.detail)
        progress(report.summary())
        for skipped in report.not_emulated:
            progress.detail(f"not emulated: {skipped.type} {skipped.name}: {skipped.reason}")
        progress("audit 1 of 2: the account as deployed")
        _audit(emulator.endpoint, region, out / AS_DEPLOYED, args)
        changes = the_demo_changes(Clients(emulator.endpoint, region), report)
        for change in changes:
            progress(f"console change: {change.what} ({change.resource})")
        progress("audit 2 of 2: the account after the console changes")
        before = out / AS_DEPLOYED / "safeguard-scan.json"
        _audit(emulator.endpoint, region, out / AFTER_CHANGES, args, previous=before)
    progress("stopped the emulator")
    new = {
        key: name
        for key, name in _failures(out / AFTER_CHANGES / "safeguard-scan.json").items()
        if key not in _failures(before)
    }
    missed = [c for c in changes if c.check_id not in {check for check, _ in new}]
    say(f"The second audit found {len(new)} new failure(s) the console changes made:")
    for (check_id, _), name in sorted(new.items()):
        say(f"  FAIL {check_id}: {name}")
    for change in missed:
        say(f"  NOT CAUGHT: {change.what} ({change.resource}), expected {change.check_id}")
    say(f"Reports: {out / AS_DEPLOYED} and {out / AFTER_CHANGES} (open safeguard-report.html)")
    return 1 if missed else 0
