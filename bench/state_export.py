"""A `pulumi stack export`-shaped file of a program, written without the Pulumi CLI or a cloud.

The program runs under the bare mocks of bench/bare_mocks.py (ids from names, inputs echoed as
outputs); each registered resource becomes a version-3 deployment entry with its engine-named
inputs and outputs, as the CLI writes them after an update. The file-scan bench
(bench/file_scan.py) reads these, so a state scan is timed on the billing system and on
generated programs of any size.

    python bench/state_export.py PROGRAM_DIR [STACK] > state.json
    python bench/state_export.py --preview PROGRAM_DIR [STACK] > preview.json

With `--preview`, the same resources as a first `pulumi preview --json` shows them: one create
step each, its new state holding the inputs (a preview knows no outputs yet).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bare_mocks import BareMocks  # noqa: E402 - the bench folder is not a package


class ExportingMocks(BareMocks):
    """Bare mocks that remember every resource they were asked to create."""

    def __init__(self, project: str, stack: str) -> None:
        self.project, self.stack = project, stack
        self.entries: list[dict[str, Any]] = []

    def new_resource(self, args):
        ident, outputs = super().new_resource(args)
        urn = f"urn:pulumi:{self.stack}::{self.project}::{args.typ}::{args.name}"
        self.entries.append(
            {
                "urn": urn,
                "custom": True,
                "id": ident,
                "type": args.typ,
                "inputs": _plain(args.inputs),
                "outputs": _plain(outputs),
            }
        )
        return ident, outputs


def _plain(value: Any) -> Any:
    """What JSON can hold: the mocks hand over plain values, but tuples and sets can appear."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def _stack_config(project_dir: Path, project: dict, stack: str) -> dict[str, str]:
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    values = (yaml.safe_load(stack_file.read_text()) or {}).get("config", {})
    return {
        (k if ":" in k else f"{project['name']}:{k}"): str(v).lower()
        if isinstance(v, bool)
        else json.dumps(v)
        if isinstance(v, list)
        else str(v)
        for k, v in values.items()
        if not isinstance(v, dict)
    }


def export(project_dir: Path, stack: str) -> dict[str, Any]:
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())
    config = (
        _stack_config(project_dir, project, stack)
        if (project_dir / f"Pulumi.{stack}.yaml").is_file()
        else {}
    )
    program = (project_dir / project.get("main", ".")).resolve()
    mocks = ExportingMocks(project["name"], stack)
    os.chdir(project_dir)
    sys.path.insert(0, str(program))
    pulumi.runtime.set_mocks(mocks, project=project["name"], stack=stack, preview=False)
    pulumi.runtime.set_all_config(config)
    _sync_await(run_pulumi_func(lambda: runpy.run_path(str(program), run_name="__main__")))
    root = {
        "urn": f"urn:pulumi:{stack}::{project['name']}::pulumi:pulumi:Stack::"
        f"{project['name']}-{stack}",
        "custom": False,
        "type": "pulumi:pulumi:Stack",
    }
    return {"version": 3, "deployment": {"resources": [root, *mocks.entries]}}


def as_preview(state: dict[str, Any]) -> dict[str, Any]:
    """The `pulumi preview --json` of a first deploy of the exported resources."""
    steps = [
        {
            "op": "create",
            "urn": entry["urn"],
            "newState": {k: entry[k] for k in ("urn", "custom", "type", "inputs") if k in entry},
        }
        for entry in state["deployment"]["resources"]
    ]
    return {"steps": steps, "changeSummary": {"create": len(steps)}, "diagnostics": []}


def main() -> int:
    args = sys.argv[1:]
    preview = args[:1] == ["--preview"]
    args = args[1:] if preview else args
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    project_dir = Path(args[0]).resolve()
    stack = args[1] if len(args) > 1 else "dev"
    document = export(project_dir, stack)
    json.dump(as_preview(document) if preview else document, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
