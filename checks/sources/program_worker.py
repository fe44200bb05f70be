"""Run one Pulumi Python program under Pulumi's unit-test mocks and record what it registers.

This runs in a process of its own (started by `checks.sources.program`), so a program's
imports, globals, `sys.exit` or crash never reach the scanner:

    python -m checks.sources.program_worker REQUEST.json RESULT.json
    python -m checks.sources.program_worker --wait FD

The second form is a worker started ahead of its request (`checks.sources.program.prestart`):
it imports what it needs, then reads the two paths, as a JSON list, from file descriptor FD;
the end of that pipe with nothing on it means it is not needed, and it exits.

The request names the program and its configuration; the result lists every registered
resource (type, logical name, URN, parent, provider, id, ARN, region and its inputs in SDK
naming) or the one error that stopped the program. Secret values never reach the result:
they are replaced by a marker, and so is any string that contains a secret's plaintext.
"""

from __future__ import annotations

import json
import logging
import os
import runpy
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from checks.model import PHYSICAL_NAME_PROPS
from checks.sources.program_errors import classify
from checks.sources.program_made_up import MadeUp, invoke_name
from checks.sources.program_unseen import ApplyWatch
from checks.sources.program_values import (
    engine_urn,
    is_unknown,
    prepare_request,
    redact,
    seal,
)
from checks.sources.pulumi_inline import require_plain
from checks.sources.pulumi_invokes import is_real_answer
from checks.sources.pulumi_project import SECRET_PLACEHOLDER
from checks.sources.pulumi_speed import accelerate, line_number
from checks.sources.pulumi_transforms import delegating_mocks, transformed

_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/networkAcl:NetworkAcl": "acl",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "acl",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ebs/volume:Volume": "vol",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule",
}
# The input that names a resource physically, where it is not simply `name` (engine naming).
_PHYSICAL_NAME_INPUTS = {
    token: "".join(w if i == 0 else w.title() for i, w in enumerate(prop.split("_")))
    for token, prop in PHYSICAL_NAME_PROPS.items()
}


class Recorder:
    """Pulumi mocks that give realistic outputs and remember every registration."""

    def __init__(self, request: Mapping[str, Any]) -> None:
        self.project_dir = os.path.realpath(request["project_dir"])
        self.account: str = request["account"]
        self.region: str = request["region"]
        self.partition = "aws-us-gov" if self.region.startswith("us-gov-") else "aws"
        self.records: list[dict[str, Any]] = []
        self.provider_regions: dict[str, str] = {}
        self.local = threading.local()
        self.lock = threading.Lock()
        self.stack_transforms: list = []
        self.made_up = MadeUp()
        # The output names of each multi-language component type (awsx's `Vpc`), by type token.
        self.component_outputs: dict[str, tuple[str, ...]] = {}
        # The multi-language components the program declared, (type, name): their insides unseen.
        self.remote_components: list[tuple[str, str]] = []

    def _region_for(self, provider_ref: str | None) -> str:
        if provider_ref:
            urn = provider_ref.rsplit("::", 1)[0]
            return self.provider_regions.get(urn, self.region)
        return self.region

    def _context(self, token: str, name: str, physical: str, region: str):
        from checks.sources.pulumi_schema import Context

        return Context(token, name, physical, region, self.account, self.partition)

    def new_resource(self, args) -> tuple[str, dict[str, Any]]:
        from checks.sources.pulumi_schema import resource_class, synthesize_object

        token = args.typ
        transforms = getattr(args, "transforms", None) or []
        has_transforms = bool(transforms or self.stack_transforms)
        inputs = transformed(args, self.stack_transforms) if has_transforms else dict(args.inputs)
        # pulumi_aws v7 lets a resource name its own region, over its provider's.
        own_region = inputs.get("region")
        region = own_region if isinstance(own_region, str) else self._region_for(args.provider)
        if token.startswith("pulumi:providers:"):
            rid = f"{args.name}-provider"
            self.local.last = {"region": inputs.get("region") or self.region}
            return rid, inputs
        # A read (`Resource.get`) leaves `custom` unset: it is a custom resource all the same.
        custom = args.custom is not False
        if not custom:
            return self._component(args, inputs, region)
        ctx = self._context(token, args.name, args.name, region)
        named_by = _PHYSICAL_NAME_INPUTS.get(token, "name")
        given = inputs.get(named_by)
        physical = given if isinstance(given, str) else f"{args.name}-{ctx.digest[:7]}"
        prefix = _ID_PREFIXES.get(token)
        if prefix:
            rid = physical = f"{prefix}-{ctx.digest[:17]}"
        elif token == "aws:kms/key:Key":
            d = ctx.digest
            rid = physical = f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"
        elif isinstance(inputs.get("bucket"), str) and token.startswith("aws:s3/bucket"):
            rid = inputs["bucket"]
        elif token == "aws:sqs/queue:Queue":  # AWS knows a queue by its URL
            rid = f"https://sqs.{region}.amazonaws.com/{self.account}/{physical}"
        else:
            rid = physical
        ctx = self._context(token, args.name, physical, region)
        cls = resource_class(token)
        state: dict[str, Any] = synthesize_object(cls, ctx) if cls is not None else {}
        if cls is not None and named_by in (state.keys() | {"name"}) and given is None:
            state[named_by] = physical
        if token == "aws:sqs/queue:Queue":
            state["url"] = rid
        arn = inputs.get("arn") if isinstance(inputs.get("arn"), str) else state.get("arn")
        origin = f"{token} '{args.name}'"
        with self.lock:
            names = {"id": rid, "name": physical, "ARN": arn}
            self.made_up.identify(names, inputs, origin)
            self.made_up.add(state, inputs, trace=False, references=True, origin=origin)
        # An output built from an unknown input is unknown too (the engine's marker, kept).
        state.update({k: rpc_unknown() if is_unknown(v) else v for k, v in inputs.items()})
        self._remember(token, args.name, True, rid, arn, region, inputs, cls)
        return rid, state

    def _component(self, args, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        """A component's outputs: none from the engine for one written in Python (the SDK keeps
        what the program gave it), all unknown for a multi-language one (awsx's `Vpc`), whose
        provider would build them. Never its inputs, which may collide with its output types."""
        remote = getattr(self.local, "remote", False)
        outputs = self.component_outputs.get(args.typ, ()) if remote else ()
        if remote:
            with self.lock:
                self.remote_components.append((args.typ, args.name))
        self._remember(args.typ, args.name, False, None, None, region, inputs, None)
        return "", {name: rpc_unknown() for name in outputs}

    def _remember(self, token, name, custom, rid, arn, region, inputs, cls) -> None:
        self.local.last = {
            "type": token,
            "name": name,
            "custom": custom,
            "id": rid,
            "arn": arn if isinstance(arn, str) else None,
            "region": region,
            "account": self.account,
            "inputs": inputs,
            "class": cls,
        }

    def call(self, args) -> tuple[dict[str, Any], list]:
        from checks.sources.pulumi_invokes import answer

        own_region = args.args.get("region")
        region = own_region if isinstance(own_region, str) else self._region_for(args.provider)
        ctx = self._context(args.token, args.token.split(":")[-1], "data", region)
        result = answer(args.token, args.args, ctx)
        if not is_real_answer(args.token, args.args, ctx):
            origin = f"the answer of the data source {invoke_name(args.token)}"
            with self.lock:
                self.made_up.add(result, args.args, trace=True, origin=origin)
        return result, []

    @property
    def frame(self) -> set[str]:
        """The scan's own account, region and partition: what the mocks answer for them is the
        frame the program is judged in, not a made-up value."""
        return {self.account, self.region, self.partition}


def rpc_unknown() -> str:
    from pulumi.runtime import rpc

    return rpc.UNKNOWN


def _position(request, project_dir: str) -> dict[str, Any] | None:
    """Where the program declared the resource: a file under the project folder, and a line."""
    pos = getattr(request, "sourcePosition", None)
    if pos is None or not pos.uri or not pos.line:
        return None
    path = os.path.normpath(unquote(urlparse(pos.uri).path))
    if not path.startswith(project_dir + os.sep):
        return None  # declared outside the project (a library's component): no file to point at
    return {"file": path[len(project_dir) + 1 :].replace(os.sep, "/"), "line": int(pos.line)}


def _make_monitor(recorder: Recorder):
    from pulumi.runtime.mocks import MockMonitor

    class _Monitor(MockMonitor):
        def _keep(self, request, urn: str, read: bool) -> None:
            last = getattr(recorder.local, "last", None)
            recorder.local.last = None
            if last is None:
                return
            if request.type.startswith("pulumi:providers:"):
                with recorder.lock:
                    recorder.provider_regions[urn] = last["region"]
                last = {
                    "type": request.type,
                    "name": request.name,
                    "custom": True,
                    "id": None,
                    "arn": None,
                    "region": last["region"],
                    "account": recorder.account,
                    "inputs": {},
                    "class": None,
                }
            parent = engine_urn(request.parent) if request.parent else None
            position = _position(request, recorder.project_dir)
            last.update(urn=engine_urn(urn), parent=parent, read=read, position=position)
            with recorder.lock:
                recorder.records.append(last)

        def RegisterResource(self, request):
            prepare_request(request.object)
            require_plain(request.object, bool(request.transforms or recorder.stack_transforms))
            recorder.local.remote = request.remote
            response = super().RegisterResource(request)
            if request.type != "pulumi:pulumi:Stack":
                self._keep(request, response.urn, read=False)
            return response

        def ReadResource(self, request):
            prepare_request(request.properties)
            require_plain(request.properties, bool(recorder.stack_transforms))
            response = super().ReadResource(request)
            self._keep(request, response.urn, read=True)
            # The referenced stack's outputs exist only in its state, which no scan reads:
            # unknown, so whatever the program builds from them is not evaluated.
            response.unknown = request.type == "pulumi:pulumi:StackReference"
            return response

        def Invoke(self, request):
            prepare_request(request.args)
            require_plain(request.args)
            if any(is_unknown(v) for v in _struct_strings(request.args)):
                from pulumi.runtime.proto import resource_pb2

                # The engine does not call a data source before its arguments are known.
                return resource_pb2.ResourceInvokeResponse(unknown=True)
            return super().Invoke(request)

    return _Monitor(delegating_mocks(recorder))


def _struct_strings(struct) -> list[str]:
    """Every string value inside a protobuf Struct."""
    found: list[str] = []
    pending = list(struct.fields.values())
    while pending:
        value = pending.pop()
        kind = value.WhichOneof("kind")
        if kind == "string_value":
            found.append(value.string_value)
        elif kind == "struct_value":
            pending.extend(value.struct_value.fields.values())
        elif kind == "list_value":
            pending.extend(value.list_value.values)
    return found


def _remember_component_outputs(recorder: Recorder) -> None:
    """Note the output names of each multi-language component as the program registers it:
    the mocks see only its inputs, but must answer for its outputs."""
    import pulumi.resource

    register = pulumi.resource.register_resource

    def register_resource(res, ty, name, custom, remote, *args, **kwargs):
        props = args[1] if len(args) > 1 else kwargs.get("props")
        if remote and not custom and props is not None:
            names = props.keys() if isinstance(props, Mapping) else vars(props).keys()
            with recorder.lock:
                recorder.component_outputs[ty] = tuple(names)
        return register(res, ty, name, custom, remote, *args, **kwargs)

    pulumi.resource.register_resource = register_resource


def run(request: Mapping[str, Any]) -> dict[str, Any]:
    import pulumi
    from pulumi.runtime import set_all_config, set_mocks
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from checks.sources.pulumi_schema import object_to_python

    project_dir = Path(request["project_dir"])
    main = Path(request["main"])
    os.chdir(project_dir)
    sys.path.insert(0, str(main if main.is_dir() else main.parent))
    sys.argv = [str(main)]

    recorder = Recorder(request)
    _remember_component_outputs(recorder)
    # Pulumi's runtime made cheaper, unless SAFEGUARD_PLAIN_PULUMI=1.
    accelerated = accelerate()
    applies = ApplyWatch(request["project_dir"])
    applies.install(line_number if "stack_trace" in accelerated else None)
    monitor = _make_monitor(recorder)
    set_mocks(
        monitor.mocks,
        project=request["project"],
        stack=request["stack"],
        preview=False,
        monitor=monitor,
        organization=request.get("organization") or "organization",
    )
    # The scan's region is the AWS provider's, as `pulumi config set aws:region` makes it:
    # `aws.config.region` and the default provider answer with it.
    config = {"aws:region": recorder.region, **request["config"]}
    set_all_config(config, list(request["secret_keys"]))

    error = None
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__")))
    except SystemExit as exc:
        if exc.code not in (0, None):
            error = {"kind": "program_error", "type": "SystemExit", "message": f"exit {exc.code}"}
    except BaseException as exc:  # noqa: BLE001 - whatever the program raised is reported
        recorder.made_up.freeze(recorder.frame)
        error = classify(exc, project_dir.resolve(), recorder.made_up)
    del pulumi
    if error is not None:
        # The scan refuses a program that failed (`checks.sources.program`), so what it had
        # registered by then is not reported: how much that is depends on timing, even under
        # plain Pulumi (its monitor calls race on pool threads).
        return {
            "resources": [],
            "error": error,
            "unseen": {"components": [], "skipped_applies": []},
        }

    plaintexts = tuple(
        v
        for v in request.get("secret_plaintexts", ())
        if len(v) >= 4 and SECRET_PLACEHOLDER not in v
    )
    recorder.made_up.freeze(recorder.frame)
    resources = []
    for rec in sorted(recorder.records, key=lambda r: r["urn"]):
        inputs = {k: v for k, v in rec.pop("inputs").items() if not k.startswith("__")}
        props = object_to_python(recorder.made_up.mark(seal(inputs)), rec.pop("class"))
        rec["props"] = redact(props, plaintexts)
        resources.append(rec)
    unseen = {"components": recorder.remote_components, "skipped_applies": applies.skipped()}
    return {"resources": resources, "error": error, "unseen": unseen}


def _paths_from(fd: int) -> list[str] | None:
    """The request and result paths a started-ahead worker is sent; None at the pipe's end."""
    data = b""
    while chunk := os.read(fd, 65536):
        data += chunk
    os.close(fd)
    return json.loads(data) if data else None


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(
            "usage: python -m checks.sources.program_worker REQUEST.json RESULT.json\n"
            "       python -m checks.sources.program_worker --wait FD",
            file=sys.stderr,
        )
        return 2
    if argv[1] == "--wait":
        paths = _paths_from(int(argv[2]))
        if paths is None:
            return 0  # the scan ended before it needed this worker
        request_path, result_path = paths
    else:
        request_path, result_path = argv[1], argv[2]
    with open(request_path, encoding="utf-8") as fh:
        request = json.load(fh)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    result = run(request)
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    # The result is on disk. Skip the interpreter's teardown of the program's whole object
    # graph (a large share of the run for big programs); nothing is left to flush but stdio.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
