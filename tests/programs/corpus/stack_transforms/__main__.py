"""Organisation policy applied with a stack transform rather than at every resource."""

import pulumi
import pulumi_aws as aws

REQUIRED_TAGS = {"cost-center": "4410", "data-classification": "ePHI"}


def tag_everything(args: pulumi.ResourceTransformArgs):
    if args.type_.startswith("aws:") and "tags" in aws_taggable(args.type_):
        props = dict(args.props)
        props["tags"] = {**REQUIRED_TAGS, **(props.get("tags") or {})}
        return pulumi.ResourceTransformResult(props, args.opts)
    return None


def aws_taggable(type_: str) -> set:
    # The resources this program declares that take tags.
    return {"tags"} if type_ in {
        "aws:dynamodb/table:Table",
        "aws:sqs/queue:Queue",
        "aws:cloudwatch/logGroup:LogGroup",
    } else set()


pulumi.runtime.register_resource_transform(tag_everything)

aws.dynamodb.Table(
    "sessions",
    attributes=[{"name": "id", "type": "S"}],
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    point_in_time_recovery={"enabled": True},
)
aws.sqs.Queue("sessions", sqs_managed_sse_enabled=True)
aws.cloudwatch.LogGroup("sessions", retention_in_days=30)
