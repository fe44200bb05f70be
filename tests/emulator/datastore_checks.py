"""Helpers of the data-store collector tests (S3, RDS, DynamoDB, AWS Backup): verdicts by
resource name, a call denied for one resource only, and the check that every property a
collector gives is one the pulumi_aws SDK declares, at every depth."""

from __future__ import annotations

import typing
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import botocore.client
import botocore.exceptions

from checks.evaluate import Evaluation
from checks.model import Resource
from checks.registry import Status
from checks.sources import pulumi_schema


def by_name(evaluation: Evaluation, check_id: str) -> dict[str, Status]:
    """Each resource the check judged, by name ("(account)" for an account finding)."""
    return {
        f.resource.name if f.resource else "(account)": f.status
        for f in evaluation.findings
        if f.check.id == check_id
    }


def message(evaluation: Evaluation, check_id: str, name: str) -> str:
    (found,) = [
        f.message
        for f in evaluation.findings
        if f.check.id == check_id and f.resource is not None and f.resource.name == name
    ]
    return found


def deny_when(
    monkeypatch: Any, operation: str, when: Callable[[Mapping[str, Any]], bool] = lambda p: True
) -> None:
    """`operation` answers AccessDenied when its parameters satisfy `when` (one bucket's policy,
    one table's backups), as a resource policy that shuts the auditor out would."""
    original = botocore.client.BaseClient._make_api_call

    def call(self: Any, name: str, params: Mapping[str, Any]) -> Any:
        if name == operation and when(params):
            error = {"Code": "AccessDenied", "Message": f"not authorized to perform {name}"}
            raise botocore.exceptions.ClientError(
                {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}, name
            )
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)


def _fields(cls: type) -> dict[str, Any]:
    return {p.python_name: p.hint for p in pulumi_schema.properties(cls).values()}


def _inside(value: Any, hint: Any, where: str) -> list[str]:
    hint = pulumi_schema._strip(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if pulumi_schema._is_sequence(origin) and args:
        item = args[0]
        items = value if isinstance(value, list) else [value]  # one block given bare
        return [bad for v in items for bad in _inside(v, item, where + "[]")]
    if isinstance(value, Mapping) and pulumi_schema._is_object(hint):
        return _unknown(value, _fields(hint), where)
    return []


def _unknown(props: Mapping[str, Any], fields: Mapping[str, Any], where: str) -> list[str]:
    found = []
    for key, value in props.items():
        if key not in fields:
            found.append(f"{where}.{key}")
        else:
            found += _inside(value, fields[key], f"{where}.{key}")
    return found


def sdk_name_errors(res: Resource) -> list[str]:
    """The properties (at any depth) the pulumi_aws SDK does not declare for the type."""
    with warnings.catch_warnings():  # the SDK warns of its own deprecated aliases on import
        warnings.simplefilter("ignore", DeprecationWarning)
        cls = pulumi_schema.resource_class(res.type)
    assert cls is not None, res.type
    return _unknown(res.props, _fields(cls), res.type.split(":")[-1])
