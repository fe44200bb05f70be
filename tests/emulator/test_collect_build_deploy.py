"""Auto Scaling groups, Elastic Beanstalk environments, CodeBuild projects and EC2 instance
states, live: read in the shape a Pulumi program gives them (or, for an instance's state, as the
live-only fact it is) and judged; what the emulator does not answer is a gap, and AWS's own
answers are tried through a stubbed client."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from checks.registry import Status
from checks.sources.aws.services import autoscaling, codebuild, ec2_status, elasticbeanstalk
from checks.sources.aws.services.ec2_status import INSTANCE_STATUS
from checks.sources.aws.services.elasticbeanstalk import ENVIRONMENT
from tests.emulator.live_audit import (
    audit,
    collect,
    findings,
    program_resources,
    record_calls,
    run_with,
    shape_differences,
    verdicts,
)


def _subnet(aws) -> tuple[str, str]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    return vpc, ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]


def test_groups_behind_a_target_group_need_its_health_checks(aws):
    vpc, subnet = _subnet(aws)
    target = aws.client("elbv2").create_target_group(
        Name="workers", Protocol="HTTPS", Port=8443, VpcId=vpc
    )["TargetGroups"][0]["TargetGroupArn"]
    client = aws.client("autoscaling")
    client.create_launch_configuration(LaunchConfigurationName="workers", ImageId="ami-12c6146b",
                                       InstanceType="t3.micro")  # fmt: skip
    for name, kind in (("healthy", "ELB"), ("blind", "EC2")):
        client.create_auto_scaling_group(
            AutoScalingGroupName=name, LaunchConfigurationName="workers", MinSize=0, MaxSize=2,
            VPCZoneIdentifier=subnet, TargetGroupARNs=[target], HealthCheckType=kind,
            HealthCheckGracePeriod=300,
        )  # fmt: skip
    client.create_auto_scaling_group(
        AutoScalingGroupName="alone", LaunchConfigurationName="workers", MinSize=0, MaxSize=1,
        VPCZoneIdentifier=subnet,
    )  # fmt: skip
    collected = collect(aws, autoscaling.COLLECTORS)
    (healthy,) = [r for r in collected.resources if r.name == "healthy"]
    assert healthy.props["target_group_arns"] == [target]
    assert healthy.props["vpc_zone_identifiers"] == [subnet]
    (program,) = [r for r in program_resources() if r.type == autoscaling.GROUP]
    # The program's launch template is the group's; this one's launch configuration.
    assert sorted(shape_differences(program.props, healthy.props)) == ["launch_template: missing"]
    judged = verdicts(audit(aws, autoscaling.COLLECTORS), "autoscaling_group_elb_healthcheck")
    assert judged == {"healthy": Status.PASS, "blind": Status.FAIL, "alone": Status.NOT_APPLICABLE}


def test_environments_are_a_gap_where_the_emulator_lacks_their_settings(aws):
    client = aws.client("elasticbeanstalk")
    client.create_application(ApplicationName="portal")
    client.create_environment(
        ApplicationName="portal", EnvironmentName="portal-prod",
        SolutionStackName="64bit Amazon Linux 2023 running Python 3.12",
    )  # fmt: skip
    evaluation = audit(aws, elasticbeanstalk.COLLECTORS)
    (finding,) = findings(evaluation, "beanstalk_managed_updates")
    assert finding.status is Status.NOT_EVALUATED
    assert "does not implement DescribeConfigurationSettings" in finding.message
    assert "environment portal-prod" in finding.message


def test_environment_settings_keep_only_the_managed_update_options():
    client = boto3.client("elasticbeanstalk", region_name="us-east-1",
                          aws_access_key_id="stub", aws_secret_access_key="stub")  # fmt: skip
    stub = Stubber(client)
    stub.add_response("describe_environments", {"Environments": [
        {"EnvironmentName": "portal-prod", "EnvironmentId": "e-0a1b2c3d4e",
         "ApplicationName": "portal", "Status": "Ready", "Tier": {"Name": "WebServer"},
         "SolutionStackName": "64bit Amazon Linux 2023 running Python 3.12"},
        {"EnvironmentName": "legacy-portal", "EnvironmentId": "e-9", "ApplicationName": "portal",
         "Status": "Terminated"},
    ]})  # fmt: skip
    stub.add_response(
        "describe_configuration_settings",
        {"ConfigurationSettings": [{"OptionSettings": [
            {"Namespace": "aws:elasticbeanstalk:managedactions",
             "OptionName": "ManagedActionsEnabled", "Value": "true"},
            {"Namespace": "aws:elasticbeanstalk:managedactions:platformupdate",
             "OptionName": "UpdateLevel", "Value": "minor"},
            {"Namespace": "aws:elasticbeanstalk:application:environment",
             "OptionName": "DB_PASSWORD", "Value": "pw-never-collected"},
        ]}]},
        {"ApplicationName": "portal", "EnvironmentName": "portal-prod"},
    )  # fmt: skip
    with stub:
        (env,) = run_with(elasticbeanstalk.COLLECTORS[0], client)
    stub.assert_no_pending_responses()
    assert (env.type, env.id) == (ENVIRONMENT, "e-0a1b2c3d4e")
    assert env.props["settings"] == [
        {"namespace": "aws:elasticbeanstalk:managedactions", "name": "ManagedActionsEnabled",
         "value": "true"},
        {"namespace": "aws:elasticbeanstalk:managedactions:platformupdate", "name": "UpdateLevel",
         "value": "minor"},
    ]  # fmt: skip
    assert "pw-never-collected" not in repr(env.props)


def test_projects_are_judged_on_their_source_urls_and_plaintext_keys(aws, monkeypatch):
    client = aws.client("codebuild")
    role = "arn:aws:iam::123456789012:role/build"
    base = {"artifacts": {"type": "NO_ARTIFACTS"}, "serviceRole": role}
    env = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
           "computeType": "BUILD_GENERAL1_SMALL"}  # fmt: skip
    client.create_project(name="clean", source={"type": "GITHUB",
                          "location": "https://github.com/example/claims.git"},
                          environment={**env, "environmentVariables": [
                              {"name": "SIGNING_KEY", "value": "claims/signing",
                               "type": "SECRETS_MANAGER"}]}, **base)  # fmt: skip
    client.create_project(name="leaky", source={"type": "BITBUCKET",
                          "location": "https://ci:hunter2@bitbucket.org/example/claims.git"},
                          environment={**env, "environmentVariables": [
                              {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI",
                               "type": "PLAINTEXT"}]}, **base)  # fmt: skip
    calls = record_calls(monkeypatch)
    evaluation = audit(aws, codebuild.COLLECTORS)
    assert set(calls) == {"codebuild:ListProjects", "codebuild:BatchGetProjects"}
    assert verdicts(evaluation, "codebuild_source_url_no_credentials") == {
        "clean": Status.PASS, "leaky": Status.FAIL}  # fmt: skip
    assert verdicts(evaluation, "codebuild_env_no_plaintext_aws_keys") == {
        "clean": Status.PASS, "leaky": Status.FAIL}  # fmt: skip
    rendered = repr([(f.message, dict(f.evidence)) for f in evaluation.findings])
    assert "hunter2" not in rendered and "wJalr" not in rendered


def test_instance_states_are_read_with_when_they_stopped(aws):
    ec2 = aws.client("ec2")
    running, stopped = (
        i["InstanceId"]
        for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2)["Instances"]
    )
    ec2.stop_instances(InstanceIds=[stopped])
    collected = collect(aws, ec2_status.COLLECTORS)
    states = {r.name: r for r in collected.resources if r.type == INSTANCE_STATUS}
    assert states[running].props["instance_state"] == "running"
    assert "stopped_since" not in states[running].props
    assert states[stopped].props["instance_state"] == "stopped"
    # The emulator writes the stop time into the reason as AWS does: stopped just now.
    assert states[stopped].props["stopped_since"] <= states[stopped].props["audit_time"]
    judged = verdicts(audit(aws, ec2_status.COLLECTORS), "ec2_stopped_instance")
    assert judged == {
        f"instance-status/{running}": Status.PASS,
        f"instance-status/{stopped}": Status.PASS,
    }


def test_stopped_since_is_read_from_the_state_transition_reason():
    stopped = {"State": {"Name": "stopped"},
               "StateTransitionReason": "User initiated (2026-10-01 08:15:00 GMT)"}  # fmt: skip
    assert ec2_status.stopped_since(stopped) == "2026-10-01T08:15:00+00:00"
    emulated = {**stopped, "StateTransitionReason": "User initiated (2026-10-01 08:15:00 UTC)"}
    assert ec2_status.stopped_since(emulated) == "2026-10-01T08:15:00+00:00"
    assert ec2_status.stopped_since({**stopped, "StateTransitionReason": ""}) is None
    assert ec2_status.stopped_since({"State": {"Name": "running"}}) is None
