"""Seeds values that must never reach a report: ePHI in object keys, bodies, table items and log
stream names, and secrets from the stack file and the command line."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()

bucket = aws.s3.Bucket("claims", tags={"data-classification": "ePHI"})
aws.s3.BucketObjectv2(
    "claim-upload",
    bucket=bucket.id,
    key="claims/patient-4711-jane-roe-dob-1970-01-01.pdf",
    content="Patient Jane Roe, SSN 078-05-1120, diagnosis code F32.9",
)
table = aws.dynamodb.Table(
    "patients",
    hash_key="patient_id",
    attributes=[{"name": "patient_id", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
    tags={"data-classification": "ePHI"},
)
aws.dynamodb.TableItem(
    "seed-patient",
    table_name=table.name,
    hash_key=table.hash_key,
    item=json.dumps({"patient_id": {"S": "MRN-88213"}, "name": {"S": "Jane Roe"}}),
)
group = aws.cloudwatch.LogGroup("portal", retention_in_days=365)
aws.cloudwatch.LogStream("patient-stream", log_group_name=group.name, name="session-MRN-88213")
aws.ssm.Parameter(
    "portal-password", type="SecureString", value=config.require_secret("portalPassword")
)
aws.ssm.Parameter("api-token", type="String", value=config.require("apiToken"))
