"""NOT_EVALUATED table rows, part two: who and what reaches ePHI (networks, identities, load
balancers, functions, messaging), with the account facts only the live source reads."""

from __future__ import annotations

import json

from checks.registry import Status
from checks.support.resource_types import ACCOUNT_SUMMARY, CREDENTIAL_REPORT_ROW
from tests.unit.not_evaluated_rows_data import KEY, ROLE_ARN, key
from tests.unit.not_evaluated_sources import ACCOUNT, LIVE, STATE, Res, Row

VPC_ID = "vpc-0a1b2c3d"
SUBNET_ID = "subnet-0a1b2c3d"
GROUP_ID = "sg-0a1b2c3d"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188"
ACL_ARN = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/web-acl/a1b2c3d4"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:billing/db-AbCdEf"

SG = "aws:ec2/securityGroup:SecurityGroup"
VPC = "aws:ec2/vpc:Vpc"
ROLE = "aws:iam/role:Role"
LB = "aws:lb/loadBalancer:LoadBalancer"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
FUNCTION = "aws:lambda/function:Function"
TOPIC = "aws:sns/topic:Topic"

HTTPS_IN = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}
APP_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::records/*"},
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": KEY},
    ],
})  # fmt: skip
DENY_WITHOUT_MFA = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "DenyWithoutMfa", "Effect": "Deny", "NotAction": ["iam:ChangePassword"],
        "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    }],
})  # fmt: skip
TRUST_WITH_MFA = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }],
})  # fmt: skip
TOPIC_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish", "Resource": TOPIC_ARN,
    }],
})  # fmt: skip
WAF_RULE = {
    "name": "common", "priority": 1, "overrideAction": {"none": {}},
    "statement": {"managedRuleGroupStatement": {
        "name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"}},
    "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": "common",
                         "sampledRequestsEnabled": True},
}  # fmt: skip


def group(ingress: list) -> Res:
    inputs = {"vpcId": VPC_ID, "description": "web", "ingress": ingress, "egress": []}
    return Res(SG, "web", inputs, id=GROUP_ID)


def vpc() -> Res:
    return Res(VPC, "main", {"cidrBlock": "10.0.0.0/16"}, id=VPC_ID)


def role(name: str, **inputs) -> Res:
    return Res(ROLE, name, {"name": name, "assumeRolePolicy": TRUST_WITH_MFA, **inputs}, id=name)


def lb(**inputs) -> Res:
    base = {"name": "web", "loadBalancerType": "application", "internal": False,
            "subnets": [SUBNET_ID, "subnet-0e1f2a3b"], "securityGroups": [GROUP_ID]}  # fmt: skip
    return Res(LB, "web", {**base, **inputs}, id=LB_ARN, arn=LB_ARN)


def web_acl() -> Res:
    inputs = {
        "name": "web-acl", "scope": "REGIONAL", "defaultAction": {"allow": {}},
        "rules": [WAF_RULE], "visibilityConfig": WAF_RULE["visibilityConfig"],
    }  # fmt: skip
    return Res(WEB_ACL, "web-acl", inputs, id="a1b2c3d4", arn=ACL_ARN)


def function(**inputs) -> Res:
    base = {
        "name": "billing-api", "role": ROLE_ARN, "runtime": "python3.13",
        "handler": "app.handler", "packageType": "Zip", "tags": {"data-classification": "ePHI"},
    }  # fmt: skip
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:billing-api"
    return Res(FUNCTION, "api", {**base, **inputs}, id="billing-api", arn=arn)


CREDENTIAL_ROW = {
    "user": "alice", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
    "user_creation_time": "2026-01-01T00:00:00+00:00", "password_enabled": True,
    "password_last_used": "2026-11-30T08:00:00+00:00",
    "password_last_changed": "2026-10-01T00:00:00+00:00", "mfa_active": True,
    "access_key_1_active": True, "access_key_1_last_rotated": "2026-11-01T00:00:00+00:00",
    "access_key_1_last_used_date": "2026-11-30T09:00:00+00:00",
    "access_key_2_active": False, "access_key_2_last_rotated": None,
    "access_key_2_last_used_date": None,
    "generated_time": "2026-12-01T11:59:00+00:00", "audit_time": "2026-12-01T12:00:00+00:00",
}  # fmt: skip
SUMMARY = {"account_mfa_enabled": True, "account_access_keys_present": False, "users": 1}


def credential_row() -> Res:
    return Res(CREDENTIAL_REPORT_ROW, "alice", CREDENTIAL_ROW, id="credential-report/alice")


def summary() -> Res:
    return Res(ACCOUNT_SUMMARY, "account-summary", SUMMARY, id="account-summary")


NACL_INPUTS = {"vpcId": VPC_ID, "ingress": [{"ruleNo": 100, "action": "allow", "protocol": "tcp",
               "fromPort": 443, "toPort": 443, "cidrBlock": "0.0.0.0/0"}]}  # fmt: skip
ROUTES = [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0a1b2c3d"}]
# checks/aws/nacl.py reads a separate rule's entries from `r.props`, past the accessor: a made-up
# or secret CIDR is not a string, so not "the internet", and the rule is taken to admit nothing
# (an unknown one only fails on its truth value: NOT_EVALUATED by the crash guard).

# A table: laid out by hand, one row per check, not by the formatter.
# fmt: off
ROWS: tuple[Row, ...] = (
    # -- security groups, network ACLs, subnets and routes -------------------------------------
    Row("sg_no_internet_admin_ports", (group([HTTPS_IN]),), ("web", "ingress")),
    Row(
        "sg_no_internet_db_ports",
        (group([]), Res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "web-https", {
            "securityGroupId": GROUP_ID, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
            "cidrIpv4": "0.0.0.0/0"}, id="sgr-0a1b2c3d")),
        ("web-https", "cidrIpv4"),
    ),
    Row(
        "sg_internet_ingress_authorized_ports",
        (group([]), Res("aws:ec2/securityGroupRule:SecurityGroupRule", "web-https-rule", {
            "type": "ingress", "securityGroupId": GROUP_ID, **HTTPS_IN}, id="sgrule-1")),
        ("web-https-rule", "cidrBlocks"),
    ),
    Row(
        "vpc_default_security_group_closed",
        (vpc(), Res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "main-default-sg",
                    {"vpcId": VPC_ID, "ingress": [], "egress": []}, id="sg-0default1")),
        ("main-default-sg", "ingress"),
    ),
    Row(
        "nacl_no_internet_admin_ingress",
        (Res("aws:ec2/networkAcl:NetworkAcl", "public-acl", NACL_INPUTS, id="acl-0a1b2c3d"),),
        ("public-acl", "ingress"),
    ),
    Row(
        "nacl_no_internet_admin_ingress",
        (Res("aws:ec2/networkAcl:NetworkAcl", "public-acl", {"vpcId": VPC_ID, "ingress": []},
             id="acl-0a1b2c3d"),
         Res("aws:ec2/networkAclRule:NetworkAclRule", "ssh-from-vpn", {
             "networkAclId": "acl-0a1b2c3d", "ruleNumber": 90, "egress": False,
             "protocol": "tcp", "ruleAction": "allow", "cidrBlock": "10.8.0.0/16",
             "fromPort": 22, "toPort": 22}, id="acl-0a1b2c3d:90")),
        ("ssh-from-vpn", "cidrBlock"),
    ),
    Row(
        "subnet_no_auto_public_ip",
        (Res("aws:ec2/subnet:Subnet", "private-a", {"vpcId": VPC_ID, "cidrBlock": "10.0.1.0/24",
             "mapPublicIpOnLaunch": False}, id=SUBNET_ID),),
        ("private-a", "mapPublicIpOnLaunch"),
    ),
    Row(
        "ec2_instance_no_public_ip",
        (Res("aws:ec2/instance:Instance", "app", {"ami": "ami-0abcdef1234567890",
             "instanceType": "t3.micro", "subnetId": SUBNET_ID,
             "associatePublicIpAddress": False}, id="i-0a1b2c3d4e5f60718"),),
        ("app", "associatePublicIpAddress"),
    ),
    Row(
        "launch_template_no_public_ip",
        (Res("aws:ec2/launchTemplate:LaunchTemplate", "app-template", {"networkInterfaces": [
            {"associatePublicIpAddress": "false", "securityGroups": [GROUP_ID]}]}, id="lt-1"),),
        ("app-template", "networkInterfaces"),
    ),
    Row(
        "vpc_flow_logs_enabled",
        (vpc(), Res("aws:ec2/flowLog:FlowLog", "main-flow", {"vpcId": VPC_ID, "trafficType": "ALL",
            "logDestinationType": "cloud-watch-logs", "iamRoleArn": ROLE_ARN,
            "logDestination": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:flow"}, id="fl-1")),
        ("main-flow", "vpcId"),
    ),
    Row(
        "private_subnet_no_igw_route",
        (Res("aws:ec2/subnet:Subnet", "private-a", {"vpcId": VPC_ID, "cidrBlock": "10.0.1.0/24"},
             id=SUBNET_ID),
         vpc(),
         Res("aws:rds/subnetGroup:SubnetGroup", "db-subnets", {"name": "db-subnets",
             "subnetIds": [SUBNET_ID]}, id="db-subnets"),
         Res("aws:ec2/routeTable:RouteTable", "private-rt", {"vpcId": VPC_ID, "routes": ROUTES},
             id="rtb-0a1b2c3d"),
         Res("aws:ec2/routeTableAssociation:RouteTableAssociation", "private-a-rt", {
             "subnetId": SUBNET_ID, "routeTableId": "rtb-0a1b2c3d"}, id="rtbassoc-1")),
        ("private-rt", "routes"),
    ),
    # -- IAM -----------------------------------------------------------------------------------
    Row(
        "iam_policy_no_kms_decrypt_all_keys",
        (Res("aws:iam/policy:Policy", "app-read", {"name": "app-read", "policy": APP_POLICY}),),
        ("app-read", "policy"),
    ),
    Row(
        "iam_policy_no_admin_access",
        (Res("aws:iam/rolePolicy:RolePolicy", "app-inline",
             {"role": "app", "policy": APP_POLICY}),),
        ("app-inline", "policy"),
    ),
    Row(
        "iam_policy_no_full_service_access",
        (role("app", inlinePolicies=[{"name": "read", "policy": APP_POLICY}]),),
        ("app", "inlinePolicies"),
    ),
    Row(
        "iam_no_administrator_access_attached",
        (Res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-readonly", {
            "role": "app", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),),
        ("app-readonly", "policyArn"),
    ),
    Row(
        "iam_role_session_duration",
        (role("operator", maxSessionDuration=3600),),
        ("operator", "maxSessionDuration"),
    ),
    # A key beside the account-level subjects: the live source read the other services (an
    # inventory with nothing at all in it is `test_account_checks_on_an_unread_account`).
    Row("iam_break_glass_role", (role("break-glass"), key()), ("break-glass", "assumeRolePolicy")),
    Row(
        "iam_user_mfa_enforced",
        (Res("aws:iam/user:User", "alice", {"name": "alice"}, id="alice"),
         Res("aws:iam/userPolicy:UserPolicy", "alice-mfa",
             {"user": "alice", "policy": DENY_WITHOUT_MFA})),
        ("alice-mfa", "policy"),
    ),
    Row(
        "iam_user_no_direct_policies",
        (Res("aws:iam/user:User", "alice", {"name": "alice"}, id="alice"),
         Res("aws:iam/userPolicy:UserPolicy", "alice-guard",
             {"user": "alice", "policy": DENY_WITHOUT_MFA})),
        ("alice-guard", "policy"),
    ),
    Row(
        "iam_password_policy_strong",
        (Res("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "passwords", {
            "minimumPasswordLength": 14, "passwordReusePrevention": 24,
            "requireLowercaseCharacters": True, "requireUppercaseCharacters": True,
            "requireNumbers": True, "requireSymbols": True, "maxPasswordAge": 90},
            id="iam-account-password-policy"), key()),
        ("passwords", "minimumPasswordLength"),
    ),
    # The IAM account summary and credential report: only the live source reads them.
    Row("iam_root_mfa_enabled", (summary(),), ("account-summary",), kinds=(LIVE,)),
    Row("iam_root_no_access_keys", (summary(),), ("account-summary",), kinds=(LIVE,)),
    Row("iam_console_user_mfa_active", (credential_row(),), ("alice",), kinds=(LIVE,)),
    Row("iam_access_keys_rotated", (credential_row(),), ("alice",), kinds=(LIVE,)),
    Row("iam_unused_credentials_disabled", (credential_row(),), ("alice",), kinds=(LIVE,)),
    # -- load balancers and WAF ----------------------------------------------------------------
    Row("lb_deletion_protection", (lb(enableDeletionProtection=True),),
        ("web", "enableDeletionProtection")),
    Row("alb_drop_invalid_headers", (lb(dropInvalidHeaderFields=True),),
        ("web", "dropInvalidHeaderFields")),
    Row(
        "lb_access_logs",
        (lb(accessLogs={"bucket": "lb-logs-bucket-1", "enabled": True, "prefix": "web"}),),
        ("web", "accessLogs"),
    ),
    Row(
        "lb_listener_tls",
        (Res("aws:lb/listener:Listener", "https", {
            "loadBalancerArn": LB_ARN, "port": 443, "protocol": "HTTPS",
            "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/1a2b3c4d",
            "defaultActions": [{"type": "forward", "targetGroupArn": "arn:aws:tg/web"}]},
            id="listener-1"),),
        ("https", "sslPolicy"),
    ),
    Row(
        "alb_waf_attached",
        (lb(), Res("aws:wafv2/webAclAssociation:WebAclAssociation", "web-waf",
                   {"resourceArn": LB_ARN, "webAclArn": ACL_ARN}, id="web-waf"), web_acl()),
        ("web-waf", "webAclArn"),
    ),
    Row(
        "waf_logging_enabled",
        (web_acl(), Res("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
            "web-acl-logs", {"resourceArn": ACL_ARN, "logDestinationConfigs": [
                f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-web"]}, id="logs-1")),
        ("web-acl-logs", "resourceArn"),
    ),
    # -- Lambda --------------------------------------------------------------------------------
    Row(
        "lambda_permission_not_public",
        (Res("aws:lambda/permission:Permission", "from-bucket", {
            "action": "lambda:InvokeFunction", "function": "billing-api",
            "principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::records-bucket-1",
            "sourceAccount": ACCOUNT}, id="from-bucket"),),
        ("from-bucket", "principal"),
    ),
    Row(
        "lambda_function_url_auth",
        (Res("aws:lambda/functionUrl:FunctionUrl", "api-url", {
            "functionName": "billing-api", "authorizationType": "AWS_IAM"}, id="api-url"),),
        ("api-url", "authorizationType"),
    ),
    Row(
        "lambda_in_vpc",
        (function(vpcConfig={"subnetIds": [SUBNET_ID], "securityGroupIds": [GROUP_ID]}),),
        ("api", "vpcConfig"),
    ),
    Row(
        "lambda_env_encrypted_cmk",
        (function(kmsKeyArn=KEY, environment={"variables": {"LOG_LEVEL": "info"}}),),
        ("api", "kmsKeyArn"),
    ),
    Row("lambda_supported_runtime", (function(),), ("api", "runtime")),
    Row(
        "lambda_env_no_plaintext_secrets",
        (function(environment={"variables": {"DB_PASSWORD_SECRET_ARN": SECRET_ARN}}),),
        ("api", "environment", "variables", "DB_PASSWORD_SECRET_ARN"),
        expect={STATE: Status.FAIL},
        note="a secret in a function's environment is a plaintext secret in its configuration",
    ),
    # -- SNS and SQS ---------------------------------------------------------------------------
    Row(
        "sns_topic_encrypted",
        (Res(TOPIC, "alerts", {"name": "alerts", "kmsMasterKeyId": KEY}, arn=TOPIC_ARN),),
        ("alerts", "kmsMasterKeyId"),
    ),
    Row(
        "sqs_queue_encrypted",
        (Res("aws:sqs/queue:Queue", "claims-queue", {"name": "claims", "kmsMasterKeyId": KEY},
             id=f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/claims"),),
        ("claims-queue", "kmsMasterKeyId"),
    ),
    Row(
        "messaging_policy_not_public",
        (Res(TOPIC, "alerts", {"name": "alerts", "kmsMasterKeyId": KEY}, arn=TOPIC_ARN),
         Res("aws:sns/topicPolicy:TopicPolicy", "alerts-policy",
             {"arn": TOPIC_ARN, "policy": TOPIC_POLICY}, id=TOPIC_ARN)),
        ("alerts-policy", "policy"),
    ),
)
# fmt: on
