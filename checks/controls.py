"""The controls the check library implements, with their HIPAA citations and AWS Config rules.

Facts carried over from the project's reference table of controls (45 CFR citations; citations
AWS's own mapping lacks are included too). A check names its control and, unless it says
otherwise, cites exactly the control's citations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Control:
    id: str
    service: str
    title: str
    citations: tuple[str, ...]
    config_rules: tuple[str, ...]


def _control(id: str, service: str, title: str, citations: str, config_rules: str) -> Control:
    cites = tuple(c.strip().lstrip("+").strip() for c in citations.replace(" +", ";+").split(";"))
    rules = tuple(
        r.split(" (")[0].strip()
        for r in config_rules.split(";")
        if r.strip() and not r.strip().startswith("(")
    )
    return Control(id, service, title, tuple(c for c in cites if c), rules)


CONTROLS: dict[str, Control] = {
    c.id: c
    for c in (
        _control(
            "RDS-01",
            "RDS/Aurora",
            "Storage (instance+cluster) encrypted with a customer-managed KMS key",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "rds-storage-encrypted",
        ),
        _control(
            "RDS-02",
            "RDS/Aurora",
            "Not publicly accessible; inside private subnets",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "rds-instance-public-access-check",
        ),
        _control(
            "RDS-03",
            "RDS/Aurora",
            "TLS enforced for client connections (force_ssl / require_secure_transport)",
            "164.312(a)(2)(iv);164.312(e)(1);164.312(e)(2)(i);164.312(e)(2)(ii)",
            "(none)",
        ),
        _control(
            "RDS-04",
            "RDS/Aurora",
            "IAM database authentication enabled",
            "164.312(a)(1);164.312(d)",
            "rds-instance-iam-authentication-enabled (not in HIPAA pack)",
        ),
        _control(
            "RDS-05",
            "RDS/Aurora",
            "Automated backups with retention >= 7 days (billing: >= 35)",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B)",
            "db-instance-backup-enabled",
        ),
        _control(
            "RDS-06",
            "RDS/Aurora",
            "Covered by an AWS Backup plan",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B)",
            "rds-in-backup-plan;aurora-resources-protected-by-backup-plan",
        ),
        _control(
            "RDS-07",
            "RDS/Aurora",
            "Multi-AZ (instance and cluster)",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(C)",
            "rds-multi-az-support;rds-cluster-multi-az-enabled",
        ),
        _control(
            "RDS-08",
            "RDS/Aurora",
            "Deletion protection on clusters and instances",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(C)",
            "rds-cluster-deletion-protection-enabled;rds-instance-deletion-protection-enabled (not in HIPAA pack)",
        ),
        _control(
            "RDS-09",
            "RDS/Aurora",
            "Log exports to CloudWatch + enhanced monitoring",
            "164.308(a)(3)(ii)(A);164.308(a)(5)(ii)(C);164.312(b)",
            "rds-logging-enabled;rds-enhanced-monitoring-enabled",
        ),
        _control(
            "RDS-10",
            "RDS/Aurora",
            "Snapshots encrypted and never public",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(a)(2)(iv);164.312(e)(1);164.312(e)(2)(ii)",
            "rds-snapshot-encrypted;rds-snapshots-public-prohibited",
        ),
        _control(
            "RDS-11",
            "RDS/Aurora",
            "Automatic minor version upgrade",
            "164.308(a)(5)(ii)(A)",
            "rds-automatic-minor-version-upgrade-enabled",
        ),
        _control(
            "S3-01",
            "S3",
            "Default encryption SSE-KMS (bucket key ok)",
            "164.312(a)(2)(iv);164.312(c)(2);164.312(e)(2)(ii)",
            "s3-bucket-server-side-encryption-enabled;s3-default-encryption-kms",
        ),
        _control(
            "S3-02",
            "S3",
            "Block Public Access (account + bucket), no public read/write, ACLs disabled",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "s3-account-level-public-access-blocks-periodic;s3-bucket-public-read-prohibited;s3-bucket-public-write-prohibited;s3-bucket-acl-prohibited",
        ),
        _control(
            "S3-03",
            "S3",
            "Bucket policy denies non-TLS (aws:SecureTransport=false)",
            "164.312(a)(2)(iv);164.312(c)(2);164.312(e)(1);164.312(e)(2)(i);164.312(e)(2)(ii)",
            "s3-bucket-ssl-requests-only",
        ),
        _control(
            "S3-04",
            "S3",
            "Versioning on; Object Lock on audit/evidence buckets",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B);164.312(c)(1);164.312(c)(2) +164.316(b)(2)(i)",
            "s3-bucket-versioning-enabled;s3-bucket-default-lock-enabled",
        ),
        _control(
            "S3-05",
            "S3",
            "Server access logging + CloudTrail S3 data events on ePHI buckets",
            "164.308(a)(3)(ii)(A);164.312(b)",
            "s3-bucket-logging-enabled;cloudtrail-s3-dataevents-enabled",
        ),
        _control(
            "S3-06",
            "S3",
            "Cross-region replication / lifecycle for ePHI and backups",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B)",
            "s3-bucket-replication-enabled;s3-version-lifecycle-policy-check",
        ),
        _control(
            "KMS-01",
            "KMS",
            "Automatic rotation on customer-managed keys",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "cmk-backing-key-rotation-enabled (not in HIPAA pack)",
        ),
        _control(
            "KMS-02",
            "KMS",
            "Keys not pending deletion / disabled",
            "164.308(a)(1)(ii)(B);164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "kms-cmk-not-scheduled-for-deletion",
        ),
        _control(
            "KMS-03",
            "KMS",
            "Key policy has no wildcard principal; IAM policies do not allow kms:Decrypt/ReEncrypt on all keys",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(a)(2)(iv)",
            "iam-customer-policy-blocked-kms-actions;iam-inline-policy-blocked-kms-actions",
        ),
        _control(
            "NET-01",
            "EC2/VPC/SG",
            "No 0.0.0.0/0 ingress to SSH/RDP/DB/high-risk ports; only authorized ports; default SG closed",
            "164.308(a)(3)(i);164.308(a)(3)(ii)(B);164.308(a)(4)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "restricted-ssh;restricted-common-ports;vpc-sg-open-only-to-authorized-ports;vpc-default-security-group-closed",
        ),
        _control(
            "NET-02",
            "EC2/VPC/SG",
            "No public IPs on instances, subnets, launch configs",
            "164.308(a)(3)(i);164.308(a)(3)(ii)(B);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "ec2-instance-no-public-ip;subnet-auto-assign-public-ip-disabled;autoscaling-launch-config-public-ip-disabled",
        ),
        _control(
            "NET-03",
            "EC2/VPC/SG",
            "VPC flow logs on every VPC",
            "164.308(a)(3)(ii)(A);164.312(b)",
            "vpc-flow-logs-enabled",
        ),
        _control(
            "NET-04",
            "EC2/VPC/SG",
            "No unrestricted routes to IGW; IGWs only on approved VPCs",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "no-unrestricted-route-to-igw;internet-gateway-authorized-vpc-only",
        ),
        _control(
            "NET-05",
            "EC2/VPC/SG",
            "NACLs do not allow all-port / admin-port ingress from the internet",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "nacl-no-unrestricted-ssh-rdp (not in HIPAA pack)",
        ),
        _control(
            "EC2-01",
            "EC2/EBS",
            "EBS volumes encrypted; EBS encryption-by-default on",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "encrypted-volumes;ec2-ebs-encryption-by-default",
        ),
        _control(
            "EC2-02",
            "EC2/EBS",
            "IMDSv2 required; instance profile attached (no static keys on hosts)",
            "164.308(a)(3)(i);164.308(a)(3)(ii)(A);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.312(a)(1)",
            "ec2-imdsv2-check;ec2-instance-profile-attached",
        ),
        _control(
            "EC2-03",
            "EC2/EBS",
            "SSM-managed and patch compliant",
            "164.308(a)(1)(ii)(B);164.308(a)(5)(ii)(B)",
            "ec2-instance-managed-by-systems-manager;ec2-managedinstance-patch-compliance-status-check;ec2-managedinstance-association-compliance-status-check",
        ),
        _control(
            "EC2-04",
            "EC2/EBS",
            "EBS/EC2 in backup plan; snapshots not public",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B);164.312(a)(1);164.312(e)(1)",
            "ebs-in-backup-plan;ec2-resources-protected-by-backup-plan;ebs-snapshot-public-restorable-check",
        ),
        _control(
            "IAM-01",
            "IAM",
            "MFA on root (hardware) and on all console users; prefer SSO over IAM users",
            "164.308(a)(3)(ii)(A);164.308(a)(4)(ii)(B);164.312(a)(1);164.312(d)",
            "root-account-mfa-enabled;root-account-hardware-mfa-enabled;mfa-enabled-for-iam-console-access;iam-user-mfa-enabled",
        ),
        _control(
            "IAM-02",
            "IAM",
            "No root access keys; root not used",
            "164.308(a)(3)(i);164.308(a)(3)(ii)(A);164.308(a)(3)(ii)(B);164.308(a)(4)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.312(a)(1) +164.312(a)(2)(i)",
            "iam-root-access-key-check",
        ),
        _control(
            "IAM-03",
            "IAM",
            "Least privilege: no *:*, no service:*, no privilege escalation, no inline or user-attached policies",
            "164.308(a)(3)(i);164.308(a)(3)(ii)(A);164.308(a)(3)(ii)(B);164.308(a)(4)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.312(a)(1)",
            "iam-policy-no-statements-with-admin-access;iam-policy-no-statements-with-full-access;iam-no-inline-policy-check;iam-user-no-policies-check",
        ),
        _control(
            "IAM-04",
            "IAM",
            "Password policy (>=14 chars, complexity, reuse 24, expiry)",
            "164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.308(a)(5)(ii)(D);164.312(d)",
            "iam-password-policy",
        ),
        _control(
            "IAM-05",
            "IAM",
            "Access keys rotated <= 90 days; unused credentials disabled (termination evidence)",
            "164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.308(a)(5)(ii)(D) +164.308(a)(3)(ii)(C)",
            "access-keys-rotated;iam-user-unused-credentials-check",
        ),
        _control(
            "IAM-06",
            "IAM",
            "Session limits: role MaxSessionDuration / Identity Center session <= policy (automatic logoff)",
            "164.308(a)(3)(i);164.308(a)(4)(i);164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.312(a)(1) +164.312(a)(2)(iii)",
            "(none)",
        ),
        _control(
            "IAM-07",
            "IAM",
            "Break-glass role exists, MFA-protected and alarmed (emergency access)",
            "164.308(a)(3)(i);164.308(a)(4)(i);164.308(a)(4)(ii)(B);164.308(a)(4)(ii)(C);164.312(a)(1) +164.312(a)(2)(ii)",
            "(none)",
        ),
        _control(
            "LOG-01",
            "CloudTrail",
            "Multi-region trail on, management + S3/Lambda data events",
            "164.308(a)(3)(ii)(A);164.312(b)",
            "multi-region-cloudtrail-enabled;cloudtrail-enabled",
        ),
        _control(
            "LOG-02",
            "CloudTrail",
            "Log file validation on",
            "164.312(c)(1);164.312(c)(2)",
            "cloud-trail-log-file-validation-enabled",
        ),
        _control(
            "LOG-03",
            "CloudTrail",
            "Trail encrypted with KMS; trail bucket not public and access-logged",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "cloud-trail-encryption-enabled",
        ),
        _control(
            "LOG-04",
            "CloudTrail",
            "Trail delivered to CloudWatch Logs",
            "164.308(a)(3)(ii)(A);164.312(b)",
            "cloud-trail-cloud-watch-logs-enabled",
        ),
        _control(
            "CWL-01",
            "CloudWatch Logs",
            "Log groups encrypted with KMS",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "cloudwatch-log-group-encrypted (not in HIPAA pack)",
        ),
        _control(
            "CWL-02",
            "CloudWatch Logs",
            "Retention set; >= 6 years for audit/evidence log groups",
            "164.308(a)(1)(ii)(D);164.308(a)(3)(ii)(A);164.312(b) +164.316(b)(2)(i)",
            "cw-loggroup-retention-period-check (not in HIPAA pack)",
        ),
        _control(
            "CWL-03",
            "CloudWatch",
            "Metric filters + alarms (root use, console auth failures, IAM/SG/NACL/trail changes) with actions",
            "164.312(b) +164.308(a)(5)(ii)(C);164.308(a)(6)(ii)",
            "cloudwatch-alarm-action-check",
        ),
        _control(
            "BKP-01",
            "AWS Backup",
            "Backup plan meets min frequency and retention",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B)",
            "backup-plan-min-frequency-and-min-retention-check",
        ),
        _control(
            "BKP-02",
            "AWS Backup",
            "Vault/recovery points encrypted with CMK",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "backup-recovery-point-encrypted",
        ),
        _control(
            "BKP-03",
            "AWS Backup",
            "Manual deletion denied / Vault Lock (ransomware resilience)",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B)",
            "backup-recovery-point-manual-deletion-disabled",
        ),
        _control(
            "BKP-04",
            "AWS Backup",
            "Every ePHI store (RDS, DynamoDB, EBS, EFS) selected by a plan",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B)",
            "rds-in-backup-plan;dynamodb-in-backup-plan;ebs-in-backup-plan;efs-in-backup-plan",
        ),
        _control(
            "BKP-05",
            "AWS Backup",
            "Restore testing plan exists / recent successful restore jobs",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B);164.310(d)(2)(iv) +164.308(a)(7)(ii)(D)",
            "(none)",
        ),
        _control(
            "LB-01",
            "ELB/ALB",
            "HTTPS/TLS-only listeners, HTTP->HTTPS redirect, TLS1.2+ policy, ACM certificates",
            "164.312(a)(2)(iv);164.312(e)(1);164.312(e)(2)(i);164.312(e)(2)(ii)",
            "alb-http-to-https-redirection-check;elb-tls-https-listeners-only;elb-predefined-security-policy-ssl-check;elbv2-acm-certificate-required;elb-acm-certificate-required",
        ),
        _control(
            "LB-02",
            "ELB/ALB",
            "Access logging on",
            "164.312(b)",
            "elb-logging-enabled",
        ),
        _control(
            "LB-03",
            "ELB/ALB",
            "Deletion protection; drop invalid headers",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(C)",
            "elb-deletion-protection-enabled;alb-http-drop-invalid-header-enabled (not in HIPAA pack)",
        ),
        _control(
            "WAF-01",
            "WAF",
            "Public ALB / API Gateway associated with a WAFv2 web ACL that has rules",
            "164.308(a)(5)(ii)(B);164.312(e)(1)",
            "alb-waf-enabled;api-gw-associated-with-waf",
        ),
        _control(
            "WAF-02",
            "WAF",
            "WAFv2 logging on",
            "164.312(b)",
            "wafv2-logging-enabled",
        ),
        _control(
            "DET-01",
            "GuardDuty",
            "GuardDuty enabled in all regions (org-managed); no unresolved high findings",
            "164.308(a)(1)(ii)(A);164.308(a)(1)(ii)(D);164.308(a)(3)(ii)(A);164.308(a)(5)(ii)(C);164.308(a)(6)(i);164.308(a)(6)(ii);164.308(a)(8);164.312(b);164.312(e)(2)(i)",
            "guardduty-enabled-centralized",
        ),
        _control(
            "DET-02",
            "Security Hub",
            "Security Hub enabled",
            "164.308(a)(1)(ii)(D);164.308(a)(3)(ii)(A);164.308(a)(5)(ii)(C);164.308(a)(6)(i);164.308(a)(6)(ii);164.308(a)(8);164.312(b);164.312(e)(2)(i)",
            "securityhub-enabled",
        ),
        _control(
            "DET-03",
            "Config",
            "AWS Config recorder records all resources in all regions",
            "164.308(a)(1)(ii)(D);164.308(a)(8);164.312(b) +164.308(a)(1)(ii)(A)",
            "(none)",
        ),
        _control(
            "SEC-01",
            "Secrets Manager",
            "Automatic rotation enabled (<= 90 days) and succeeding",
            "164.308(a)(4)(ii)(B) +164.308(a)(5)(ii)(D)",
            "secretsmanager-rotation-enabled-check",
        ),
        _control(
            "SEC-02",
            "Secrets Manager",
            "Secrets encrypted with a customer-managed KMS key",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "secretsmanager-using-cmk",
        ),
        _control(
            "SEC-03",
            "Secrets Manager",
            "No plaintext secrets in Lambda env, EC2 user data, SSM parameters, CodeBuild env",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1)",
            "codebuild-project-envvar-awscred-check",
        ),
        _control(
            "DDB-01",
            "DynamoDB",
            "Point-in-time recovery on",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B)",
            "dynamodb-pitr-enabled",
        ),
        _control(
            "DDB-02",
            "DynamoDB",
            "Encrypted with customer-managed KMS key",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "dynamodb-table-encrypted-kms (not in HIPAA pack)",
        ),
        _control(
            "DDB-03",
            "DynamoDB",
            "In a backup plan; deletion protection; autoscaling/on-demand",
            "164.308(a)(7)(i);164.308(a)(7)(ii)(A);164.308(a)(7)(ii)(B);164.308(a)(7)(ii)(C)",
            "dynamodb-in-backup-plan;dynamodb-autoscaling-enabled",
        ),
        _control(
            "LAM-01",
            "Lambda",
            "Not publicly invokable; function URLs require auth",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "lambda-function-public-access-prohibited",
        ),
        _control(
            "LAM-02",
            "Lambda",
            "Functions touching ePHI run in a VPC",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "lambda-inside-vpc (not in HIPAA pack)",
        ),
        _control(
            "LAM-03",
            "Lambda",
            "Env vars KMS-encrypted; supported runtime; DLQ/concurrency set",
            "164.312(a)(2)(iv);164.312(e)(2)(ii) +164.308(a)(5)(ii)(B)",
            "lambda-dlq-check (not in HIPAA pack);lambda-concurrency-check (not in HIPAA pack)",
        ),
        _control(
            "MSG-01",
            "SNS",
            "Topics encrypted with KMS",
            "164.308(a)(1)(ii)(B);164.312(a)(2)(iv);164.312(e)(2)(ii);164.314(b)(2)(i)",
            "sns-encrypted-kms",
        ),
        _control(
            "MSG-02",
            "SQS",
            "Queues encrypted (SSE-KMS preferred)",
            "164.312(a)(2)(iv);164.312(e)(2)(ii)",
            "(none)",
        ),
        _control(
            "MSG-03",
            "SNS/SQS",
            "Topic/queue policies not public or wildcard",
            "164.308(a)(3)(i);164.308(a)(4)(ii)(A);164.308(a)(4)(ii)(C);164.312(a)(1);164.312(e)(1)",
            "(none)",
        ),
        _control(
            "GOV-01",
            "Process",
            "Annual risk assessment attested (manual evidence upload)",
            "164.308(a)(1)(ii)(A)",
            "annual-risk-assessment-performed",
        ),
        _control(
            "GOV-02",
            "Tagging",
            "ePHI data-classification / criticality tags on all data stores",
            "164.308(a)(1)(ii)(D);164.308(a)(8);164.312(b) +164.308(a)(7)(ii)(E);164.310(d)(2)(iii)",
            "required-tags (not in HIPAA pack)",
        ),
    )
}
