"""Whose findings a run reports: the account baseline belongs to a program only when it owns it.

A service stack (one bucket, one function) is deployed into an account whose baseline (the
multi-region trail, GuardDuty, Security Hub, the Config recorder, the password policy, the root
account, the break-glass role) lives elsewhere: another stack, a landing zone, the console. Its
absence from the program is true and useless in that program's pull request. So the checks of
the baseline (`Check.baseline`) are judged:

- always for the live account (`safeguard audit`): the baseline is there or it is not;
- in a program, preview or state scan, when the scope is `account` (`--scope account`, or the
  stack setting `safeguard:scope: account`), or, with the default `auto`, when the program
  declares any resource of the baseline (`BASELINE_TYPES`): then it owns it, and what it
  leaves out is its own gap.

Otherwise they are left out of the run, and the run says so once (`Scope.note`), pointing at
the live audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checks.errors import InputError
from checks.model import Resource
from checks.registry import Registry

SCOPES = ("auto", "program", "account")
# A program that declares one of these manages the account's baseline.
BASELINE_TYPES = frozenset({
    "aws:cloudtrail/trail:Trail",
    "aws:guardduty/detector:Detector",
    "aws:securityhub/account:Account",
    "aws:cfg/recorder:Recorder",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
})  # fmt: skip
SETTING = "safeguard:scope"


@dataclass(frozen=True)
class Scope:
    mode: str  # auto, program, account: what was asked
    baseline: bool  # whether the baseline checks are judged
    why: str
    left_out: tuple[str, ...] = ()  # ids of the baseline checks not judged

    def note(self) -> str | None:
        """The one line a report gives a baseline left out; None when it was judged."""
        if self.baseline:
            return None
        return (
            f"The account baseline is not in this program's scope ({self.why}): "
            f"{len(self.left_out)} account checks were not run. `safeguard audit` judges it on "
            "the deployed account; `--scope account` judges it here."
        )

    def as_record(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "account_baseline": "judged" if self.baseline else "not in scope",
            "why": self.why,
            "left_out": list(self.left_out),
            "note": self.note(),
        }


def chosen_mode(option: str | None, setting: str | None) -> str:
    """`--scope` wins over the stack setting, which wins over `auto`; anything else is an error."""
    for value, where in ((option, "--scope"), (setting, f"the stack setting {SETTING}")):
        if value is None:
            continue
        if value not in SCOPES:
            raise InputError(f"{where} {value!r}: choose from {', '.join(SCOPES)}")
        return value
    return "auto"


def decide(mode: str, kind: str, resources: Iterable[Resource], registry: Registry) -> Scope:
    """Whether this run judges the account baseline, and why."""
    left = tuple(c.id for c in registry if c.baseline)
    if kind == "aws":
        return Scope(mode, True, "the live account holds its own baseline")
    if mode == "account":
        return Scope(mode, True, "asked for: scope account")
    if mode == "program":
        return Scope(mode, False, "asked for: scope program", left)
    owned = sorted({r.type for r in resources if r.type in BASELINE_TYPES})
    if owned:
        return Scope(mode, True, f"the program declares {', '.join(owned)}")
    return Scope(mode, False, "the program declares no account-baseline resource", left)


def without_baseline(registry: Registry, scope: Scope) -> Registry:
    """The registry less the baseline checks a scope leaves out."""
    if scope.baseline:
        return registry
    return Registry(c for c in registry if not c.baseline)
