"""Claims events: a topic, and for each consumer a queue, a dead-letter queue and a policy."""

import json

import pulumi
import pulumi_aws as aws

CONSUMERS = ["billing", "fraud", "reporting"]

key = aws.kms.Key("events", enable_key_rotation=True, policy=None)
topic = aws.sns.Topic("claims-events", kms_master_key_id=key.id)

for consumer in CONSUMERS:
    dlq = aws.sqs.Queue(f"{consumer}-dlq", kms_master_key_id=key.id, message_retention_seconds=1209600)
    queue = aws.sqs.Queue(
        consumer,
        kms_master_key_id=key.id,
        visibility_timeout_seconds=60,
        redrive_policy=dlq.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})),
    )
    aws.sqs.QueuePolicy(
        consumer,
        queue_url=queue.id,
        policy=pulumi.Output.all(queue.arn, topic.arn).apply(
            lambda arns: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": arns[0],
                            "Condition": {"ArnEquals": {"aws:SourceArn": arns[1]}},
                        }
                    ],
                }
            )
        ),
    )
    aws.sns.TopicSubscription(
        consumer, topic=topic, protocol="sqs", endpoint=queue.arn, raw_message_delivery=True
    )
pulumi.export("topic", topic.arn)
