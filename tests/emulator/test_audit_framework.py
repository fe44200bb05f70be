"""The live source's framework against the emulator: the command runs, an empty account audits,
and a collector that fails hides its types as NOT_EVALUATED with the reason, never silently."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status
from checks.sources.aws.collect import CollectionError, Collector, Context, run
from checks.sources.aws.session import AwsOptions, accounts
from checks.sources.aws.source import AwsSource
from checks.sources.registry import SourceRequest

SAFEGUARD = Path(sys.executable).with_name("safeguard")
SG = "aws:ec2/securityGroup:SecurityGroup"


def _groups(ctx: Context):
    for group in ctx.pages(ctx.client(), "DescribeSecurityGroups", "SecurityGroups"):
        yield ctx.resource(SG, group["GroupId"], {"name": group["GroupName"]}, id=group["GroupId"])


def _denied(ctx: Context):
    raise CollectionError("access denied to DescribeSecurityGroups (AccessDenied)")
    yield  # a generator, as collectors are


def test_a_collector_reads_the_emulator_with_real_boto3(aws):
    aws.client("ec2").create_security_group(GroupName="web", Description="web tier")
    found = accounts(AwsOptions(endpoint_url=aws.endpoint))
    collector = Collector("ec2", (SG,), ("ec2:DescribeSecurityGroups",), _groups)
    harvest = run(found, {found[0].account_id: ["us-east-1"]}, [collector], lambda m: None)
    names = sorted(r.props["name"] for r in harvest.resources)
    assert names == ["default", "web"] and harvest.gaps == [] and harvest.calls >= 1
    assert {r.account for r in harvest.resources} == {"123456789012"}


def test_a_failed_collector_makes_its_checks_not_evaluated_with_the_reason(aws):
    source = AwsSource([Collector("ec2", (SG,), ("ec2:DescribeSecurityGroups",), _denied)])
    collected = source.collect(SourceRequest(extra={"aws": AwsOptions(endpoint_url=aws.endpoint)}))
    assert collected.gaps == {SG: "us-east-1 (123456789012): access denied to "
                                  "DescribeSecurityGroups (AccessDenied)"}  # fmt: skip
    evaluation = evaluate(Inventory(collected.resources, gaps=collected.gaps), build_registry())
    admin = [f for f in evaluation.findings if f.check.id == "sg_no_internet_admin_ports"]
    assert [f.status for f in admin] == [Status.NOT_EVALUATED]
    assert "access denied" in admin[0].message
    # A check of another service is not affected.
    assert not any("access denied" in f.message for f in evaluation.findings
                   if f.check.id.startswith("s3_"))  # fmt: skip


def test_a_gapped_type_is_undecidable_for_joins_and_account_checks():
    inv = Inventory([Resource("aws:s3/bucket:Bucket", "b", {})], gaps={SG: "denied"})
    findings = evaluate(inv, build_registry()).findings
    by_check = {f.check.id: f for f in findings if f.resource is None}
    assert by_check["sg_no_internet_admin_ports"].status is Status.NOT_EVALUATED


def test_the_audit_command_runs_against_the_emulator(aws, tmp_path):
    proc = subprocess.run(
        [str(SAFEGUARD), "audit", "--endpoint-url", aws.endpoint, "--out", str(tmp_path / "o"),
         "--format", "json", "-q"],
        capture_output=True, text=True, timeout=300, env=aws.env, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1, 3), proc.stderr
    record = json.loads((tmp_path / "o" / "safeguard-scan.json").read_text())
    assert record["source"]["kind"] == "aws"
    assert record["source"]["accounts"] == ["123456789012"]
    assert record["source"]["endpoint"] == aws.endpoint
