"""Changes someone makes by hand in the AWS console, made through boto3 the way the console
makes them: the drift a live audit exists to catch. The demo applies three of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scripts.emulate.clients import Clients
from scripts.emulate.report import CreatedResource, DeployReport

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
BUCKET = "aws:s3/bucket:Bucket"
TRAIL = "aws:cloudtrail/trail:Trail"


@dataclass(frozen=True)
class ConsoleChange:
    """One change: what was done, to which resource, and the check expected to catch it."""

    what: str
    resource: str  # the id (or name) the audit names
    check_id: str


def open_ssh_to_world(clients: Clients, group_id: str) -> ConsoleChange:
    clients("ec2").authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "temporary debugging"}],
        }],
    )  # fmt: skip
    return ConsoleChange("SSH opened to 0.0.0.0/0", group_id, "sg_no_internet_admin_ports")


def remove_bucket_encryption(clients: Clients, bucket: str) -> ConsoleChange:
    clients("s3").delete_bucket_encryption(Bucket=bucket)
    return ConsoleChange("default encryption removed", bucket, "s3_bucket_sse_kms")


def stop_trail(clients: Clients, trail_arn: str) -> ConsoleChange:
    clients("cloudtrail").stop_logging(Name=trail_arn)
    return ConsoleChange("trail logging stopped", trail_arn, "cloudtrail_enabled_multi_region")


def _ephi_first(clients: Clients, buckets: list[CreatedResource]) -> list[CreatedResource]:
    """Buckets tagged as holding ePHI first: the change a compliance officer fears most."""

    def holds_ephi(bucket: CreatedResource) -> bool:
        try:
            tags = clients("s3").get_bucket_tagging(Bucket=bucket.id)["TagSet"]
        except clients("s3").exceptions.ClientError:
            return False  # an untagged bucket answers NoSuchTagSet
        return any(t["Key"] == "data-classification" and t["Value"] == "ePHI" for t in tags)

    return sorted(buckets, key=lambda b: (not holds_ephi(b), b.name))


def _pick(report: DeployReport, token: str, prefer: Callable[[CreatedResource], bool]):
    found = sorted(report.find(token), key=lambda r: r.name)  # the same pick every run
    if not found:
        raise LookupError(f"the deploy created no {token}")
    return next((r for r in found if prefer(r)), found[0])


def the_demo_changes(clients: Clients, report: DeployReport) -> list[ConsoleChange]:
    """A world-open SSH rule on the application's security group, encryption removed from an
    ePHI bucket, the trail stopped."""
    group = _pick(report, SECURITY_GROUP, lambda r: "app" in r.name)
    buckets = report.find(BUCKET)
    if not buckets:
        raise LookupError(f"the deploy created no {BUCKET}")
    bucket = _ephi_first(clients, buckets)[0]
    trail = _pick(report, TRAIL, lambda r: True)
    return [
        open_ssh_to_world(clients, group.id),
        remove_bucket_encryption(clients, bucket.id),
        stop_trail(clients, trail.arn or trail.id),
    ]
