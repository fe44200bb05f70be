"""The billing system deployed in the emulator, with ePHI in it, for the guarantee tests.

`deploy_billing(emulator)` empties the emulated account, makes it a governed one
(`prepare_account`), deploys this repository's prod stack, and writes a unique random marker
into each place ePHI lives: a secret's value, a SecureString parameter's value, an object's
body, a table's item and a log event. An audit that reads configuration only never sees one.

`audit(endpoint)` runs the whole audit in this process and `audit_command(...)` runs
`safeguard audit` as a user does; `outcomes` and `recorded_outcomes` give their findings as
(check id, resource id, status), to compare runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.config

from checks.evaluate import Evaluation, evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.aws.collectors import all_collectors
from checks.sources.aws.emulator import CREDENTIALS, Emulator
from checks.sources.aws.session import AwsOptions
from checks.sources.aws.source import AwsSource
from checks.sources.registry import SourceRequest
from scripts.emulate.baseline import prepare_account
from scripts.emulate.deploy import deploy
from scripts.emulate.report import DeployReport

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
SAFEGUARD = Path(sys.executable).with_name("safeguard")

sys.path.insert(0, str(REPO / "stacks"))
import auditor_permissions  # noqa: E402

# The auditor role's grant and its outright denials, as stacks/auditor_permissions.py says.
GRANTED = frozenset(auditor_permissions.all_actions())
DENIED = frozenset(auditor_permissions.DATA_ACCESS_DENIED)
AUDITOR_ROLE = "hipaa-billing-prod-auditor"
OBJECT_KEY = "claims/2024/claim-0001.txt"
PARAMETER = "/hipaa-billing/prod/db-password"
LOG_STREAM = "app/claims"


@dataclass(frozen=True)
class Billing:
    endpoint: str
    report: DeployReport
    markers: dict[str, str]  # where ePHI was written -> the marker written there
    seconds: float

    @property
    def auditor_arn(self) -> str:
        (role,) = [r for r in self.report.find("aws:iam/role:Role") if r.id == AUDITOR_ROLE]
        return str(role.arn)

    def client(self, service: str, **credentials: str) -> Any:
        """A client for the account, with the emulator's admin credentials unless given."""
        keys = credentials or {k.lower(): v for k, v in CREDENTIALS.items()}
        config = botocore.config.Config(
            s3={"addressing_style": "path"}, retries={"max_attempts": 1}
        )
        session = boto3.session.Session(region_name=REGION, **keys)
        return session.client(service, endpoint_url=self.endpoint, config=config)


@contextlib.contextmanager
def without_bucket_policy(s3: Any, bucket: str) -> Iterator[None]:
    """The bucket's policy lifted for the block, then put back as it was. moto ignores the
    conditions of a bucket policy's Deny, so the stack's DenyInsecureTransport refuses every
    object request, over TLS or not."""
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    try:
        yield
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)


def _marker(where: str) -> str:
    return f"ephi-{where}-{secrets.token_hex(12)}"


def _seed(billing: Billing) -> dict[str, str]:
    report, markers = billing.report, {}
    db = billing.client("rds").describe_db_instances()["DBInstances"][0]
    markers["secret"] = _marker("secret")
    billing.client("secretsmanager").put_secret_value(
        SecretId=db["MasterUserSecret"]["SecretArn"],
        SecretString=json.dumps({"username": "billing", "password": markers["secret"]}),
    )
    markers["parameter"] = _marker("parameter")
    billing.client("ssm").put_parameter(
        Name=PARAMETER,
        Type="SecureString",
        KeyId=db["MasterUserSecret"]["KmsKeyId"],
        Value=markers["parameter"],
    )
    (bucket,) = report.find("aws:s3/bucket:Bucket", "billing-documents")
    markers["object"] = _marker("object")
    s3 = billing.client("s3")
    with without_bucket_policy(s3, bucket.id):
        s3.put_object(Bucket=bucket.id, Key=OBJECT_KEY, Body=markers["object"].encode())
    (table,) = report.find("aws:dynamodb/table:Table")
    markers["item"] = _marker("item")
    billing.client("dynamodb").put_item(
        TableName=table.id,
        Item={"session_id": {"S": "s-0001"}, "patient": {"S": markers["item"]}},
    )
    group = next(g for g in report.find("aws:cloudwatch/logGroup:LogGroup"))
    markers["log event"] = _marker("log")
    logs = billing.client("logs")
    logs.create_log_stream(logGroupName=group.id, logStreamName=LOG_STREAM)
    logs.put_log_events(
        logGroupName=group.id,
        logStreamName=LOG_STREAM,
        logEvents=[{"timestamp": int(time.time() * 1000), "message": markers["log event"]}],
    )
    return markers


def deploy_billing(emulator: Emulator) -> Billing:
    """A fresh account holding the billing system and its ePHI markers (see the module doc)."""
    emulator.reset()
    started = time.monotonic()
    prepare_account(emulator, [REGION])
    report = deploy(REPO, "prod", emulator.endpoint)
    billing = Billing(emulator.endpoint, report, {}, time.monotonic() - started)
    return dataclasses.replace(billing, markers=_seed(billing))


def admin_env(env: Any) -> None:
    """The emulator's admin credentials in the environment (a `MonkeyPatch`)."""
    for key, value in CREDENTIALS.items():
        env.setenv(key, value)
    env.setenv("AWS_DEFAULT_REGION", REGION)
    env.delenv("AWS_PROFILE", raising=False)
    env.delenv("AWS_ENDPOINT_URL", raising=False)


def command_env(credentials: Mapping[str, str]) -> dict[str, str]:
    """The environment of a `safeguard audit` subprocess reading with `credentials`."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "AWS_ENDPOINT_URL")}
    return {**env, **credentials, "AWS_DEFAULT_REGION": REGION}


def audit_command(
    out: Path, env: Mapping[str, str], endpoint: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """`safeguard audit` of the endpoint into `out`, as a user runs it."""
    return subprocess.run(
        [str(SAFEGUARD), "audit", "--endpoint-url", endpoint, "--out", str(out), *options],
        capture_output=True, text=True, timeout=600, env=dict(env), check=False,
    )  # fmt: skip


def audit(endpoint: str) -> Evaluation:
    """The whole audit in this process, with the credentials of the environment."""
    request = SourceRequest(extra={"aws": AwsOptions(endpoint_url=endpoint)})
    collected = AwsSource(all_collectors()).collect(request)
    return evaluate(Inventory(collected.resources, gaps=collected.gaps), build_registry())


Outcome = tuple[str, str, Status]


def outcomes(evaluation: Evaluation) -> set[Outcome]:
    """Each finding as (check id, resource id or "(account)", status)."""
    return {
        (f.check.id, (f.resource.id or f.resource.name) if f.resource else "(account)", f.status)
        for f in evaluation.findings
    }


def recorded_outcomes(record: dict[str, Any]) -> set[Outcome]:
    """The same, from a run's safeguard-scan.json."""
    return {
        (
            f["check_id"],
            ((f.get("resource") or {}).get("id") or (f.get("resource") or {}).get("name"))
            if f.get("resource")
            else "(account)",
            Status(f["status"]),
        )
        for f in record["findings"]
    }
