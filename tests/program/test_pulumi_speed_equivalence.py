"""The program worker records the same with Pulumi's runtime accelerated as with plain Pulumi
(SAFEGUARD_PLAIN_PULUMI=1): every resource's type, name, URN, parent, id, ARN, region, props
and position, the error, and what the scan could not see.

Each case runs the worker twice, as `safeguard scan` does (bench/worker_speed.py's helpers).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"
PROGRAMS = REPO / "tests" / "programs"
CORPUS = PROGRAMS / "corpus"

# The tricky shapes: components, apply, stack and resource transforms, secrets, a program that
# raises (its own error and one on a made-up value), stack references, data sources with
# unknown arguments, `Resource.get` reads, resource objects as inputs, a multi-language
# component, archives and assets.
CASES = {
    "component_buckets": (CORPUS / "component_buckets", {}),
    "apply_two_arguments": (CORPUS / "apply_two_arguments", {}),
    "stack_transforms": (CORPUS / "stack_transforms", {}),
    "resource_transforms": (REPO / "tests" / "program" / "insecure_for_transform", {}),
    "config_secrets": (CORPUS / "config_secrets", {}),
    "secrets_given": (PROGRAMS / "secrets", {"apiToken": "S3cr3t-Tok!", "dbPassword": "Pw-9x!"}),
    "raises": (PROGRAMS / "raises", {}),
    "program_own_keyerror": (CORPUS / "program_own_keyerror", {}),
    "made_up_json": (CORPUS / "ssm_json_settings", {}),
    "stack_reference": (CORPUS / "stack_reference", {}),
    "stack_reference_apply": (CORPUS / "stack_reference_apply", {}),
    "stack_reference_lookup": (CORPUS / "stack_reference_lookup", {}),
    "legacy_subnet_lookup": (CORPUS / "legacy_subnet_lookup", {}),
    "datasources": (PROGRAMS / "datasources", {}),
    "existing_resources": (CORPUS / "existing_resources", {}),
    "resource_objects": (CORPUS / "resource_objects", {}),
    "awsx_vpc": (CORPUS / "awsx_vpc", {}),
    "s3_replication_providers": (CORPUS / "s3_replication_providers", {}),
    # Archives and assets among a resource's inputs, so in the state the mocks answer with.
    "lambda_archive": (CORPUS / "lambda_http_api", {}),
    "site_assets": (CORPUS / "static_site_cdn", {}),
}


@pytest.fixture(scope="module")
def bench():
    """bench/worker_speed.py and bench/scan.py, imported as the script imports them (bench/
    first on the path); the names they bring are taken out of sys.modules again afterwards."""
    names = ("worker_speed", "scan")
    before = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("worker_speed")
    finally:
        sys.path.remove(str(BENCH))
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(before)


# Accelerated results by program, kept for the coverage test (each run costs a second or two).
_FAST: dict[Path, dict] = {}


def _both(bench, program: Path, stack: str | None = None, secrets=None) -> tuple[dict, dict]:
    request = bench.request_for(program, stack, secrets)
    _, plain = bench.run_worker(request, plain=True)
    _, fast = bench.run_worker(request, plain=False)
    if stack is None and not secrets:
        _FAST[program] = fast
    return plain, fast


def _fast(bench, program: Path) -> dict:
    if program not in _FAST:  # its comparison ran in another process, or not yet
        _FAST[program] = bench.run_worker(bench.request_for(program), plain=False)[1]
    return _FAST[program]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_billing_program_records_the_same(bench, stack: str) -> None:
    plain, fast = _both(bench, REPO, stack)
    assert plain["error"] is None
    assert len(plain["resources"]) > 200
    # Declared in the program's own files, helpers and components: positions are compared too.
    assert all(r["position"] is not None for r in plain["resources"] if r["custom"])
    assert fast == plain


def test_generated_program_records_the_same(bench, tmp_path: Path) -> None:
    program = bench.generate(tmp_path / "gen", 330)
    plain, fast = _both(bench, program)
    assert len(plain["resources"]) == 30 * 10 + 1  # ten resources a unit, and the VPC
    vpc = next(r for r in plain["resources"] if r["name"] == "vpc")
    assert vpc["position"] == {"file": "__main__.py", "line": 2}
    assert fast == plain


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_program_records_the_same(bench, case: str) -> None:
    program, secrets = CASES[case]
    plain, fast = _both(bench, program, secrets=secrets or None)
    assert fast == plain


def test_the_cases_cover_errors_reads_and_unseen_components(bench) -> None:
    """The fixture programs exercise what they are here for (so the comparison is not of two
    empty results): a program error, a made-up value the program failed on, a read, a
    multi-language component the scan could not see inside, and an archive among the inputs."""
    raised = _fast(bench, PROGRAMS / "raises")
    assert raised["error"]["kind"] == "program_error"
    made_up = _fast(bench, CORPUS / "ssm_json_settings")
    assert made_up["error"]["kind"] == "not_emulated"
    reads = _fast(bench, CORPUS / "existing_resources")
    assert any(r["read"] for r in reads["resources"])
    awsx = _fast(bench, CORPUS / "awsx_vpc")
    assert awsx["unseen"]["components"] == [["awsx:ec2:Vpc", "main"]]
    lambda_ = _fast(bench, CORPUS / "lambda_http_api")
    codes = [r["props"].get("code") for r in lambda_["resources"]]
    assert {"__object__": "FileArchive"} in codes
