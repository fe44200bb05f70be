"""Many accounts: `safeguard audit --org` over an emulated AWS Organization (moto serves each
member account through an assumed role), and `safeguard merge` of per-account audits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from checks.sources.aws import organization
from scripts.cli import main

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = REPO / ".venv" / "bin" / "safeguard"
HOME = "123456789012"
OTHER = "210987654321"


def _safeguard(aws, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SAFEGUARD), *args], capture_output=True, text=True, timeout=300, env=aws.env,
        check=False,
    )  # fmt: skip


def _organization(aws) -> list[str]:
    """An organisation whose management account is the emulator's own, with two members."""
    orgs = aws.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    return sorted(
        orgs.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        for name in ("clinic", "billing")
    )


def _open_ssh_in(aws, account: str) -> str:
    creds = aws.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="test-setup"
    )["Credentials"]
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    ec2 = session.client("ec2", endpoint_url=aws.endpoint)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="admin", Description="admin", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )  # fmt: skip
    return group


def test_list_accounts_prints_the_active_accounts_left_by_include_and_exclude(aws):
    members = _organization(aws)
    run = _safeguard(aws, "audit", "--endpoint-url", aws.endpoint, "--org", "--list-accounts")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == sorted([HOME, *members])
    run = _safeguard(
        aws, "audit", "--endpoint-url", aws.endpoint, "--org", "--list-accounts",
        "--org-exclude", f"{HOME},{members[0]}",
    )  # fmt: skip
    assert json.loads(run.stdout) == [members[1]]
    run = _safeguard(
        aws, "audit", "--endpoint-url", aws.endpoint, "--org", "--list-accounts",
        "--org-include", members[0],
    )  # fmt: skip
    assert json.loads(run.stdout) == [members[0]]


def test_org_audits_the_management_account_and_each_member_kept(aws, tmp_path):
    members = _organization(aws)
    group = _open_ssh_in(aws, members[0])
    run = _safeguard(
        aws, "audit", "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"),
        "--format", "json", "-q", "--org", "--org-exclude", members[1], "--org-role", "auditor",
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    record = json.loads((tmp_path / "o" / "safeguard-scan.json").read_text())
    assert record["source"]["accounts"] == sorted([HOME, members[0]])
    open_ssh = [
        f["resource"]["arn"]
        for f in record["findings"]
        if f["check_id"] == "sg_no_internet_admin_ports" and f["status"] == "FAIL"
    ]
    assert open_ssh == [f"arn:aws:ec2:us-east-1:{members[0]}:security-group/{group}"]


def test_org_outside_an_organization_is_one_error_line(aws, tmp_path):
    run = _safeguard(
        aws, "audit", "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"), "--org"
    )
    assert run.returncode == 2
    # moto lists nothing where AWS answers AWSOrganizationsNotInUseException: one line either way
    assert run.stderr == (
        "safeguard: error: --org: the credentials' organisation lists no ACTIVE account\n"
    )


def test_an_unknown_included_account_is_refused(aws, tmp_path):
    _organization(aws)
    run = _safeguard(
        aws, "audit", "--endpoint-url", aws.endpoint, "--org", "--list-accounts",
        "--org-include", "999999999999",
    )  # fmt: skip
    assert run.returncode == 2
    assert "--org-include 999999999999: not an ACTIVE account" in run.stderr


class _Session:
    """A session whose clients are stubbed (moto's ListAccounts never denies)."""

    region_name = "us-east-1"

    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients

    def client(self, service: str, **_: Any) -> Any:
        return self.clients[service]


class _Models:
    def __init__(self, session: _Session) -> None:
        self._session = session

    def session(self, **_: Any) -> _Session:
        return self._session


def _stubbed(monkeypatch, pages: list[dict] | None, error: str | None = None) -> None:
    plain = boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
    )
    sts, orgs = plain.client("sts"), plain.client("organizations")
    sts_stub, orgs_stub = Stubber(sts), Stubber(orgs)
    sts_stub.add_response(
        "get_caller_identity",
        {"Account": HOME, "Arn": f"arn:aws:iam::{HOME}:user/auditor", "UserId": "AIDAX"},
    )
    if error:
        orgs_stub.add_client_error("list_accounts", error, "You don't have permissions")
    for page in pages or ():
        orgs_stub.add_response("list_accounts", page)
    sts_stub.activate()
    orgs_stub.activate()
    monkeypatch.setattr(
        organization, "MODELS", _Models(_Session({"sts": sts, "organizations": orgs}))
    )


def _account(account_id: str, state: str) -> dict:
    return {"Id": account_id, "State": state, "Name": account_id, "Email": "a@example.com"}


def test_access_denied_on_list_accounts_is_one_line_exit_2(monkeypatch, capsys):
    _stubbed(monkeypatch, None, error="AccessDeniedException")
    code = main(["audit", "--org", "--list-accounts"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == (
        "safeguard: error: --org: organizations:ListAccounts was denied (AccessDeniedException: "
        "You don't have permissions): run from the management account or a delegated "
        "administrator, with that action allowed\n"
    )


def test_every_page_is_read_and_only_active_accounts_kept(monkeypatch, capsys):
    _stubbed(
        monkeypatch,
        [
            {"Accounts": [_account(HOME, "ACTIVE"), _account("333333333333", "SUSPENDED")],
             "NextToken": "page-2"},
            {"Accounts": [_account(OTHER, "ACTIVE"), _account("444444444444", "PENDING_CLOSURE")]},
        ],
    )  # fmt: skip
    found = organization.discover(organization.AwsOptions(), role="auditor")
    assert found.caller == HOME
    assert found.role_arns == (f"arn:aws:iam::{OTHER}:role/auditor",)
    assert found.accounts == (HOME, OTHER)


def _audit(aws, role: str, out: Path) -> None:
    run = _safeguard(
        aws, "audit", "--endpoint-url", aws.endpoint, "--out", str(out), "--format", "json",
        "-q", "--role-arn", role, "--no-history",
    )  # fmt: skip
    assert run.returncode == 1, run.stderr


def test_merge_of_two_accounts_audits_renders_one_assessment(aws, tmp_path):
    group = _open_ssh_in(aws, OTHER)
    _audit(aws, f"arn:aws:iam::{HOME}:role/auditor", tmp_path / "home")
    _audit(aws, f"arn:aws:iam::{OTHER}:role/auditor", tmp_path / "other")
    home = json.loads((tmp_path / "home" / "safeguard-scan.json").read_text())
    other = json.loads((tmp_path / "other" / "safeguard-scan.json").read_text())
    run = _safeguard(
        aws, "merge", str(tmp_path / "home"), str(tmp_path / "other" / "safeguard-scan.json"),
        "--out", str(tmp_path / "org"), "--format", "json,md,html,csv",
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    merged = json.loads((tmp_path / "org" / "safeguard-scan.json").read_text())
    assert merged["source"]["accounts"] == [HOME, OTHER]
    assert merged["summary"]["findings"]["FAIL"] == (
        home["summary"]["findings"]["FAIL"] + other["summary"]["findings"]["FAIL"]
    )
    assert merged["gate"]["blocking_failures"] == (
        home["gate"]["blocking_failures"] + other["gate"]["blocking_failures"]
    )
    ssh = [
        (f["account"], f["resource"]["id"])
        for f in merged["findings"]
        if f["check_id"] == "sg_no_internet_admin_ports" and f["status"] == "FAIL"
    ]
    assert ssh == [(OTHER, group)]
    assert sorted(p.name for p in (tmp_path / "org").iterdir()) == [
        "manifest.json",
        "safeguard-findings.csv",
        "safeguard-report.html",
        "safeguard-scan.json",
        "safeguard-scan.md",
    ]
    assert run.stdout.splitlines()[-1] == (
        f"2 accounts merged from 2 runs: {merged['gate']['blocking_failures']} blocking "
        f"failure(s), {merged['gate']['blocking_not_evaluated']} blocking unknown(s)"
    )


def test_merge_refuses_one_account_twice_in_one_line(aws, tmp_path):
    _audit(aws, f"arn:aws:iam::{HOME}:role/auditor", tmp_path / "one")
    _audit(aws, f"arn:aws:iam::{HOME}:role/other", tmp_path / "two")
    run = _safeguard(aws, "merge", str(tmp_path / "one"), str(tmp_path / "two"), "--out",
                     str(tmp_path / "org"))  # fmt: skip
    assert run.returncode == 2
    assert run.stderr == (
        f"safeguard: error: {tmp_path / 'two'}: account {HOME} is already in {tmp_path / 'one'}\n"
    )
    assert not (tmp_path / "org").exists()


@pytest.mark.parametrize("content", ["{not json", '{"schema_version": "1.0"}'])
def test_merge_refuses_a_malformed_document_naming_it(aws, tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    run = _safeguard(aws, "merge", str(bad), str(tmp_path / "later.json"), "--out",
                     str(tmp_path / "o"))  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"safeguard: error: {bad}")


def test_not_in_an_organization_is_one_line_exit_2(monkeypatch, capsys):
    _stubbed(monkeypatch, None, error="AWSOrganizationsNotInUseException")
    assert main(["audit", "--org", "--list-accounts"]) == 2
    assert capsys.readouterr().err == (
        "safeguard: error: --org: the credentials' account is in no AWS Organization\n"
    )


def test_the_org_options_need_org(tmp_path, capsys):
    code = main(["audit", "--org-exclude", HOME, "--out", str(tmp_path / "o"), "-q"])
    assert code == 2
    assert capsys.readouterr().err == "safeguard: error: --org-exclude needs --org\n"
    assert main(["audit", "--list-accounts"]) == 2
    assert capsys.readouterr().err == "safeguard: error: --list-accounts needs --org\n"
