"""Checks of how workloads are built and deployed, on hand-built inventories: Auto Scaling
health checks behind a load balancer, Elastic Beanstalk managed updates, and credentials in
CodeBuild source URLs and plaintext environment variables."""

from __future__ import annotations

import pytest

from checks.aws.autoscaling import autoscaling_group_elb_healthcheck
from checks.aws.beanstalk import beanstalk_managed_updates
from checks.aws.codebuild import (
    codebuild_env_no_plaintext_aws_keys,
    codebuild_source_url_no_credentials,
)
from checks.model import SECRET, UNKNOWN, Inventory, Resource, Secret, Undecidable
from checks.registry import Status

GROUP = "aws:autoscaling/group:Group"
TG = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef"


def run(fn, res: Resource, *others: Resource):
    return fn(res, Inventory([res, *others]))


# -- autoscaling_group_elb_healthcheck -----------------------------------------------------------


def group(**props) -> Resource:
    return Resource(GROUP, "workers", {"name": "workers", "min_size": 1, "max_size": 3, **props})


@pytest.mark.parametrize("kind", ["ELB", "EC2,ELB", "VPC_LATTICE"])
def test_load_balancer_health_checks_pass(kind):
    result = run(
        autoscaling_group_elb_healthcheck, group(target_group_arns=[TG], health_check_type=kind)
    )
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"health_check_type": kind.split(","), "load_balancers": [TG]},
    )


@pytest.mark.parametrize(
    ("props", "balancers"),
    [
        ({"target_group_arns": [TG]}, [TG]),
        ({"load_balancers": ["classic-web"], "health_check_type": "EC2"}, ["classic-web"]),
        ({"traffic_sources": [{"identifier": TG, "type": "elbv2"}]}, [TG]),
    ],
)
def test_ec2_health_checks_behind_a_load_balancer_fail_and_are_the_default(props, balancers):
    result = run(autoscaling_group_elb_healthcheck, group(**props))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"health_check_type": ["EC2"], "load_balancers": balancers},
    )


@pytest.mark.parametrize(
    ("token", "inputs"),
    [
        ("aws:autoscaling/attachment:Attachment", {"lb_target_group_arn": TG}),
        ("aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
         {"traffic_source": {"identifier": TG, "type": "elbv2"}}),
    ],
)  # fmt: skip
def test_a_load_balancer_attached_apart_counts(token, inputs):
    attachment = Resource(token, "workers-web", {"autoscaling_group_name": "workers", **inputs})
    result = run(autoscaling_group_elb_healthcheck, group(), attachment)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"health_check_type": ["EC2"], "load_balancers": [TG]},
    )


def test_load_balancers_named_every_way_are_all_listed():
    attachments = [
        Resource("aws:autoscaling/attachment:Attachment", "workers-classic",
                 {"autoscaling_group_name": "workers", "elb": "classic-web"}),
        Resource("aws:autoscaling/attachment:Attachment", "workers-tg",
                 {"autoscaling_group_name": "workers", "lb_target_group_arn": TG}),
        Resource("aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment", "workers-ts",
                 {"autoscaling_group_name": "workers",
                  "traffic_source": {"identifier": "lattice-tg", "type": "vpc-lattice"}}),
    ]  # fmt: skip
    res = group(load_balancers=["own-classic"], health_check_type="ELB")
    result = run(autoscaling_group_elb_healthcheck, res, *attachments)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"health_check_type": ["ELB"],
         "load_balancers": ["own-classic", "classic-web", TG, "lattice-tg"]},
    )  # fmt: skip


def test_a_group_behind_no_load_balancer_is_not_applicable():
    result = run(autoscaling_group_elb_healthcheck, group())
    assert (result.status, result.message) == (
        Status.NOT_APPLICABLE,
        "the group is behind no load balancer",
    )


def test_an_attachment_naming_a_group_not_known_yet_is_not_evaluated():
    inputs = {"autoscaling_group_name": UNKNOWN, "lb_target_group_arn": TG}
    attachment = Resource("aws:autoscaling/attachment:Attachment", "x", inputs)
    with pytest.raises(Undecidable, match="autoscaling_group_name of x cannot be seen"):
        run(autoscaling_group_elb_healthcheck, group(), attachment)


def test_a_hidden_health_check_type_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(
            autoscaling_group_elb_healthcheck,
            group(target_group_arns=[TG], health_check_type=UNKNOWN),
        )


# -- beanstalk_managed_updates -------------------------------------------------------------------

ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
ON = {
    "namespace": "aws:elasticbeanstalk:managedactions",
    "name": "ManagedActionsEnabled",
    "value": "true",
}
MINOR = {"namespace": "aws:elasticbeanstalk:managedactions:platformupdate", "name": "UpdateLevel",
         "value": "minor"}  # fmt: skip


def environment(*settings: dict, **props) -> Resource:
    return Resource(
        ENVIRONMENT, "portal", {"application": "portal", "settings": list(settings), **props}
    )


def test_managed_updates_on_pass():
    result = run(beanstalk_managed_updates, environment(ON, MINOR))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"managed_actions_enabled": True, "update_level": "minor"},
    )


@pytest.mark.parametrize(
    "settings", [(), ({**ON, "value": "false"}, MINOR), ({**ON, "namespace": "other"},)]
)
def test_managed_updates_off_fail_and_are_the_default(settings):
    result = run(beanstalk_managed_updates, environment(*settings))
    level = "minor" if MINOR in settings else None
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"managed_actions_enabled": False, "update_level": level},
    )


def test_the_saved_configuration_the_environment_names_counts():
    inputs = {"name": "baseline", "application": "portal", "settings": [ON]}
    template = Resource(TEMPLATE, "baseline", inputs)
    result = run(beanstalk_managed_updates, environment(template_name="baseline"), template)
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"managed_actions_enabled": True, "update_level": None},
    )


def test_the_environment_s_own_setting_wins_over_the_template():
    template = Resource(TEMPLATE, "baseline", {"name": "baseline", "settings": [ON]})
    off = {**ON, "value": "false"}
    result = run(beanstalk_managed_updates, environment(off, template_name="baseline"), template)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"managed_actions_enabled": False, "update_level": None},
    )


def test_a_named_template_absent_from_a_complete_inventory_leaves_the_own_settings():
    result = run(beanstalk_managed_updates, environment(ON, template_name="retired"))
    assert (result.status, result.evidence) == (
        Status.PASS,
        {"managed_actions_enabled": True, "update_level": None},
    )


def test_hidden_settings_are_not_evaluated():
    with pytest.raises(Undecidable):
        run(beanstalk_managed_updates, environment({**ON, "value": UNKNOWN}))


# -- codebuild_source_url_no_credentials ---------------------------------------------------------

PROJECT = "aws:codebuild/project:Project"
REPO = "https://github.com/example/claims.git"


def project(**props) -> Resource:
    return Resource(PROJECT, "build", {"name": "build", "service_role": "arn:role", **props})


@pytest.mark.parametrize(
    "location",
    [REPO, "https://jane@bitbucket.org/example/claims.git", "s3://bucket/source.zip",
     "git@github.com:example/claims.git", None],
)  # fmt: skip
def test_urls_without_credentials_pass(location):
    result = run(
        codebuild_source_url_no_credentials,
        project(source={"type": "GITHUB", "location": location}),
    )
    assert (result.status, result.evidence) == (Status.PASS, {"sources_with_credentials": []})


@pytest.mark.parametrize(
    "location",
    [
        "https://jane:hunter2@bitbucket.org/example/claims.git",
        "https://x-token-auth:abc123@bitbucket.org/example/claims.git",
        "https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/example/claims.git",
        "https://0123456789abcdef0123456789abcdef01234567@github.com/example/claims.git",
        "HTTPS://glpat-abcdefghij@gitlab.com/example/claims.git",
    ],
)
def test_a_url_with_a_password_or_token_fails_without_showing_it(location):
    result = run(
        codebuild_source_url_no_credentials,
        project(source={"type": "GITHUB", "location": location}),
    )
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"sources_with_credentials": ["source"]},
    )
    assert "hunter2" not in result.message and "ghp_" not in result.message


@pytest.mark.parametrize(
    "location",
    [
        "http://jane:hunter2@git.example.com/claims.git",
        # an e-mail address as the user name, the password after it
        "https://jane@example.com:hunter2@bitbucket.org/example/claims.git",
        # a password is exposed in the project's configuration whatever the scheme
        "ssh://jane:hunter2@git.example.com/claims.git",
    ],
)
def test_credentials_in_any_url_before_its_host_fail(location):
    result = run(
        codebuild_source_url_no_credentials,
        project(source={"type": "GITHUB", "location": location}),
    )
    assert (result.status, result.evidence, result.message) == (
        Status.FAIL,
        {"sources_with_credentials": ["source"]},
        "credentials in the URL of source",
    )


def test_a_secondary_source_with_credentials_fails_naming_it():
    secondary = [{"source_identifier": "shared", "type": "GITHUB", "location": REPO},
                 {"source_identifier": "infra", "type": "BITBUCKET",
                  "location": "https://ci:s3cret@bitbucket.org/example/infra.git"}]  # fmt: skip
    res = project(source={"type": "GITHUB", "location": REPO}, secondary_sources=secondary)
    result = run(codebuild_source_url_no_credentials, res)
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"sources_with_credentials": ["secondary_sources[infra]"]},
    )


def test_a_hidden_source_is_not_evaluated():
    with pytest.raises(Undecidable):
        run(
            codebuild_source_url_no_credentials,
            project(source={"type": "GITHUB", "location": UNKNOWN}),
        )


def test_a_source_url_kept_as_a_secret_is_still_read():
    secret_url = Secret("https://jane:hunter2@bitbucket.org/x.git")
    result = run(
        codebuild_source_url_no_credentials,
        project(source={"type": "BITBUCKET", "location": secret_url}),
    )
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"sources_with_credentials": ["source"]},
    )


# -- codebuild_env_no_plaintext_aws_keys ---------------------------------------------------------


def env(*variables: dict) -> dict:
    return {"compute_type": "BUILD_GENERAL1_SMALL", "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "environment_variables": list(variables)}  # fmt: skip


@pytest.mark.parametrize(
    "variables",
    [
        (),
        ({"name": "STAGE", "value": "prod"},),
        ({"name": "AWS_ACCESS_KEY_ID", "value": "claims/ci-key", "type": "SECRETS_MANAGER"},
         {"name": "AWS_SECRET_ACCESS_KEY", "value": "/claims/ci", "type": "PARAMETER_STORE"}),
        ({"name": "AWS_REGION", "value": "us-east-1", "type": "PLAINTEXT"},),
    ],
)  # fmt: skip
def test_no_plaintext_aws_keys_pass(variables):
    result = run(codebuild_env_no_plaintext_aws_keys, project(environment=env(*variables)))
    assert (result.status, result.evidence) == (Status.PASS, {"plaintext_aws_keys": []})


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        (({"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},), ["AWS_ACCESS_KEY_ID"]),
        (({"name": "AWS_SECRET_ACCESS_KEY", "value": "x", "type": "PLAINTEXT"},),
         ["AWS_SECRET_ACCESS_KEY"]),
        (({"name": "DEPLOY_KEY", "value": "id=AKIAIOSFODNN7EXAMPLE"},), ["DEPLOY_KEY"]),
        (({"name": "STAGE", "value": "prod"},
          {"name": "AWS_SECRET_ACCESS_KEY", "value": Secret("wJalr")}), ["AWS_SECRET_ACCESS_KEY"]),
    ],
)  # fmt: skip
def test_plaintext_aws_keys_fail_naming_only_the_variables(variables, named):
    result = run(codebuild_env_no_plaintext_aws_keys, project(environment=env(*variables)))
    assert (result.status, result.evidence) == (Status.FAIL, {"plaintext_aws_keys": named})
    assert "AKIA" not in result.message


def test_a_plaintext_key_after_a_secret_reference_is_still_found():
    variables = ({"name": "REGISTRY_TOKEN", "value": "ci/token", "type": "SECRETS_MANAGER"},
                 {"name": "AWS_SECRET_ACCESS_KEY", "value": "x", "type": "PLAINTEXT"})  # fmt: skip
    result = run(codebuild_env_no_plaintext_aws_keys, project(environment=env(*variables)))
    assert (result.status, result.evidence) == (
        Status.FAIL,
        {"plaintext_aws_keys": ["AWS_SECRET_ACCESS_KEY"]},
    )


@pytest.mark.parametrize("hidden", [UNKNOWN, SECRET])
def test_a_hidden_environment_is_not_evaluated(hidden):
    with pytest.raises(Undecidable):
        run(
            codebuild_env_no_plaintext_aws_keys,
            project(environment=env({"name": "X", "value": "1", "type": hidden})),
        )
