"""Several accounts in one audit, each through a role assumed from the auditor's credentials,
each finding carrying its account (moto keeps one backend per account: an assumed role's
credentials act in the role's account)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[2]
SAFEGUARD = REPO / ".venv" / "bin" / "safeguard"
OTHER = "210987654321"


def _client_in(aws, account: str, service: str):
    sts = aws.client("sts")
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/setup", RoleSessionName="test-setup"
    )["Credentials"]
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    return session.client(service, endpoint_url=aws.endpoint)


def _open_ssh_group(ec2, name: str) -> str:
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )  # fmt: skip
    return group


def test_each_role_is_audited_in_its_own_account_and_findings_say_which(aws, tmp_path):
    home_group = _open_ssh_group(aws.client("ec2"), "home-admin")
    other_group = _open_ssh_group(_client_in(aws, OTHER, "ec2"), "other-admin")
    roles = ["arn:aws:iam::123456789012:role/auditor", f"arn:aws:iam::{OTHER}:role/auditor"]
    run = subprocess.run(
        [str(SAFEGUARD), "audit", "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"),
         "--format", "json", "-q", *[arg for role in roles for arg in ("--role-arn", role)]],
        capture_output=True, text=True, timeout=300, env=aws.env, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    record = json.loads((tmp_path / "o" / "safeguard-scan.json").read_text())
    assert sorted(record["source"]["accounts"]) == sorted(["123456789012", OTHER])
    open_ssh = {
        f["resource"]["id"]: f["resource"]["arn"]
        for f in record["findings"]
        if f["check_id"] == "sg_no_internet_admin_ports" and f["status"] == "FAIL"
    }
    assert set(open_ssh) == {home_group, other_group}
    assert f":123456789012:security-group/{home_group}" in open_ssh[home_group]
    assert f":{OTHER}:security-group/{other_group}" in open_ssh[other_group]


def test_a_role_that_cannot_be_assumed_is_one_error_line_naming_it(aws, tmp_path):
    run = subprocess.run(
        [str(SAFEGUARD), "audit", "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"),
         "--role-arn", "not-an-arn", "-q"],
        capture_output=True, text=True, timeout=300, env=aws.env, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "--role-arn not-an-arn" in run.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
