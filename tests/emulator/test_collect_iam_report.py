"""The credential report AWS hands back may be up to four hours old: a user made since is in no
row, and the checks that judge every user's credentials say they cannot vouch for that user."""

from __future__ import annotations

from typing import Any

from checks.registry import Status
from checks.sources.aws.services import iam_credentials
from checks.sources.aws.session import Account
from tests.emulator.live_audit import audit, findings


def _report_without(monkeypatch: Any, user: str) -> None:
    """GetCredentialReport answers as a report generated before `user` existed would."""
    original = Account.client

    def drop_row(parsed: dict, **_: Any) -> None:
        lines = parsed["Content"].decode().splitlines()
        kept = [line for line in lines if not line.startswith(f"{user},")]
        parsed["Content"] = ("\n".join(kept) + "\n").encode()

    def client(self: Account, name: str, region: str) -> Any:
        made = original(self, name, region)
        if name == "iam":
            made.meta.events.register("after-call.iam.GetCredentialReport", drop_row)
        return made

    monkeypatch.setattr(Account, "client", client)


def test_a_user_newer_than_the_report_leaves_the_per_user_checks_not_evaluated(aws, monkeypatch):
    iam = aws.client("iam")
    for user in ("alice", "mallory"):
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Correct-Horse-9-Battery")
    _report_without(monkeypatch, "mallory")
    evaluation = audit(aws, iam_credentials.COLLECTORS)
    (console,) = [f for f in findings(evaluation, "iam_console_user_mfa_active")
                  if f.status is Status.NOT_EVALUATED]  # fmt: skip
    assert "predates the user(s) mallory" in console.message


def test_a_report_that_has_every_user_is_judged(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9-Battery")
    evaluation = audit(aws, iam_credentials.COLLECTORS)
    statuses = {f.status for f in findings(evaluation, "iam_console_user_mfa_active")}
    assert statuses == {Status.FAIL}
