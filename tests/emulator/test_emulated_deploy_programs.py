"""The emulated deploy on other programs: an insecure one stands up as written (with the
provider's default tags), a dependant waits for a target named in plain text, what cannot be
emulated or mapped is reported, a creator's failure is loud, and secrets reach no report."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from scripts.emulate.deploy import DeployError, deploy

REPO = Path(__file__).resolve().parents[2]


def _program(tmp_path: Path, body: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: emulated\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    source = "import pulumi\nimport pulumi_aws as aws\n\n" + textwrap.dedent(body)
    (tmp_path / "__main__.py").write_text(source, encoding="utf-8")
    return tmp_path


def test_the_insecure_program_deploys_as_written_with_default_tags(aws):
    tags = {"tags": {"cost-center": "emulated"}}
    report = deploy(
        REPO / "tests/programs/insecure",
        "dev",
        aws.endpoint,
        config={"aws:defaultTags": json.dumps(tags)},
    )
    assert report.failure is None and report.not_emulated == () and len(report.created) == 7
    key = report.find("aws:kms/key:Key")[0]
    kms = aws.client("kms")
    assert kms.get_key_rotation_status(KeyId=key.id)["KeyRotationEnabled"] is False
    key_tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key.id)["Tags"]}
    assert key_tags == {"cost-center": "emulated"}
    group = aws.client("ec2").describe_security_groups(
        GroupIds=[report.find("aws:ec2/securityGroup:SecurityGroup")[0].id]
    )["SecurityGroups"][0]
    ssh = group["IpPermissions"][0]
    assert (ssh["FromPort"], ssh["IpRanges"][0]["CidrIp"]) == (22, "0.0.0.0/0")
    # Declared inline, so the provider keeps it.
    assert group["IpPermissionsEgress"][0]["IpProtocol"] == "-1"
    db = aws.client("rds").describe_db_instances()["DBInstances"][0]
    assert db["PubliclyAccessible"] is True and db["StorageEncrypted"] is False
    assert {t["Key"]: t["Value"] for t in db["TagList"]} == {
        "cost-center": "emulated",
        "data-classification": "ePHI",
    }
    bucket = report.find("aws:s3/bucket:Bucket")[0].id
    policy = json.loads(aws.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Principal"] == "*"
    assert policy["Statement"][0]["Resource"] == f"arn:aws:s3:::{bucket}/*"


def test_regions_follow_the_resource_and_its_provider_and_made_up_answers_are_named(aws):
    report = deploy(REPO / "tests/programs/datasources", "dev", aws.endpoint)
    name = "/billing/dev/private-subnet-ids"
    for region in ("us-east-1", "us-west-2"):  # the second one names its own region
        assert aws.client("ssm", region).get_parameter(Name=name)["Parameter"]["Type"] == (
            "StringList"
        )
    dr = report.find("aws:s3/bucket:Bucket", "reports-dr")[0]
    assert dr.region == "us-east-2"  # its explicit provider's
    location = aws.client("s3").get_bucket_location(Bucket=dr.id)["LocationConstraint"]
    assert location == "us-east-2"
    assert report.made_up_data_sources == ("aws:ec2/getAmi:getAmi",)
    reasons = {r.name: r.reason for r in report.not_emulated}
    assert "worker-profile" in reasons["billing-worker-instance"]
    assert "neither" in reasons["api-certificate-validated"]


def test_a_dependant_waits_for_a_target_it_names_in_plain_text(aws, tmp_path):
    program = _program(
        tmp_path,
        """
        key = aws.kms.Key("first", description="created before the bucket")
        aws.s3.BucketVersioning(
            "early",
            bucket="emulated-late-bucket",
            versioning_configuration={"status": "Enabled"},
        )
        aws.s3.Bucket(
            "late", bucket="emulated-late-bucket", opts=pulumi.ResourceOptions(depends_on=[key])
        )
        """,
    )
    lines: list[str] = []
    report = deploy(program, "dev", aws.endpoint, progress=lines.append)
    assert len(report.created) == 3
    assert any(line.startswith("waiting: aws:s3/bucketVersioning:BucketVersioning early")
               for line in lines)  # fmt: skip
    status = aws.client("s3").get_bucket_versioning(Bucket="emulated-late-bucket")["Status"]
    assert status == "Enabled"


def test_what_cannot_be_emulated_or_mapped_is_reported(aws, tmp_path):
    program = _program(
        tmp_path,
        """
        site = aws.s3.Bucket(
            "site", bucket="emulated-site", website={"index_document": "index.html"}
        )
        board = aws.cloudwatch.Dashboard(
            "board", dashboard_name="billing", dashboard_body='{"widgets": []}'
        )
        aws.sns.Topic("from-board", display_name=board.dashboard_arn)
        """,
    )
    report = deploy(program, "dev", aws.endpoint)
    assert [r.name for r in report.created] == ["site"]
    assert report.unmapped[0].inputs == {"website.index_document": "no creator maps it"}
    reasons = {r.name: r.reason for r in report.not_emulated}
    assert reasons == {
        "board": "no creator for this type yet",
        "from-board": "its input 'displayName' comes from aws:cloudwatch/dashboard:Dashboard "
        "board, which was not emulated",
    }
    assert aws.client("sns").list_topics()["Topics"] == []


def test_a_creator_that_fails_stops_the_deploy_naming_the_resource_and_the_aws_error(aws, tmp_path):
    program = _program(
        tmp_path,
        """
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("outside", vpc_id=vpc.id, cidr_block="192.168.0.0/24")
        """,
    )
    with pytest.raises(DeployError) as raised:
        deploy(program, "dev", aws.endpoint)
    message = str(raised.value)
    assert "aws:ec2/subnet:Subnet outside could not be created in the emulator" in message
    assert "InvalidSubnet.Range" in message
    report = raised.value.report
    assert report is not None and [r.name for r in report.created] == ["vpc"]
    assert report.failure is not None and report.failure["name"] == "outside"
    subnets = aws.client("ec2").describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [report.created[0].id]}]
    )["Subnets"]
    assert subnets == []


def test_secrets_reach_the_emulator_and_nothing_else(aws):
    password, token = "hunter2-very-secret", "tok-abcdef123456"
    lines: list[str] = []
    report = deploy(
        REPO / "tests/programs/secrets",
        "dev",
        aws.endpoint,
        secrets={"dbPassword": password, "apiToken": token},
        progress=lines.append,
    )
    assert {r.type for r in report.created} == {
        "aws:rds/instance:Instance",
        "aws:ssm/parameter:Parameter",
    }
    parameter = aws.client("ssm").get_parameter(Name="/billing/dev/payments-api-token")
    assert parameter["Parameter"]["Value"] == token
    assert aws.client("rds").describe_db_instances()["DBInstances"][0]["StorageEncrypted"]
    for text in (repr(report), *lines):
        assert password not in text and token not in text
