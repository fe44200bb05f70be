"""What a run pays for (issue 13's start-up cost): it imports what its command uses (the parser
of the command it names, the renderers of the formats it writes, the program runner only for a
program), and the garbage collector does not walk the run's growing heap over and over."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.cli import COMMANDS, EXIT_CODES_HELP, build_parser

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / "tests" / "fixtures" / "pulumi" / "state_v4_billing_show_secrets.json"


def _registered(module: str) -> set[str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(f"scripts.commands.{module}").add_parser(sub, EXIT_CODES_HELP)
    return set(sub.choices)


def test_the_command_table_names_what_each_module_registers():
    for module in set(COMMANDS.values()):
        assert _registered(module) == {c for c, m in COMMANDS.items() if m == module}, module
    # Every command of the whole parser is in the table, and no other.
    whole = build_parser()
    (sub,) = [a for a in whole._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == set(COMMANDS)


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "--state", "x.json", "--format", "json", "--fail-on", "high"],
        ["scan", "prog", "--stack", "prod", "--config", "a=b"],
        ["audit", "--region", "us-east-1", "--profile", "strict"],
        ["checks"],
        ["framework"],
        ["history", "--limit", "3"],
        ["keygen", "--out", "/tmp/k"],
    ],
)
def test_a_named_command_parses_as_the_whole_parser_does(argv):
    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


def test_only_the_named_commands_module_is_built():
    named = build_parser(["checks"])
    (sub,) = [a for a in named._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == {"checks", "framework"}  # the listing module's two commands
    # Help, the version and an unknown word get the whole parser (every command listed).
    for argv in (["--help"], ["--version"], ["scna"], []):
        parser = build_parser(argv)
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        assert set(sub.choices) == set(COMMANDS), argv


def test_a_mistyped_command_is_still_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as stopped:
        build_parser(["scna"]).parse_args(["scna"])
    assert stopped.value.code == 2
    assert "invalid choice: 'scna' (choose from 'scan', 'fix', 'audit'" in capsys.readouterr().err


# What a file scan writing the default formats must not load: the program runner and the
# Pulumi SDK, the live audit, the HTML/PDF report, the signing library, other commands.
NOT_FOR_A_FILE_SCAN = (
    "checks.sources.program",
    "checks.sources.program_unseen",
    "asyncio",
    "pulumi",
    "pulumi_aws",
    "boto3",
    "scripts.commands.audit",
    "scripts.commands.nightly",
    "scripts.commands.demo",
    "reports.html",
    "jinja2",
    "cryptography",
    "importlib.metadata",
    "policies.fixes",
    "checks.checkov_findings",
)


def test_a_file_scan_leaves_out_what_it_does_not_use(tmp_path):
    script = (
        "import json, sys\n"
        "from scripts.cli import main\n"
        f"code = main(['scan', '--state', {str(STATE)!r}, '--out', {str(tmp_path / 'out')!r},\n"
        f"             '-q', '--history', {str(tmp_path / 'h.sqlite')!r}])\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n"
    )
    # From another folder, as the installed command runs (the checkout's egg-info would send
    # the version lookup to importlib.metadata, `policies.version`).
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] in (0, 1, 3)
    assert (tmp_path / "out" / "safeguard-scan.json").is_file()
    loaded = [m for m in NOT_FOR_A_FILE_SCAN if m in result["modules"]]
    assert loaded == []
    # ...and it did load what it uses.
    assert {"checks.sources.state", "reports.json_render", "reports.markdown"} <= set(
        result["modules"]
    )


def test_a_run_makes_full_collections_rare_and_puts_the_collector_back():
    import gc

    from scripts.commands.pipeline import _rare_full_collections

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), _rare_full_collections():
        assert gc.get_threshold() == (before[0], before[1], max(before[2], 1000))
        raise RuntimeError("a run that fails")
    assert gc.get_threshold() == before
