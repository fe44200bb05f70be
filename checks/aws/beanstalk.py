"""Elastic Beanstalk: managed platform updates are on, so the environment's operating system and
runtime take their patches in a maintenance window (control EB-01).

An environment's option settings are its own `settings`, over those of the saved configuration
(`aws.elasticbeanstalk.ConfigurationTemplate`) it names by `template_name`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.joins import resolve
from checks.support.props import blocks, flag, known

CHECKS: list[Check] = []

ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
MANAGED_ACTIONS = ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled")
UPDATE_LEVEL = ("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel")


def _option(settings: Iterable[Mapping[str, Any]], option: tuple[str, str]) -> Any:
    for s in settings:
        if (s.get("namespace"), s.get("name")) == option:
            return s.get("value")
    return None


def _settings(res: Resource, inv: Inventory) -> list[Mapping[str, Any]]:
    """The environment's settings, then those of the saved configuration it starts from."""
    own = blocks(known(res, "settings"))
    name = known(res, "template_name")
    if not name:
        return own
    template = resolve(inv, name, (TEMPLATE,), f"the template_name of {res.name}")
    return own + (blocks(known(template, "settings")) if template is not None else [])


@check(
    into=CHECKS,
    id="beanstalk_managed_updates",
    control="EB-01",
    title="Elastic Beanstalk environment has managed platform updates enabled",
    severity=Severity.MEDIUM,
    config_rule="elastic-beanstalk-managed-updates-enabled",
    resource_types=(ENVIRONMENT,),
    reads=(TEMPLATE,),
    remediation=(
        "Set aws:elasticbeanstalk:managedactions ManagedActionsEnabled=true with a "
        "PreferredStartTime, and aws:elasticbeanstalk:managedactions:platformupdate UpdateLevel "
        "(minor or patch); managed updates need enhanced health reporting."
    ),
    pulumi_fix='aws.elasticbeanstalk.Environment("portal", ..., settings=[\n'
    '    {"namespace": "aws:elasticbeanstalk:managedactions",\n'
    '     "name": "ManagedActionsEnabled", "value": "true"},\n'
    '    {"namespace": "aws:elasticbeanstalk:managedactions",\n'
    '     "name": "PreferredStartTime", "value": "Sun:04:00"},\n'
    '    {"namespace": "aws:elasticbeanstalk:managedactions:platformupdate",\n'
    '     "name": "UpdateLevel", "value": "minor"},\n'
    '    {"namespace": "aws:elasticbeanstalk:healthreporting:system",\n'
    '     "name": "SystemType", "value": "enhanced"}])',
)
def beanstalk_managed_updates(res: Resource, inv: Inventory) -> Result:
    """The platform under the application receives its security updates (security reminders
    and patching)."""
    settings = _settings(res, inv)
    # Unset: off. Only the Beanstalk console turns managed updates on for a new environment
    # (since 2019-11-25); an environment created through the API, as Pulumi creates it, has
    # ManagedActionsEnabled false until it is set.
    enabled = flag(_option(settings, MANAGED_ACTIONS))
    level = _option(settings, UPDATE_LEVEL)
    evidence = {"managed_actions_enabled": enabled, "update_level": level}
    if enabled:
        return passed(f"managed platform updates are on ({level or 'default level'})", **evidence)
    return failed("managed platform updates are off", **evidence)
