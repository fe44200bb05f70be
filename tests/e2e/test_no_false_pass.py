"""Unknown is unknown, secret is judged on its plaintext when there is one, made up never decides:
the issue's cases, each through the real command on a program, a preview or a state file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SAFEGUARD = Path(sys.executable).with_name("safeguard")
SIG, SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
STACK = "urn:pulumi:dev::edge"
SG = "aws:ec2/securityGroup:SecurityGroup"
ADMIN, DB = "sg_no_internet_admin_ports", "sg_no_internet_db_ports"


def scan(*args: str, cwd: Path, formats: str = "json") -> tuple[subprocess.CompletedProcess, dict]:
    proc = subprocess.run(
        [str(SAFEGUARD), "scan", *args, "--out", "out", "--format", formats, "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1796083200"},
        check=False,
    )
    record = cwd / "out" / "safeguard-scan.json"
    assert record.is_file(), proc.stderr
    return proc, json.loads(record.read_text())


def verdicts(record: dict, check: str) -> dict[str, tuple[str, str]]:
    return {
        (f["resource"] or {}).get("name", "account"): (f["status"], f["message"])
        for f in record["findings"]
        if f["check_id"] == check
    }


def program(tmp_path: Path, body: str, config: str = "") -> Path:
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: edge\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n" + config)
    (folder / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n" + textwrap.dedent(body)
    )
    return folder


def artifacts(folder: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in sorted((folder / "out").iterdir())
    )


SSH_FROM = """
sg = aws.ec2.SecurityGroup("admin", ingress=[{{
    "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": [{cidr}]}}])
"""


def test_a_secret_cidr_is_judged_on_the_plaintext_the_user_gave(tmp_path):
    prog = program(tmp_path, "cfg = pulumi.Config()\n" + SSH_FROM.format(
        cidr='cfg.require_secret("adminCidr")'))  # fmt: skip
    proc, record = scan(str(prog), "--secret", "adminCidr=0.0.0.0/0", "--fail-on", "critical",
                        cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    status, message = verdicts(record, ADMIN)["admin"]
    assert status == "FAIL" and "[secret]" in message and "0.0.0.0/0" not in message
    finding = next(f for f in record["findings"] if f["check_id"] == ADMIN)
    assert finding["evidence"]["offending_rules"][0]["cidr"] == "[secret]"


def test_a_secret_only_the_cli_can_decrypt_is_not_evaluated(tmp_path):
    config = "  edge:adminCidr:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBB==\n"
    prog = program(tmp_path, "cfg = pulumi.Config()\n" + SSH_FROM.format(
        cidr='cfg.require_secret("adminCidr")'), config)  # fmt: skip
    proc, record = scan(str(prog), "--fail-on", "critical", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert verdicts(record, ADMIN)["admin"][0] == "NOT_EVALUATED"
    assert "secret" in verdicts(record, ADMIN)["admin"][1]


@pytest.mark.parametrize(
    "source",
    [
        'aws.ssm.get_parameter(name="/net/admin-cidr").value',
        'aws.get_ip_ranges(services=["ec2"]).cidr_blocks[0]',
        "aws.ec2.get_vpc(default=True).cidr_block",
        "f\"{aws.ssm.get_parameter(name='/net/admin').value}/32\"",
    ],
)
def test_a_cidr_the_mocks_made_up_never_decides(tmp_path, source):
    prog = program(tmp_path, SSH_FROM.format(cidr=source))
    proc, record = scan(str(prog), "--fail-on", "critical", cwd=tmp_path)
    status, message = verdicts(record, ADMIN)["admin"]
    assert status == "NOT_EVALUATED", message
    assert "made up" in message
    assert proc.returncode == 3


def test_a_declared_cidr_next_to_a_made_up_one_still_decides(tmp_path):
    prog = program(tmp_path, SSH_FROM.format(cidr='"0.0.0.0/0"') + textwrap.dedent("""
        param = aws.ssm.get_parameter(name="/net/other")
        aws.ssm.Parameter("copy", type="String", value=param.value)
    """))  # fmt: skip
    _, record = scan(str(prog), cwd=tmp_path)
    assert verdicts(record, ADMIN)["admin"][0] == "FAIL"


def test_a_resource_object_passed_as_an_id_joins_like_its_id(tmp_path):
    # Pulumi's own examples pass `vpc_id=vpc`: the join must resolve, and the private subnet
    # whose main route table sends 0.0.0.0/0 to the internet gateway must not pass.
    prog = program(
        tmp_path,
        """
        vpc = aws.ec2.Vpc("app", cidr_block="10.0.0.0/16")
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc)
        aws.ec2.DefaultRouteTable("main", default_route_table_id=vpc.default_route_table_id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw}])
        a = aws.ec2.Subnet("db-a", vpc_id=vpc, cidr_block="10.0.1.0/24",
                           availability_zone="us-east-1a")
        b = aws.ec2.Subnet("db-b", vpc_id=vpc, cidr_block="10.0.2.0/24",
                           availability_zone="us-east-1b")
        group = aws.rds.SubnetGroup("db", subnet_ids=[a, b])
        aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.micro",
            allocated_storage=20, db_subnet_group_name=group, username="app",
            manage_master_user_password=True, storage_encrypted=True)
    """,
    )
    _, record = scan(str(prog), cwd=tmp_path)
    found = verdicts(record, "private_subnet_no_igw_route")
    assert found["db-a"][0] != "PASS" and found["db-b"][0] != "PASS", found


def _state(tmp_path: Path, resources: list[dict]) -> Path:
    doc = {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-11-24T13:08:02Z", "magic": "x", "version": "v3.209.0"},
            "resources": [
                {"urn": f"{STACK}::pulumi:pulumi:Stack::edge-dev", "custom": False,
                 "type": "pulumi:pulumi:Stack"},
                *resources,
            ],
        },
    }  # fmt: skip
    path = tmp_path / "state.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_state_entry_that_records_nothing_passes_no_security_group_check(tmp_path):
    _state(tmp_path, [{"urn": f"{STACK}::{SG}::bare", "custom": True, "type": SG,
                       "id": "sg-0bare"}])  # fmt: skip
    proc, record = scan("--state", "state.json", "--fail-on", "critical", cwd=tmp_path)
    for check in (ADMIN, DB):
        assert verdicts(record, check)["bare"][0] == "NOT_EVALUATED", check
    assert proc.returncode == 3


def test_a_secret_wrapped_cidr_in_a_show_secrets_state_is_judged_and_hidden(tmp_path):
    rule = {"protocol": "tcp", "fromPort": 22, "toPort": 22,
            "cidrBlocks": [{SIG: SECRET_SIG, "plaintext": json.dumps("0.0.0.0/0")}]}  # fmt: skip
    _state(tmp_path, [{"urn": f"{STACK}::{SG}::admin", "custom": True, "type": SG,
                       "id": "sg-0admin", "inputs": {"ingress": [rule]},
                       "outputs": {"ingress": [rule]}}])  # fmt: skip
    proc, record = scan("--state", "state.json", "--fail-on", "critical", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert verdicts(record, ADMIN)["admin"][0] == "FAIL"


def test_a_secret_cidr_in_a_preview_is_not_evaluated(tmp_path):
    steps = [
        {"op": "create", "urn": f"{STACK}::{SG}::admin", "provider": "", "newState": {
            "urn": f"{STACK}::{SG}::admin", "custom": True, "type": SG,
            "inputs": {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22,
                                    "cidrBlocks": ["[secret]"]}]}}},
    ]  # fmt: skip
    (tmp_path / "preview.json").write_text(json.dumps({"steps": steps, "duration": 1}))
    proc, record = scan("--preview", "preview.json", "--fail-on", "critical", cwd=tmp_path)
    assert verdicts(record, ADMIN)["admin"][0] == "NOT_EVALUATED"
    assert proc.returncode == 3


SEED = "Zq9-seeded-SECRET-4471"


def test_a_secret_in_a_physical_name_reaches_no_artifact_of_a_program(tmp_path):
    prog = program(
        tmp_path,
        """
        cfg = pulumi.Config()
        suffix = cfg.require_secret("suffix")
        bucket = aws.s3.Bucket("records", bucket=suffix.apply(lambda s: f"phi-{s}"))
        aws.s3.BucketPolicy("records", bucket=bucket.id, policy=suffix.apply(
            lambda s: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",'
                      '"Action":"s3:*","Resource":"arn:aws:s3:::phi-' + s + '/*",'
                      '"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}'))
        aws.iam.Role("svc", name=suffix.apply(lambda s: f"svc-{s}"),
                     assume_role_policy='{"Version":"2012-10-17","Statement":[]}')
        # The plain accessor hands the program the plaintext: it lands in a logical name, so
        # in a URN, and in an SSM value.
        plain = cfg.require("suffix")
        aws.s3.Bucket(f"logs-{plain}")
        aws.ssm.Parameter("suffix", type="String", value=plain)
    """,
    )
    proc, _ = scan(str(prog), "--secret", f"suffix={SEED}", cwd=tmp_path, formats="all")
    assert SEED not in proc.stdout + proc.stderr
    assert SEED not in artifacts(tmp_path)


def test_a_secret_marked_bucket_name_in_a_state_leaks_through_no_id_or_arn(tmp_path):
    name = f"phi-{SEED}"
    bucket = "aws:s3/bucket:Bucket"
    _state(tmp_path, [{
        "urn": f"{STACK}::{bucket}::records", "custom": True, "type": bucket, "id": name,
        "inputs": {"bucket": {SIG: SECRET_SIG, "ciphertext": "v1:abc:def"}},
        "outputs": {"bucket": {SIG: SECRET_SIG, "ciphertext": "v1:abc:def"},
                    "arn": f"arn:aws:s3:::{name}", "id": name},
    }])  # fmt: skip
    proc, record = scan("--state", "state.json", cwd=tmp_path, formats="all")
    assert SEED not in proc.stdout + proc.stderr
    assert SEED not in artifacts(tmp_path)
    item = next(i for i in record["inventory"]["items"] if i["name"] == "records")
    assert item["id"] == "[secret]" and "[secret]" in item["arn"]


def test_a_show_secrets_state_leaks_no_plaintext_in_any_field(tmp_path):
    # Every field kind a state can carry a secret in: a name, a tag, a policy, a nested value.
    def secret(value):
        return {SIG: SECRET_SIG, "plaintext": json.dumps(value)}

    bucket, role = "aws:s3/bucket:Bucket", "aws:iam/role:Role"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Principal": {"AWS": f"arn:aws:iam::123456789012:role/{SEED}"},
                "Resource": "*",
            }
        ],
    }
    _state(tmp_path, [
        {"urn": f"{STACK}::{bucket}::records", "custom": True, "type": bucket,
         "id": f"phi-{SEED}", "inputs": {"bucket": secret(f"phi-{SEED}"),
                                         "tags": {"owner": secret(SEED)}},
         "outputs": {"arn": f"arn:aws:s3:::phi-{SEED}", "bucket": secret(f"phi-{SEED}")}},
        {"urn": f"{STACK}::{role}::svc", "custom": True, "type": role, "id": "svc",
         "inputs": {"name": "svc", "assumeRolePolicy": secret(json.dumps(policy))},
         "outputs": {"arn": "arn:aws:iam::123456789012:role/svc"}},
    ])  # fmt: skip
    proc, _ = scan("--state", "state.json", cwd=tmp_path, formats="all")
    assert proc.returncode in (1, 3), proc.stderr
    assert SEED not in proc.stdout + proc.stderr
    assert SEED not in artifacts(tmp_path)


def test_resources_read_with_get_are_reads_not_components(tmp_path):
    prog = program(
        tmp_path,
        """
        class Tier(pulumi.ComponentResource):
            def __init__(self, name):
                super().__init__("edge:app:Tier", name)
                aws.s3.Bucket(f"{name}-b", opts=pulumi.ResourceOptions(parent=self))

        Tier("web")
        shared = aws.ec2.Vpc.get("shared", "vpc-0123456789abcdef0")
        aws.ec2.SecurityGroup("app", vpc_id=shared.id)
    """,
    )
    _, record = scan(str(prog), cwd=tmp_path)
    inventory = record["inventory"]
    assert (inventory["components"], inventory["read_not_managed"]) == (1, 1)
    assert "aws:ec2/vpc:Vpc" not in inventory["by_type"]


def test_a_secret_bucket_name_in_a_preview_leaks_through_no_id_or_arn(tmp_path):
    # A preview shows a secret as "[secret]", but an update step carries the bucket's id and
    # ARN from the state in clear: they spell the secret name out and must be withheld.
    bucket, name = "aws:s3/bucket:Bucket", f"phi-{SEED}"
    state = {
        "urn": f"{STACK}::{bucket}::records",
        "custom": True,
        "type": bucket,
        "id": name,
        "inputs": {"bucket": "[secret]"},
        "outputs": {"bucket": "[secret]", "arn": f"arn:aws:s3:::{name}", "id": name},
    }
    steps = [
        {
            "op": "update",
            "urn": state["urn"],
            "provider": "",
            "oldState": state,
            "newState": {**state, "inputs": {"bucket": "[secret]", "forceDestroy": True}},
        }
    ]
    (tmp_path / "preview.json").write_text(json.dumps({"steps": steps}))  # fmt: skip
    proc, _ = scan("--preview", "preview.json", cwd=tmp_path, formats="all")
    assert proc.returncode in (1, 3), proc.stderr
    assert SEED not in proc.stdout + proc.stderr
    assert SEED not in artifacts(tmp_path)
