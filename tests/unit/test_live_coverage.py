"""The live audit reads every resource type the check library reads: each one is produced by a
collector, or is a type only a Pulumi program declares whose live form another collected
resource carries (named here with where it lives), so no check is starved on a live account."""

from __future__ import annotations

from checks.library import build_registry
from checks.selection import types_read
from checks.sources.aws.collectors import all_collectors

# Pulumi type → where its setting lives on the live account (the collected resource holding it).
PROGRAM_ONLY = {
    "aws:alb/listener:Listener": "aws:lb/listener:Listener (the same resource, older token)",
    "aws:alb/loadBalancer:LoadBalancer": "aws:lb/loadBalancer:LoadBalancer (older token)",
    "aws:ec2/networkAclRule:NetworkAclRule": "the ACL's ingress/egress blocks",
    "aws:ec2/route:Route": "the route table's routes",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "the group's ingress/egress blocks",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "the group's ingress blocks",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "the group's egress blocks",
    "aws:iam/groupMembership:GroupMembership": "aws:iam/userGroupMembership:UserGroupMembership",
    "aws:iam/policyAttachment:PolicyAttachment": "the user, group and role policy attachments",
    "aws:rds/snapshotCopy:SnapshotCopy": "a copy is an action; its result is a DB snapshot",
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": "its result is a cluster snapshot",
    "aws:sns/topicPolicy:TopicPolicy": "the topic's own policy attribute",
    "aws:sqs/queuePolicy:QueuePolicy": "the queue's own Policy attribute",
    "aws:wafv2/webAclRule:WebAclRule": "the web ACL's rules",
    "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation": "the web ACL's rules",
    "aws:alb/listenerCertificate:ListenerCertificate": (
        "aws:lb/listenerCertificate:ListenerCertificate (the same resource, older token)"
    ),
    "aws:elb/sslNegotiationPolicy:SslNegotiationPolicy": (
        "an aws:elb/loadBalancerPolicy:LoadBalancerPolicy of type SSLNegotiationPolicyType and "
        "the port's aws:elb/listenerPolicy:ListenerPolicy"
    ),
    "aws:autoscaling/attachment:Attachment": "the group's load_balancers and target_group_arns",
    "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment": (
        "the group's traffic_sources"
    ),
    "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate": (
        "the environment's effective settings (DescribeConfigurationSettings)"
    ),
}


def test_every_type_the_checks_read_is_collected_or_carried_by_one_that_is():
    collected = {t for c in all_collectors() for t in c.types}
    starved = types_read(build_registry()) - collected - set(PROGRAM_ONLY)
    assert not starved, f"no collector produces {sorted(starved)}"
    assert not set(PROGRAM_ONLY) & collected, "a type listed as program-only is collected"
