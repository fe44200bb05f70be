"""Time from a console change to its finding: the change-triggered handler on the emulator.

The account: the embedded AWS (moto on 127.0.0.1, run in this process), by default made a
governed account with this repository's billing system (prod stack) deployed into it, so the
handler reads an account of realistic size (`--empty` skips the deploy). For each of four
changes, N times: the change is made through boto3, its recorded CloudTrail event
(tests/fixtures/cloudtrail/) is given the new resource's id and handed to `handle`, and the clock
stops when the handler has returned the FAIL on that resource and the alert has reached an SQS
queue subscribed to the alerts topic. What the figure leaves out is CloudTrail's own delivery
to EventBridge (typically under five minutes on AWS, and not emulated) and a Lambda cold start.

    .venv/bin/python bench/handler.py [--runs 5] [--empty]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.config

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from checks.sources.aws.emulator import CREDENTIALS, Emulator  # noqa: E402
from scripts.emulate.baseline import prepare_account  # noqa: E402
from scripts.emulate.deploy import deploy  # noqa: E402
from scripts.handler.entry import TOPIC_VARIABLE, handle  # noqa: E402

REGION = "us-east-1"
EVENTS = REPO / "tests" / "fixtures" / "cloudtrail"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def recorded(fixture: str, **request: Any) -> dict[str, Any]:
    event = copy.deepcopy(json.loads((EVENTS / f"{fixture}.json").read_text(encoding="utf-8")))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event["time"] = event["detail"]["eventTime"] = now
    event["detail"]["requestParameters"].update(request)
    return event


class Account:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.session = boto3.session.Session(region_name=REGION)

    def __call__(self, service: str) -> Any:
        config = botocore.config.Config(s3={"addressing_style": "path"})
        return self.session.client(service, endpoint_url=self.endpoint, config=config)


# A change: set up what it changes, start the clock, make it by hand; then its event, the check
# that must fail, what the failing finding names, and when the clock started.
Made = tuple[dict[str, Any], str, str, float]


def open_database_port(acct: Account, n: int) -> Made:
    ec2 = acct("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName=f"bench-{n}", Description="bench", VpcId=vpc)
    ident = group["GroupId"]
    rule = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}  # fmt: skip
    started = time.perf_counter()
    ec2.authorize_security_group_ingress(GroupId=ident, IpPermissions=[rule])
    event = recorded("authorize_security_group_ingress", groupId=ident)
    return event, "sg_no_internet_db_ports", ident, started


def bucket_made_public(acct: Account, n: int) -> Made:
    s3, name = acct("s3"), f"bench-public-{n}"
    s3.create_bucket(Bucket=name)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
              "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}]}  # fmt: skip
    started = time.perf_counter()
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    event = recorded("put_bucket_policy", bucketName=name, bucketPolicy=policy)
    return event, "s3_bucket_policy_not_public", name, started


def key_rotation_disabled(acct: Account, n: int) -> Made:
    kms = acct("kms")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=arn)
    started = time.perf_counter()
    kms.disable_key_rotation(KeyId=arn)
    return recorded("disable_key_rotation", keyId=arn), "kms_key_rotation_enabled", arn, started


def administrator_attached(acct: Account, n: int) -> Made:
    iam, user = acct("iam"), f"bench-admin-{n}"
    iam.create_user(UserName=user)
    started = time.perf_counter()
    iam.attach_user_policy(UserName=user, PolicyArn=ADMIN_POLICY)
    event = recorded("attach_user_policy", userName=user, policyArn=ADMIN_POLICY)
    return event, "iam_no_administrator_access_attached", f"{user}/{ADMIN_POLICY}", started


CHANGES: dict[str, Callable[[Account, int], Made]] = {
    "AuthorizeSecurityGroupIngress": open_database_port,
    "PutBucketPolicy": bucket_made_public,
    "DisableKeyRotation": key_rotation_disabled,
    "AttachUserPolicy": administrator_attached,
}


def _inbox(acct: Account) -> str:
    sns, sqs = acct("sns"), acct("sqs")
    topic = sns.create_topic(Name="bench-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="bench-alerts-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["QueueArn"])
    os.environ[TOPIC_VARIABLE] = topic
    return queue


def _delivered(acct: Account, queue: str, message_id: str) -> None:
    sqs = acct("sqs")
    for _ in range(50):
        for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
            if json.loads(m["Body"])["MessageId"] == message_id:
                return
    raise RuntimeError(f"the alert {message_id} never reached the queue")


Timed = tuple[float, float, int]


def one(acct: Account, queue: str, change: Callable[[Account, int], Made], n: int) -> Timed:
    """Seconds from the change to the handler's finding, to the alert in the queue; API calls."""
    event, check, subject, started = change(acct, n)
    answer = handle(event, None)
    judged = time.perf_counter()
    failed = [f for f in answer["findings"] if f["status"] == "FAIL" and f["check"] == check]
    if not any(subject in str(f["resource"]) for f in failed):
        raise RuntimeError(f"{check} did not fail on {subject}: {answer['findings']}")
    _delivered(acct, queue, answer["published"])
    return judged - started, time.perf_counter() - started, int(answer["api_calls"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--empty", action="store_true", help="an empty account: no deploy")
    args = parser.parse_args()
    os.environ.update({**CREDENTIALS, "AWS_DEFAULT_REGION": REGION})
    os.environ.pop("AWS_PROFILE", None)
    with Emulator(aws_managed_policies=True) as emu:
        os.environ["AWS_ENDPOINT_URL"] = emu.endpoint
        account = "an empty account"
        if not args.empty:
            prepare_account(emu, [REGION])
            report = deploy(REPO, "prod", emu.endpoint)
            account = f"the billing prod stack deployed ({len(report.created)} resources)"
        acct = Account(emu.endpoint)
        queue = _inbox(acct)
        print(f"change → finding on the emulator, {account}, median of {args.runs}:")
        print(f"{'event':32} {'to finding':>11} {'to alert':>9} {'API calls':>10}")
        every: list[float] = []
        for name, change in CHANGES.items():
            runs = [one(acct, queue, change, n) for n in range(args.runs)]
            every += [r[0] for r in runs]
            print(
                f"{name:32} {statistics.median(r[0] for r in runs):10.2f}s "
                f"{statistics.median(r[1] for r in runs):8.2f}s "
                f"{statistics.median(r[2] for r in runs):10.0f}"
            )
        print(f"{'all changes':32} {statistics.median(every):10.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
