"""The EC2 compute collectors against the emulator: instances, launch templates and
configurations, volumes and the region's defaults have the shape the Pulumi sources give, a
secure setup passes, each console-style change fails the right check on the right resource, and
what the emulator cannot answer (or a role may not read) is NOT_EVALUATED, never a pass."""

from __future__ import annotations

import base64

import boto3
from botocore.stub import Stubber

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory, Resource
from checks.registry import Status
from checks.sources.aws.services import ec2_compute, ec2_network
from checks.sources.aws.services.ec2_compute import (
    DEFAULT_KMS_KEY,
    ENCRYPTION_BY_DEFAULT,
    INSTANCE,
    LAUNCH_TEMPLATE,
    METADATA_DEFAULTS,
    VOLUME,
)
from tests.emulator.live_audit import (
    audit,
    by_id,
    collect,
    deny,
    findings,
    program_resources,
    run_with,
    shape_differences,
    verdicts,
)
from tests.emulator.secure_vpc import SecureVpc, secure_vpc

# What moto does not answer (GetEbsDefaultKmsKeyId, GetInstanceMetadataDefaults) is left out
# here, and judged on its own below.
UNANSWERED = (DEFAULT_KMS_KEY, METADATA_DEFAULTS)
COMPUTE = [c for c in ec2_compute.COLLECTORS if not set(c.types) & set(UNANSWERED)]
EVERYTHING = COMPUTE + ec2_network.COLLECTORS
CLASSIFIED = [{"Key": "data-classification", "Value": "ephi"}]


def _setup(aws) -> tuple[SecureVpc, str, str]:
    """A secure VPC, an instance profile and a customer key."""
    net = secure_vpc(aws.client("ec2"))
    iam = aws.client("iam")
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument="{}")
    iam.create_instance_profile(InstanceProfileName="worker")
    iam.add_role_to_instance_profile(InstanceProfileName="worker", RoleName="worker")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    image = aws.client("ec2").register_image(Name="base", RootDeviceName="/dev/sda1")["ImageId"]
    return net, key, image


def _secure_instance(aws, net: SecureVpc, key: str, image: str, **overrides) -> str:
    launch = {
        "ImageId": image, "MinCount": 1, "MaxCount": 1, "InstanceType": "t3.medium",
        "SubnetId": net.subnet_ids[0], "SecurityGroupIds": [net.app_sg],
        "IamInstanceProfile": {"Name": "worker"},
        "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {
            "VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True, "KmsKeyId": key}}],
        "Monitoring": {"Enabled": True},
        "UserData": "#!/bin/bash\nCLEARINGHOUSE_SECRET_ID=claims/clearinghouse-api\n",
        "TagSpecifications": [{"ResourceType": "instance", "Tags": CLASSIFIED}],
    } | overrides  # fmt: skip
    return aws.client("ec2").run_instances(**launch)["Instances"][0]["InstanceId"]


def _secure_template(aws, net: SecureVpc, key: str, image: str) -> str:
    data = {
        "ImageId": image, "InstanceType": "t3.medium",
        "IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/worker"},
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled",
                            "HttpPutResponseHopLimit": 1},
        "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": False,
                               "DeleteOnTermination": True, "Groups": [net.app_sg]}],
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
            "Encrypted": True, "KmsKeyId": key, "VolumeSize": 30, "VolumeType": "gp3",
            "DeleteOnTermination": True}}],
        "UserData": base64.b64encode(b"#!/bin/bash\ndnf install -y postgresql16\n").decode(),
        "TagSpecifications": [{"ResourceType": "instance", "Tags": CLASSIFIED}],
    }  # fmt: skip
    made = aws.client("ec2").create_launch_template(
        LaunchTemplateName="batch-worker", LaunchTemplateData=data,
        TagSpecifications=[{"ResourceType": "launch-template",
                            "Tags": [{"Key": "project", "Value": "claims"}]}],
    )  # fmt: skip
    return made["LaunchTemplate"]["LaunchTemplateId"]


def _volume(aws, key: str | None = None, tags: list | None = None) -> str:
    args = {"AvailabilityZone": "us-east-1a", "Size": 100, "VolumeType": "gp3"}
    if key:
        args |= {"Encrypted": True, "KmsKeyId": key}
    if tags:
        args["TagSpecifications"] = [{"ResourceType": "volume", "Tags": tags}]
    return aws.client("ec2").create_volume(**args)["VolumeId"]


def test_compute_resources_have_the_shape_the_program_sources_give(aws):
    net, key, image = _setup(aws)
    instance = _secure_instance(aws, net, key, image)
    template = _secure_template(aws, net, key, image)
    volume = _volume(aws, key, CLASSIFIED)
    aws.client("ec2").enable_ebs_encryption_by_default()
    collected = collect(aws, COMPUTE)
    assert collected.gaps == {}
    live = {
        INSTANCE: by_id(collected, instance),
        LAUNCH_TEMPLATE: by_id(collected, template),
        VOLUME: by_id(collected, volume),
        ENCRYPTION_BY_DEFAULT: next(r for r in collected.resources
                                    if r.type == ENCRYPTION_BY_DEFAULT),
    }  # fmt: skip
    program = {r.type: r for r in program_resources() if r.type in live}
    assert sorted(program) == sorted(live)
    # AWS returns user data base64-encoded: the provider's `user_data_base64`, not `user_data`.
    expected = {INSTANCE: ["user_data: missing"]}
    for token, resource in live.items():
        differences = shape_differences(program[token].props, resource.props)
        assert differences == expected.get(token, []), token
    props = live[INSTANCE].props
    assert props["metadata_options"]["http_tokens"] == "required"
    assert props["root_block_device"] | {"volume_id": "-"} == {
        "device_name": "/dev/sda1", "volume_id": "-", "encrypted": True, "kms_key_id": key,
        "volume_size": 30, "volume_type": "gp3", "iops": 3000, "delete_on_termination": False,
    }  # fmt: skip
    assert props["iam_instance_profile"] == "worker"
    assert props["associate_public_ip_address"] is False
    assert props["tags"] == {"data-classification": "ephi"}
    assert base64.b64decode(props["user_data_base64"]).startswith(b"#!/bin/bash\nCLEARING")
    mapping = live[LAUNCH_TEMPLATE].props["block_device_mappings"][0]
    assert mapping["ebs"]["encrypted"] == "true"  # the provider types it as text
    assert live[LAUNCH_TEMPLATE].props["network_interfaces"][0]["associate_public_ip_address"] == (
        "false"
    )
    assert live[ENCRYPTION_BY_DEFAULT].props == {"enabled": True}


def test_a_secure_setup_passes_every_compute_check(aws):
    net, key, image = _setup(aws)
    instance = _secure_instance(aws, net, key, image)
    template = _secure_template(aws, net, key, image)
    volume = _volume(aws, key, CLASSIFIED)
    aws.client("ec2").enable_ebs_encryption_by_default()
    evaluation = audit(aws, EVERYTHING)
    for check, subjects in {
        "ebs_volume_encrypted": [volume],
        "ec2_block_devices_encrypted": [instance, template],
        "ec2_imdsv2_required": [instance, template],
        "ec2_instance_profile_attached": [instance],
        "ec2_instance_no_public_ip": [instance],
        "launch_template_no_public_ip": [template],
        "ec2_user_data_no_secrets": [instance, template],
        "data_store_classification_tagged": [volume],
    }.items():
        judged = verdicts(evaluation, check)
        assert [judged[s] for s in subjects] == [Status.PASS] * len(subjects), check
    assert verdicts(evaluation, "ebs_encryption_by_default") == {"(account)": Status.PASS}


def test_compute_changes_made_in_the_console_fail_the_right_checks(aws):
    net, key, image = _setup(aws)
    ec2 = aws.client("ec2")
    instance = _secure_instance(aws, net, key, image)
    template = _secure_template(aws, net, key, image)
    # IMDSv1 back on, the instance profile removed, an Elastic IP attached; a hand-made
    # unencrypted volume; encryption by default off; a new template version asking for a public
    # IP; an instance launched with a password in its user data and an unencrypted root volume.
    ec2.modify_instance_metadata_options(InstanceId=instance, HttpTokens="optional")
    (association,) = ec2.describe_iam_instance_profile_associations()[
        "IamInstanceProfileAssociations"
    ]
    ec2.disassociate_iam_instance_profile(AssociationId=association["AssociationId"])
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=eip, InstanceId=instance)
    volume = _volume(aws)
    ec2.disable_ebs_encryption_by_default()
    ec2.create_launch_template_version(
        LaunchTemplateId=template, SourceVersion="1",
        LaunchTemplateData={"NetworkInterfaces": [{"DeviceIndex": 0,
                                                   "AssociatePublicIpAddress": True}]},
    )  # fmt: skip
    leaky = _secure_instance(
        aws, net, key, image,
        UserData="#!/bin/bash\nexport DB_PASSWORD=Sup3rSecretValue\n",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 30}}],
    )  # fmt: skip
    evaluation = audit(aws, EVERYTHING)

    def only(check: str, subject: str):
        (finding,) = [f for f in findings(evaluation, check) if f.resource.id == subject]
        return finding

    assert only("ec2_imdsv2_required", instance).status is Status.FAIL
    assert only("ec2_imdsv2_required", leaky).status is Status.PASS
    assert only("ec2_instance_profile_attached", instance).status is Status.FAIL
    public = only("ec2_instance_no_public_ip", instance)
    assert public.status is Status.FAIL and f"Elastic IP {eip}" in public.message
    assert only("ec2_instance_no_public_ip", leaky).status is Status.PASS
    assert only("ebs_volume_encrypted", volume).status is Status.FAIL
    assert verdicts(evaluation, "ebs_encryption_by_default") == {"(account)": Status.FAIL}
    assert only("launch_template_no_public_ip", template).status is Status.FAIL
    secrets = only("ec2_user_data_no_secrets", leaky)
    assert secrets.status is Status.FAIL and secrets.evidence["secrets_found"] == ["DB_PASSWORD"]
    assert "Sup3rSecretValue" not in repr(secrets.evidence) + secrets.message
    assert only("ec2_user_data_no_secrets", instance).status is Status.PASS
    assert only("ec2_block_devices_encrypted", leaky).status is Status.FAIL
    assert only("ec2_block_devices_encrypted", instance).status is Status.PASS


def test_what_moto_does_not_answer_is_not_evaluated_and_hides_nothing_else(aws):
    net, key, image = _setup(aws)
    instance = _secure_instance(aws, net, key, image)
    ec2 = aws.client("ec2")
    bare = ec2.create_launch_template(LaunchTemplateName="bare", LaunchTemplateData={
        "ImageId": image})["LaunchTemplate"]["LaunchTemplateId"]  # fmt: skip
    collected = collect(aws, ec2_compute.COLLECTORS)
    assert sorted(collected.gaps) == sorted(UNANSWERED)
    # moto answers these EC2 calls with an HTML error page, which botocore cannot parse: the
    # collector fails and its type is a gap (the reason names the parse error, not the call).
    for token in UNANSWERED:
        assert collected.gaps[token].startswith("us-east-1 (123456789012): "), token
        assert "collector failed" in collected.gaps[token] or "implement" in collected.gaps[token]
    evaluation = evaluate(Inventory(collected.resources, collected.gaps), build_registry())
    imds = {f.resource.id: f for f in findings(evaluation, "ec2_imdsv2_required")}
    # The instance's own options decide; the bare template falls back to the unread defaults.
    assert imds[instance].status is Status.PASS
    assert imds[bare].status is Status.NOT_EVALUATED
    assert METADATA_DEFAULTS in imds[bare].message


def _stubbed_ec2() -> tuple[object, Stubber]:
    client = boto3.client("ec2", region_name="eu-west-1", aws_access_key_id="stub",
                          aws_secret_access_key="stub")  # fmt: skip
    return client, Stubber(client)


def test_the_region_defaults_moto_lacks_are_read_as_aws_answers_them():
    (defaults,) = [c for c in ec2_compute.COLLECTORS if c.types == (METADATA_DEFAULTS,)]
    (kms,) = [c for c in ec2_compute.COLLECTORS if c.types == (DEFAULT_KMS_KEY,)]
    client, stub = _stubbed_ec2()
    stub.add_response(
        "get_instance_metadata_defaults",
        {"AccountLevel": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}},
    )
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    stub.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": key})
    with stub:
        (metadata,) = run_with(defaults, client, "eu-west-1")
        (default_key,) = run_with(kms, client, "eu-west-1")
    assert (metadata.type, metadata.region, metadata.id) == (METADATA_DEFAULTS, "eu-west-1",
                                                             "eu-west-1")  # fmt: skip
    assert metadata.props == {"http_tokens": "required", "http_put_response_hop_limit": 2}
    assert default_key.props == {"key_arn": key}
    # A template that says nothing about metadata is covered by the region's defaults.
    bare = Resource(LAUNCH_TEMPLATE, "bare", {"name": "bare"}, id="lt-1", region="eu-west-1")
    evaluation = evaluate(Inventory([bare, metadata]), build_registry())
    assert verdicts(evaluation, "ec2_imdsv2_required") == {"lt-1": Status.PASS}


def test_a_refused_call_hides_only_the_instances(aws, monkeypatch):
    net, key, image = _setup(aws)
    instance = _secure_instance(aws, net, key, image)
    template = _secure_template(aws, net, key, image)
    before = audit(aws, COMPUTE)
    assert verdicts(before, "ec2_imdsv2_required")[instance] is Status.PASS
    deny(monkeypatch, "ec2", "DescribeInstanceAttribute")
    after = audit(aws, COMPUTE)
    assert set(after.inventory.gaps) == {INSTANCE}
    for check in ("ec2_instance_profile_attached", "ec2_instance_no_public_ip"):
        (finding,) = findings(after, check)
        assert finding.status is Status.NOT_EVALUATED
        assert "access denied to DescribeInstanceAttribute (AccessDenied)" in finding.message
    # Checks of templates and instances alike still judge the template, and say that the
    # instances could not be seen.
    for check in ("ec2_imdsv2_required", "ec2_block_devices_encrypted"):
        assert verdicts(after, check) == {template: Status.PASS, "(account)": Status.NOT_EVALUATED}
    assert (
        verdicts(before, "launch_template_no_public_ip")
        == verdicts(after, "launch_template_no_public_ip")
        == {template: Status.PASS}
    )
    assert verdicts(before, "ebs_volume_encrypted") == verdicts(after, "ebs_volume_encrypted")


def test_a_launch_configuration_is_judged_with_its_image_s_root_device(aws):
    _, _, image = _setup(aws)  # moto registers every image with the root device /dev/sda1
    asg = aws.client("autoscaling")
    encrypted = [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 30, "Encrypted": True}}]
    asg.create_launch_configuration(
        LaunchConfigurationName="legacy", ImageId=image, InstanceType="t3.medium",
        AssociatePublicIpAddress=True, MetadataOptions={"HttpTokens": "optional"},
        BlockDeviceMappings=encrypted, IamInstanceProfile="worker",
    )  # fmt: skip
    asg.create_launch_configuration(
        LaunchConfigurationName="hardened", ImageId=image, InstanceType="t3.medium",
        MetadataOptions={"HttpTokens": "required"}, BlockDeviceMappings=encrypted,
        UserData="#!/bin/bash\ndnf update -y\n",
    )  # fmt: skip
    (collector,) = [c for c in COMPUTE if c.service == "autoscaling"]
    collected = collect(aws, [collector])
    assert collected.gaps == {}
    legacy = by_id(collected, "legacy")
    assert legacy.props["root_block_device"] == {
        "device_name": "/dev/sda1", "encrypted": True, "volume_size": 30}  # fmt: skip
    assert legacy.props["ebs_block_devices"] == []
    assert base64.b64decode(by_id(collected, "hardened").props["user_data_base64"]) == (
        b"#!/bin/bash\ndnf update -y\n"
    )
    evaluation = audit(aws, [collector])
    expected = {
        "launch_template_no_public_ip": {"legacy": Status.FAIL, "hardened": Status.PASS},
        "ec2_imdsv2_required": {"legacy": Status.FAIL, "hardened": Status.PASS},
        "ec2_block_devices_encrypted": {"legacy": Status.PASS, "hardened": Status.PASS},
        "ec2_user_data_no_secrets": {"legacy": Status.PASS, "hardened": Status.PASS},
    }
    for check, judged in expected.items():
        assert verdicts(evaluation, check) == judged, check
    # Once the image is gone, which mapping is the root cannot be told: the root is undeclared.
    aws.client("ec2").deregister_image(ImageId=image)
    legacy = by_id(collect(aws, [collector]), "legacy")
    assert "root_block_device" not in legacy.props
    assert [d["device_name"] for d in legacy.props["ebs_block_devices"]] == ["/dev/sda1"]
