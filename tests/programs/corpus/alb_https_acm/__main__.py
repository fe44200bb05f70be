"""An internet-facing ALB that redirects HTTP to HTTPS and serves a validated certificate."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
domain = config.require("domain")
zone_id = config.require("zoneId")

vpc = aws.ec2.get_vpc(default=True)
subnet_ids = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}]).ids

cert = aws.acm.Certificate("portal", domain_name=domain, validation_method="DNS")
validation = cert.domain_validation_options.apply(lambda options: options[0])
record = aws.route53.Record(
    "portal-validation",
    zone_id=zone_id,
    name=validation.resource_record_name,
    type=validation.resource_record_type,
    records=[validation.resource_record_value],
    ttl=300,
)
validated = aws.acm.CertificateValidation(
    "portal", certificate_arn=cert.arn, validation_record_fqdns=[record.fqdn]
)

sg = aws.ec2.SecurityGroup(
    "portal-lb",
    vpc_id=vpc.id,
    description="web",
    ingress=[
        {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
    ],
)
lb = aws.lb.LoadBalancer(
    "portal",
    load_balancer_type="application",
    security_groups=[sg.id],
    subnets=subnet_ids,
    drop_invalid_header_fields=True,
)
tg = aws.lb.TargetGroup("portal", port=8443, protocol="HTTPS", vpc_id=vpc.id)
aws.lb.Listener(
    "http",
    load_balancer_arn=lb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}],
)
aws.lb.Listener(
    "https",
    load_balancer_arn=lb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
    certificate_arn=validated.certificate_arn,
    default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
)
aws.route53.Record(
    "portal",
    zone_id=zone_id,
    name=domain,
    type="A",
    aliases=[{"name": lb.dns_name, "zone_id": lb.zone_id, "evaluate_target_health": True}],
)
