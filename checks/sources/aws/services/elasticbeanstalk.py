"""Live collector for Elastic Beanstalk environments, as `aws.elasticbeanstalk.Environment`
declares them, with the option settings of their managed platform updates.

Only the managed-actions namespaces of an environment's effective settings are kept: the rest
include the application's own environment properties, which may hold secrets and which no check
needs. (The emulator does not implement DescribeConfigurationSettings: there every
environment's settings are a gap.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present

ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
# The namespaces of managed platform updates, whose options the check reads.
KEPT_NAMESPACES = (
    "aws:elasticbeanstalk:managedactions",
    "aws:elasticbeanstalk:managedactions:platformupdate",
)


def _settings(options: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        present({"namespace": o.get("Namespace"), "name": o.get("OptionName"),
                 "value": o.get("Value"), "resource": o.get("ResourceName")})
        for o in options
        if o.get("Namespace") in KEPT_NAMESPACES
    ]  # fmt: skip


def _environments(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    found = [
        e
        for e in ctx.pages(client, "DescribeEnvironments", "Environments")
        if e.get("Status") not in ("Terminated", "Terminating")
    ]
    with Misses(ctx, (ENVIRONMENT,), "environment") as missed:
        for env in found:
            name = env["EnvironmentName"]
            with missed.of(name):
                answer = ctx.call(
                    client,
                    "DescribeConfigurationSettings",
                    ApplicationName=env["ApplicationName"],
                    EnvironmentName=name,
                )
                configs = answer.get("ConfigurationSettings") or [{}]
                props = present({
                    "name": name,
                    "application": env.get("ApplicationName"),
                    "arn": env.get("EnvironmentArn"),
                    "solution_stack_name": env.get("SolutionStackName"),
                    "platform_arn": env.get("PlatformArn"),
                    "tier": (env.get("Tier") or {}).get("Name"),
                    "cname": env.get("CNAME"),
                    "settings": _settings(configs[0].get("OptionSettings") or []),
                })  # fmt: skip
                ident = env.get("EnvironmentId") or name
                yield ctx.resource(
                    ENVIRONMENT, name, props, id=ident, arn=env.get("EnvironmentArn")
                )


COLLECTORS: list[Collector] = [
    Collector(
        "elasticbeanstalk",
        (ENVIRONMENT,),
        ("elasticbeanstalk:DescribeEnvironments", "elasticbeanstalk:DescribeConfigurationSettings"),
        _environments,
    )
]
