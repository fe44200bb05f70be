"""What a Pulumi provider SDK's classes say about a type: property names and their types.

Used by the `program` source (in its worker process) to
- translate the camelCase, all-numbers-are-floats property maps the engine sees into the
  snake_case names and real types of the Python SDK (`props` of a `Resource`), and
- give every output property a resource or data source declares a plausible, deterministic
  value, so programs that compute with outputs run under mocks as they would for real.

Only the SDK's own metadata is read (`pulumi.getter` names, type hints, and the forms the getters'
documentation gives: a base64 value, a map's documented keys); nothing is parsed from source text.
Types the SDK does not know (other providers, dynamic providers) fall back to a plain camelCase →
snake_case translation.
"""

from __future__ import annotations

import base64
import collections.abc
import functools
import hashlib
import importlib
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from pulumi import _types as pulumi_types
from pulumi.output import Output

# One translation for the SDK's classes and for the table the file sources read.
from checks.sources.property_names import FREE_FORM_MAPS as _FREE_FORM_MAPS
from checks.sources.property_names import camel_to_snake


@dataclass(frozen=True)
class Prop:
    python_name: str
    pulumi_name: str
    hint: Any


def _module_for(package: str, module_path: str) -> types.ModuleType | None:
    root = f"pulumi_{package.replace('-', '_')}"
    first = module_path.split("/")[0]
    candidates = [root] if first in ("index", "") else [f"{root}.{first}", f"{root}.{first}_"]
    for name in candidates:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


@functools.cache
def resource_class(token: str) -> type | None:
    """`aws:rds/instance:Instance` → pulumi_aws.rds.Instance (None when not importable)."""
    parts = token.split(":")
    if len(parts) != 3:
        return None
    module = _module_for(parts[0], parts[1])
    cls = getattr(module, parts[2], None) if module else None
    return cls if isinstance(cls, type) else None


@functools.cache
def invoke_result_class(token: str) -> type | None:
    """`aws:ec2/getAmi:getAmi` → pulumi_aws.ec2.GetAmiResult."""
    parts = token.split(":")
    if len(parts) != 3 or not parts[2]:
        return None
    module = _module_for(parts[0], parts[1])
    name = parts[2][0].upper() + parts[2][1:] + "Result"
    cls = getattr(module, name, None) if module else None
    return cls if isinstance(cls, type) else None


@functools.cache
def properties(cls: type) -> dict[str, Prop]:
    """The properties a resource, output type or result class declares, by Pulumi name."""
    found: dict[str, Prop] = {}
    for python_name, pulumi_name, prop in pulumi_types._py_properties(cls):
        try:
            # A local namespace of its own makes typing evaluate each string annotation in this
            # getter's module: Python 3.11 shares one ForwardRef between modules that spell an
            # annotation alike (`Sequence['outputs.BucketLifecycleConfigurationRule']` in s3
            # and s3control) and, without it, answers with whichever module evaluated it first.
            hint = typing.get_type_hints(prop.fget, localns={}).get("return")
        except (NameError, TypeError, AttributeError):
            hint = None
        found[pulumi_name] = Prop(python_name, pulumi_name, hint)
    return found


def _strip(hint: Any) -> Any:
    """Peel Output[...] and Optional[...] off a hint."""
    while True:
        origin = typing.get_origin(hint)
        if origin is Output:
            hint = typing.get_args(hint)[0]
        elif origin in (typing.Union, types.UnionType):
            arms = [a for a in typing.get_args(hint) if a is not type(None)]
            hint = arms[0] if len(arms) == 1 else None
        else:
            return hint


def _is_sequence(origin: Any) -> bool:
    return origin in (list, collections.abc.Sequence, typing.Sequence)


def _is_mapping(origin: Any) -> bool:
    return origin in (dict, collections.abc.Mapping, typing.Mapping)


def _is_object(hint: Any) -> bool:
    return isinstance(hint, type) and pulumi_types.is_output_type(hint)


# -- engine property maps → SDK names and types ----------------------------------------------


def to_python(value: Any, hint: Any = None) -> Any:
    """Translate one engine value to SDK naming and types, guided by the hint where known."""
    hint = _strip(hint)
    origin = typing.get_origin(hint)
    if isinstance(value, dict):
        if _is_mapping(origin):
            value_hint = typing.get_args(hint)[1] if typing.get_args(hint) else None
            return {k: to_python(v, value_hint) for k, v in value.items()}
        return object_to_python(value, hint if _is_object(hint) else None)
    if isinstance(value, list):
        item_hint = (
            typing.get_args(hint)[0] if _is_sequence(origin) and typing.get_args(hint) else None
        )
        return [to_python(v, item_hint) for v in value]
    if isinstance(value, float) and hint is not float and value.is_integer():
        return int(value)
    return value


def object_to_python(value: dict[str, Any], cls: type | None) -> dict[str, Any]:
    props = properties(cls) if cls is not None else {}
    out: dict[str, Any] = {}
    for key, item in value.items():
        prop = props.get(key)
        if prop is not None:
            out[prop.python_name] = to_python(item, prop.hint)
        elif key in _FREE_FORM_MAPS and isinstance(item, dict):
            out[camel_to_snake(key)] = dict(item)
        else:
            out[camel_to_snake(key)] = to_python(item)
    return out


# -- plausible output values -----------------------------------------------------------------


# How AWS spells the resource part of an ARN, where it is not "<class name>/".
ARN_KINDS = {
    "aws:rds/instance:Instance": "db:",
    "aws:rds/cluster:Cluster": "cluster:",
    "aws:ec2/securityGroup:SecurityGroup": "security-group/",
    "aws:cloudwatch/logGroup:LogGroup": "log-group:",
    "aws:lambda/function:Function": "function:",
    "aws:sns/topic:Topic": "",
    "aws:secretsmanager/secret:Secret": "secret:",
    "aws:dynamodb/table:Table": "table/",
    "aws:backup/vault:Vault": "backup-vault:",
    "aws:backup/plan:Plan": "backup-plan:",
    "aws:ebs/volume:Volume": "volume/",
    "aws:lb/loadBalancer:LoadBalancer": "loadbalancer/app/",
    "aws:alb/loadBalancer:LoadBalancer": "loadbalancer/app/",
}


# Pulumi modules whose resources' ARNs name another service.
_ARN_SERVICES = {"ebs": "ec2", "alb": "elasticloadbalancing", "lb": "elasticloadbalancing"}


@dataclass(frozen=True)
class Context:
    """What a synthesized value may depend on: who the resource is and where it lives."""

    token: str
    logical_name: str
    physical_name: str
    region: str
    account: str
    partition: str = "aws"

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.token}|{self.logical_name}".encode()).hexdigest()

    @property
    def service(self) -> str:
        """The service in the resource's ARN (Pulumi's module where AWS spells it the same)."""
        parts = self.token.split(":")
        module = parts[1].split("/")[0] if len(parts) == 3 else "unknown"
        return _ARN_SERVICES.get(module, module)

    def arn(self, kind: str | None = None) -> str:
        """An ARN for this resource; `kind` is the resource-type part with its separator."""
        kind = kind or ARN_KINDS.get(self.token) or f"{self.token.split(':')[-1].lower()}/"
        if self.service == "s3":
            return f"arn:{self.partition}:s3:::{self.physical_name}"
        if self.service == "iam":
            return f"arn:{self.partition}:iam::{self.account}:{kind}{self.physical_name}"
        return (
            f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:"
            f"{kind}{self.physical_name}"
        )

    def hostname(self) -> str:
        return f"{self.physical_name}.{self.digest[:12]}.{self.region}.{self.service}.amazonaws.com"


_MAX_DEPTH = 4


def _string_for(python_name: str, ctx: Context) -> str:
    name = python_name
    if name == "arn":
        return ctx.arn()
    if name.endswith("_arn"):
        return ctx.arn(name[: -len("_arn")].replace("_", "-") + "/")
    if name in ("name", "identifier", "bucket", "function_name", "table_name"):
        return ctx.physical_name
    if name in ("account_id", "owner_id") or name.endswith("_account_id"):
        return ctx.account
    if name == "region":
        return ctx.region
    if name == "partition":
        return ctx.partition
    if name.endswith(("endpoint", "address", "dns_name", "hostname", "fqdn", "domain_name")):
        return ctx.hostname()
    if name in ("url", "uri") or name.endswith(("_url", "_uri")):
        return f"https://{ctx.hostname()}/"
    if name.endswith(("_date", "_time", "_at", "timestamp")):
        return "2026-01-01T00:00:00Z"
    if name.endswith("cidr_block"):
        # Distinct per resource, so a program that builds on it is told from one that
        # declares a range itself.
        return f"10.{64 + int(ctx.digest[:2], 16) % 128}.{int(ctx.digest[2:4], 16)}.0/24"
    if name == "id" or name.endswith("_id"):
        return f"{name.removesuffix('_id').replace('_', '-') or 'id'}-{ctx.digest[:17]}"
    return f"{ctx.physical_name}-{name.replace('_', '-')}"


# A plan says how to build a value for one property; plans depend only on the type, so they
# are made once per type and realized cheaply per resource.
Plan = tuple


# The word base64 in a getter's documentation, not inside a name such as `user_data_base64`.
_BASE64 = re.compile(r"(?<![\w`])base64(?![\w`])", re.IGNORECASE)
# Keys of a map output the documentation does not spell as `name["KEY"]`: AppSync answers both.
_MAP_KEYS = {("GraphQLApi", "uris"): ("GRAPHQL", "REALTIME")}


def _documentation(cls: type, python_name: str) -> str:
    getter = getattr(cls.__dict__.get(python_name), "fget", None)
    return (getattr(getter, "__doc__", None) or "") if getter is not None else ""


# Base64 strings whose getter has no documentation at all, as the AWS API gives them: ECR's
# GetAuthorizationToken answers `base64(user:password)`, for `get_credentials` as for
# `get_authorization_token` (whose getter does say so).
_BASE64_UNDOCUMENTED = frozenset({("GetCredentialsResult", "authorization_token")})


def _format(cls: type, prop: Prop) -> tuple[str, ...]:
    """What a property's documentation says of its value's form: ("base64",) for a base64
    string, the keys of a map (`uris["GRAPHQL"]`, `ebs.volume_size`), or () when it says neither."""
    doc = _documentation(cls, prop.python_name)
    hint = _strip(prop.hint)
    if hint is str:
        documented = _BASE64.search(doc) or (cls.__name__, prop.python_name) in _BASE64_UNDOCUMENTED
        return ("base64",) if documented else ()
    if not _is_mapping(typing.get_origin(hint)):
        return ()
    name = re.escape(prop.python_name)
    keys = re.findall(rf'\b{name}\["([^"]+)"\]', doc) + re.findall(rf"\b{name}\.(\w+)", doc)
    keys += _MAP_KEYS.get((cls.__name__, prop.python_name), ())
    return tuple(dict.fromkeys(keys))


@functools.cache
def _plan(hint: Any, python_name: str, depth: int, form: tuple[str, ...] = ()) -> Plan | None:
    hint = _strip(hint)
    origin = typing.get_origin(hint)
    if hint is str:
        return ("b64", python_name) if form == ("base64",) else ("str", python_name)
    if hint is bool:
        return ("const", False)
    if hint is int:
        return ("const", 443 if python_name.endswith("port") else 1)
    if hint is float:
        return ("const", 1.0)
    if _is_sequence(origin):
        args = typing.get_args(hint)
        item = (
            _plan(args[0], python_name.removesuffix("s"), depth + 1)
            if args and depth < _MAX_DEPTH
            else None
        )
        return ("list", item)
    if _is_mapping(origin):
        args = typing.get_args(hint)
        value = _plan(args[1], python_name.removesuffix("s"), depth + 1) if len(args) == 2 else None
        return ("map", form if value is not None else (), value)
    if _is_object(hint) and depth < _MAX_DEPTH:
        return ("obj", _object_plan(hint, depth + 1))
    return None


@functools.cache
def _object_plan(cls: type, depth: int) -> tuple[tuple[str, Plan], ...]:
    plans = (
        (name, _plan(prop.hint, prop.python_name, depth, _format(cls, prop)))
        for name, prop in properties(cls).items()
    )
    return tuple((name, plan) for name, plan in plans if plan is not None)


def _realize(plan: Plan, ctx: Context) -> Any:
    kind = plan[0]
    if kind == "str":
        return _string_for(plan[1], ctx)
    if kind == "b64":
        # Decodes, as the documented value does; `user_name:password` tokens split in two.
        text = f"{ctx.physical_name}:{plan[1]}-{ctx.digest[:24]}"
        return base64.b64encode(text.encode()).decode()
    if kind == "const":
        return plan[1]
    if kind == "list":
        return [] if plan[1] is None else [_realize(plan[1], ctx)]
    if kind == "map":
        return {key: _keyed(_realize(plan[2], ctx), key) for key in plan[1]}
    return {name: _realize(sub, ctx) for name, sub in plan[1]}


def _keyed(value: Any, key: str) -> Any:
    """A documented map entry: a URL names its key (`uris["GRAPHQL"]` → https://…/graphql)."""
    return f"{value}{key.lower()}" if isinstance(value, str) and value.endswith("/") else value


def synthesize_object(cls: type, ctx: Context) -> dict[str, Any]:
    """Every declared property of `cls`, by Pulumi name, with a synthesized value."""
    return {name: _realize(plan, ctx) for name, plan in _object_plan(cls, 0)}
