"""Live collectors: IAM sign-in credentials, and the account facts only the live account shows.

Each user's console password (`UserLoginProfile`), access keys (`AccessKey`: status and
creation date) and the account's virtual MFA devices (`VirtualMfaDevice`), as the provider
records them. And two facts no Pulumi resource declares, in types only this source produces
(`checks/support/resource_types.py`):

- `CredentialReportRow`: one per row of the IAM credential report, the root account's
  ("<root_account>") included; its columns as props, named as AWS names them
  (`password_enabled`, `mfa_active`, `access_key_1_last_rotated`, ...): "true"/"false" as
  booleans, timestamps as ISO 8601 text, and AWS's "N/A", "no_information" and
  "not_supported" as None. `generated_time` is when AWS generated the report, `audit_time`
  when this audit read it (ages are measured to it).
- `AccountSummary`: GetAccountSummary's map in snake_case (`account_mfa_enabled`,
  `account_access_keys_present`, `users`, ...), the three account flags as booleans.

The report names users and says when their credentials were used: configuration, not data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import CollectionError, Collector, Context
from checks.support.resource_types import ACCOUNT_SUMMARY, CREDENTIAL_REPORT_ROW, ROOT_ACCOUNT

LOGIN_PROFILE = "aws:iam/userLoginProfile:UserLoginProfile"
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
VIRTUAL_MFA_DEVICE = "aws:iam/virtualMfaDevice:VirtualMfaDevice"
SUMMARY_NAME = "account-summary"

# GenerateCredentialReport answers STARTED or INPROGRESS until the report is ready: ask again,
# waiting a little longer each time, for about a minute in all.
_REPORT_WAITS = (0.25, 0.5, 1.0, 2.0, *(4.0,) * 14)
# Credential report cells that mean "nothing to report": no such credential, never used, or a
# column that does not apply to the row (the root account has no password_enabled).
_EMPTY_CELLS = frozenset({"N/A", "no_information", "not_supported", ""})
_FLAG_CELLS = {"true": True, "false": False}
# Account summary entries that are flags (0 or 1), not counts.
_SUMMARY_FLAGS = frozenset(
    {"AccountMFAEnabled", "AccountAccessKeysPresent", "AccountSigningCertificatesPresent"}
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _snake(name: str) -> str:
    """AccountMFAEnabled -> account_mfa_enabled; MFADevicesInUse -> mfa_devices_in_use."""
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced).lower()


def collect_user_credentials(ctx: Context) -> Iterator[Resource]:
    """Each user's console password and access keys. One user's unreadable setting hides that
    type (its checks cannot decide) without hiding every other user's."""
    iam = ctx.client()
    for user in ctx.pages(iam, "ListUsers", "Users"):
        name = user["UserName"]
        try:
            found = ctx.setting(iam, "GetLoginProfile", UserName=name)
        except CollectionError as exc:
            ctx.hide((LOGIN_PROFILE,), f"the console password of {name}: {exc}")
        else:
            if found is not None:
                profile = found["LoginProfile"]
                props = {
                    "user": name,
                    "password_reset_required": profile.get("PasswordResetRequired", False),
                }
                yield ctx.resource(LOGIN_PROFILE, name, props, id=name)
        try:
            keys = list(ctx.pages(iam, "ListAccessKeys", "AccessKeyMetadata", UserName=name))
        except CollectionError as exc:
            ctx.hide((ACCESS_KEY,), f"the access keys of {name}: {exc}")
            continue
        for key in keys:
            props = {"user": name, "status": key["Status"], "create_date": _iso(key["CreateDate"])}
            key_id = key["AccessKeyId"]
            yield ctx.resource(ACCESS_KEY, f"{name}/{key_id}", props, id=key_id)


def _mfa_path_and_name(serial: str) -> tuple[str, str]:
    """arn:aws:iam::123456789012:mfa/ops/alice -> ("/ops/", "alice")."""
    resource = serial.split(":", 5)[-1].removeprefix("mfa/")
    path, _, name = resource.rpartition("/")
    return (f"/{path}/" if path else "/"), name


def collect_virtual_mfa_devices(ctx: Context) -> Iterator[Resource]:
    """Every virtual MFA device, assigned or not (the root account's included)."""
    devices = ctx.pages(ctx.client(), "ListVirtualMFADevices", "VirtualMFADevices",
                        AssignmentStatus="Any")  # fmt: skip
    for device in devices:
        serial = device["SerialNumber"]
        path, name = _mfa_path_and_name(serial)
        props: dict[str, Any] = {
            "virtual_mfa_device_name": name,
            "path": path,
            "arn": serial,
            "serial_number": serial,
            "tags": {t["Key"]: t.get("Value", "") for t in device.get("Tags") or ()},
        }
        user = device.get("User") or {}
        if user:
            root = str(user.get("Arn", "")).endswith(":root")
            props["user_name"] = ROOT_ACCOUNT if root else user.get("UserName")
            props["enable_date"] = _iso(device.get("EnableDate"))
        yield ctx.resource(VIRTUAL_MFA_DEVICE, name, props, id=serial, arn=serial)


def _cell(value: str | None) -> Any:
    if value is None or value in _EMPTY_CELLS:
        return None
    return _FLAG_CELLS.get(value, value)


def _generated_report(ctx: Context, iam: Any) -> Mapping[str, Any]:
    for wait in (*_REPORT_WAITS, None):
        state = ctx.call(iam, "GenerateCredentialReport").get("State")
        if state == "COMPLETE":
            return ctx.call(iam, "GetCredentialReport")
        if wait is None:
            break
        time.sleep(wait)
    raise CollectionError(
        f"the credential report was still being generated after {sum(_REPORT_WAITS):.0f} s"
    )


def collect_credential_report(ctx: Context) -> Iterator[Resource]:
    """One resource per row of a fresh credential report."""
    report = _generated_report(ctx, ctx.client())
    content = report.get("Content") or b""
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    stamps = {
        "generated_time": _iso(report.get("GeneratedTime")),
        "audit_time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    reported: set[str] = set()
    for row in csv.DictReader(io.StringIO(text)):
        user = row.get("user")
        if not user:
            continue
        reported.add(user)
        props = {key: (user if key == "user" else _cell(value)) for key, value in row.items()}
        yield ctx.resource(
            CREDENTIAL_REPORT_ROW, user, {**props, **stamps}, id=f"credential-report/{user}"
        )
    # AWS hands back a report up to four hours old: a user made since is in no row, and the
    # checks of every user's credentials cannot vouch for the ones they never saw.
    users = {u["UserName"] for u in ctx.pages(ctx.client(), "ListUsers", "Users")}
    unreported = sorted(users - reported)
    if unreported:
        shown = ", ".join(unreported[:5]) + (
            f" and {len(unreported) - 5} more" if len(unreported) > 5 else ""
        )
        ctx.hide(
            (CREDENTIAL_REPORT_ROW,),
            f"the credential report (generated {stamps['generated_time']}) predates the "
            f"user(s) {shown}: AWS reuses a report up to four hours old",
        )


def collect_account_summary(ctx: Context) -> Iterator[Resource]:
    summary = ctx.call(ctx.client(), "GetAccountSummary")["SummaryMap"]
    props = {
        _snake(key): (bool(value) if key in _SUMMARY_FLAGS else value)
        for key, value in sorted(summary.items())
    }
    yield ctx.resource(ACCOUNT_SUMMARY, SUMMARY_NAME, props, id=SUMMARY_NAME)


COLLECTORS: list[Collector] = [
    Collector(
        "iam",
        (LOGIN_PROFILE, ACCESS_KEY),
        ("iam:ListUsers", "iam:GetLoginProfile", "iam:ListAccessKeys"),
        collect_user_credentials,
        regional=False,
    ),
    Collector(
        "iam",
        (VIRTUAL_MFA_DEVICE,),
        ("iam:ListVirtualMFADevices",),
        collect_virtual_mfa_devices,
        regional=False,
    ),
    Collector(
        "iam",
        (CREDENTIAL_REPORT_ROW,),
        ("iam:GenerateCredentialReport", "iam:GetCredentialReport", "iam:ListUsers"),
        collect_credential_report,
        regional=False,
    ),
    Collector(
        "iam",
        (ACCOUNT_SUMMARY,),
        ("iam:GetAccountSummary",),
        collect_account_summary,
        regional=False,
    ),
]
