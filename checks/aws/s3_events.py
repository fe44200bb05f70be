"""S3 buckets: event notifications configured, so object changes reach a watcher (control S3-07).

pulumi_aws declares a bucket's notifications as `aws.s3.BucketNotification`, a resource split off
the bucket (found through `Inventory.bucket_companions`, role "notification").
"""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.buckets import companions
from checks.support.props import flag, known
from checks.support.resource_types import BUCKET

CHECKS: list[Check] = []

BUCKET_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
# The notification's destinations, by the property that lists them.
DESTINATIONS = ("topics", "queues", "lambda_functions")


def _destinations(notification: Resource) -> list[str]:
    found = [kind for kind in DESTINATIONS if known(notification, kind)]
    if flag(known(notification, "eventbridge", False)):
        found.append("eventbridge")
    return found


@check(
    into=CHECKS,
    id="s3_event_notifications_enabled",
    control="S3-07",
    title="S3 bucket sends event notifications",
    severity=Severity.LOW,
    config_rule="s3-event-notifications-enabled",
    resource_types=(BUCKET,),
    reads=(BUCKET_NOTIFICATION,),
    remediation=(
        "Declare an aws.s3.BucketNotification for the bucket: eventbridge=True routes every "
        "object event to EventBridge rules, or name an SNS topic, SQS queue or Lambda function "
        "for s3:ObjectCreated:* and s3:ObjectRemoved:*."
    ),
    pulumi_fix='aws.s3.BucketNotification("records-events", bucket=bucket.id, eventbridge=True)',
)
def s3_event_notifications_enabled(res: Resource, inv: Inventory) -> Result:
    """Objects written to or deleted from the bucket are announced to someone who can react."""
    sent = sorted({d for n in companions(res, inv, "notification") for d in _destinations(n)})
    if not sent:
        return failed("the bucket sends no event notification", destinations=[])
    return passed("the bucket sends event notifications", destinations=sent)
