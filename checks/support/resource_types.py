"""Pulumi AWS type tokens that more than one module of the check library reads.

A type only one service module reads is declared in that module.
"""

from __future__ import annotations

BUCKET = "aws:s3/bucket:Bucket"
TRAIL = "aws:cloudtrail/trail:Trail"

# -- IAM --------------------------------------------------------------------------------------
ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
# Resources that carry a policy document of their own.
IAM_POLICY_TYPES = (IAM_POLICY, ROLE_POLICY, USER_POLICY, GROUP_POLICY)
# Resources that attach a managed policy to a principal.
IAM_ATTACHMENT_TYPES = (
    ROLE_POLICY_ATTACHMENT,
    USER_POLICY_ATTACHMENT,
    GROUP_POLICY_ATTACHMENT,
    POLICY_ATTACHMENT,
)
# Facts of the live account that no Pulumi resource declares, so no program, preview or state
# file holds them: only the live source (`checks/sources/aws/services/iam_credentials.py`)
# produces these types. One `CREDENTIAL_REPORT_ROW` per row of the IAM credential report (the
# root account's row is named "<root_account>"), and one `ACCOUNT_SUMMARY` (GetAccountSummary).
CREDENTIAL_REPORT_ROW = "aws:iam/credentialReportRow:CredentialReportRow"
ACCOUNT_SUMMARY = "aws:iam/accountSummary:AccountSummary"
ROOT_ACCOUNT = "<root_account>"

# -- RDS and Aurora ---------------------------------------------------------------------------
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"

# -- load balancers (pulumi_aws declares the same ELBv2 resource under `aws.lb` and `aws.alb`) --
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
CLASSIC_LOAD_BALANCER = "aws:elb/loadBalancer:LoadBalancer"
ALL_LOAD_BALANCERS = (*LOAD_BALANCERS, CLASSIC_LOAD_BALANCER)

# -- EC2, VPC and Lambda ----------------------------------------------------------------------
VPC_TYPES = ("aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc")
EC2_INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
LAMBDA_FUNCTION = "aws:lambda/function:Function"

# -- data stores and their backups ------------------------------------------------------------
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
EBS_VOLUME = "aws:ebs/volume:Volume"
EFS_FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_SELECTION = "aws:backup/selection:Selection"

# Where ePHI comes to rest: what must be classified (GOV-02) and, bar S3, backed up (BKP-04).
DATA_STORE_TYPES = (
    RDS_INSTANCE,
    RDS_CLUSTER,
    BUCKET,
    DYNAMODB_TABLE,
    EBS_VOLUME,
    EFS_FILE_SYSTEM,
    BACKUP_VAULT,
)
BACKED_UP_TYPES = (RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE, EBS_VOLUME, EFS_FILE_SYSTEM)
