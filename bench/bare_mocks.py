"""The peer of `safeguard scan` in bench/scan.py: the same program under bare Pulumi mocks.

This is what a team would write by hand to run a program under `pulumi.runtime.set_mocks`:
ids from names, inputs echoed as outputs, invokes answered with their arguments. It checks
nothing and writes nothing; the difference to `safeguard scan` is our overhead.

    python bench/bare_mocks.py PROGRAM_DIR [STACK]

The stack's plain config values are set as a hand-written test would (`set_all_config`).
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pulumi
import yaml
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await


class BareMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}_id", {**args.inputs, "arn": f"arn:aws:mock:::{args.name}"}

    # The few answers a hand-written test gives so that real programs get past their lookups.
    ANSWERS = {
        "aws:iam/getPolicyDocument:getPolicyDocument": {"json": "{}"},
        "aws:index/getAvailabilityZones:getAvailabilityZones": {"names": ["za", "zb", "zc"]},
        "aws:index/getCallerIdentity:getCallerIdentity": {"accountId": "123456789012"},
        "aws:index/getPartition:getPartition": {"partition": "aws"},
        "aws:index/getRegion:getRegion": {"name": "us-east-1", "region": "us-east-1"},
    }

    def call(self, args):
        return {**args.args, **self.ANSWERS.get(args.token, {})}, []


def main() -> int:
    project_dir = Path(sys.argv[1]).resolve()
    stack = sys.argv[2] if len(sys.argv) > 2 else "dev"
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    values = (
        (yaml.safe_load(stack_file.read_text()) or {}).get("config", {})
        if stack_file.is_file()
        else {}
    )
    config = {
        (k if ":" in k else f"{project['name']}:{k}"): str(v).lower()
        if isinstance(v, bool)
        else str(v)
        for k, v in values.items()
        if not isinstance(v, dict)
    }
    program = (project_dir / project.get("main", ".")).resolve()
    os.chdir(project_dir)
    sys.path.insert(0, str(program))
    pulumi.runtime.set_mocks(BareMocks(), project=project["name"], stack=stack, preview=False)
    pulumi.runtime.set_all_config(config)
    _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
