"""Run a Pulumi program under mocks that apply its registered transforms, as the engine does.

Pulumi's mock monitor records stack transforms but never runs them, so `safeguard scan` sees a
program's inputs before any transform. This harness (run as a subprocess, so the program's
imports and Pulumi's global state stay out of the test process) calls each registered transform
on every resource's inputs, in engine naming, exactly where the engine would, and records the
inputs that result:

    python -m tests.program.transform_harness PROGRAM_DIR RESULT.json [--no-transforms]

The result lists each resource (type, name, id, ARN, engine-named inputs) and, when the program
imported `hardening`, the changes its default `harden` transform recorded.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

import yaml

ACCOUNT = "123456789012"


def _config(program: Path, project: str, stack: str) -> dict[str, str]:
    path = program / f"Pulumi.{stack}.yaml"
    block = (yaml.safe_load(path.read_text()) or {}).get("config", {}) if path.is_file() else {}
    return {k if ":" in k else f"{project}:{k}": str(v) for k, v in block.items()}


def run(program: Path, apply_transforms: bool, stack: str = "dev") -> dict[str, Any]:
    import pulumi
    from pulumi.runtime import set_all_config, set_mocks
    from pulumi.runtime.mocks import Mocks
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    project = yaml.safe_load((program / "Pulumi.yaml").read_text())["name"]
    config = _config(program, project, stack)
    region = config.get("aws:region", "us-east-1")
    records: list[dict[str, Any]] = []

    class TransformingMocks(Mocks):
        def __init__(self) -> None:
            self.transforms: list = []

        def register_transform(self, transform) -> None:
            self.transforms.append(transform)

        def call(self, args):
            return {}, None

        def new_resource(self, args):
            props = dict(args.inputs)
            if apply_transforms and not args.typ.startswith("pulumi:providers:"):
                for transform in self.transforms:
                    result = transform(
                        pulumi.ResourceTransformArgs(
                            custom=bool(args.custom),
                            type_=args.typ,
                            name=args.name,
                            props=props,
                            opts=pulumi.ResourceOptions(),
                        )
                    )
                    if result is not None:
                        props = dict(result.props)
            service = args.typ.split(":")[1].split("/")[0]
            arn = f"arn:aws:{service}:{region}:{ACCOUNT}:{args.name}"
            if not args.typ.startswith("pulumi:providers:"):
                records.append(
                    {
                        "type": args.typ,
                        "name": args.name,
                        "id": args.name,
                        "arn": arn,
                        "props": props,
                    }
                )
            return args.name, {**props, "arn": arn}

    set_mocks(TransformingMocks(), project=project, stack=stack, preview=False)
    set_all_config(config, [])
    os.chdir(program)
    _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program / "__main__.py"))))
    hardening = sys.modules.get("hardening")
    changes = [
        {
            "resource_type": c.resource_type,
            "resource_name": c.resource_name,
            "rule": c.rule,
            "path": c.path,
            "before": c.before,
            "after": c.after,
        }
        for c in (hardening.harden.changes if hardening and apply_transforms else [])
    ]
    return {"resources": records, "changes": changes}


def main(argv: list[str]) -> int:
    program, out = Path(argv[1]).resolve(), Path(argv[2])
    result = run(program, apply_transforms="--no-transforms" not in argv)
    out.write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip teardown: Pulumi's callback server thread would otherwise keep the process alive.
    os._exit(code)
