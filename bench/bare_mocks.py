"""The peer of `safeguard scan` in bench/scan.py: the same program under bare Pulumi mocks.

This is what a team would write by hand to run a program under `pulumi.runtime.set_mocks`:
ids from names, inputs echoed as outputs, invokes answered with their arguments. It checks
nothing and writes nothing; the difference to `safeguard scan` is our overhead.

    python bench/bare_mocks.py PROGRAM_DIR
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await


class BareMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}_id", {**args.inputs, "arn": f"arn:aws:mock:::{args.name}"}

    def call(self, args):
        if args.token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return {"json": "{}"}, []
        return dict(args.args), []


def main() -> int:
    program = Path(sys.argv[1]).resolve()
    os.chdir(program)
    sys.path.insert(0, str(program))
    pulumi.runtime.set_mocks(BareMocks(), project="bench", stack="dev", preview=False)
    _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
