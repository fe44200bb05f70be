"""`pulumi policy analyze --policy-pack policies --stack STACK`: the CLI judges a stack's current
state with the pack, without running the program. It starts the pack as it does for a preview
(`python -m pulumi.policy <engine> .` in the pack folder) and speaks the analyzer protocol to it
over gRPC: GetAnalyzerInfo, then Analyze for each resource of the checkpoint (its recorded
inputs) and AnalyzeStack once with every resource (its recorded outputs).

No Pulumi CLI can run here, so this test is the CLI's side of that conversation, fed from a
`pulumi stack export` file (the checkpoint `policy analyze` reads), and the pack must fail
exactly what `safeguard scan --state` fails on the same file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest

from checks.evaluate import evaluate
from checks.library import build_registry
from checks.model import Inventory
from checks.registry import Status
from checks.sources.state import load_state

REPO = Path(__file__).resolve().parents[2]
STATE = REPO / "tests" / "fixtures" / "pulumi" / "state_same_verdict.json"


@contextmanager
def served_pack() -> Iterator[object]:
    """The pack served as the CLI starts it; yields an Analyzer stub on its port."""
    from pulumi.runtime.proto import analyzer_pb2_grpc

    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:9", "."],
        cwd=REPO / "policies",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = proc.stdout.readline().strip()
        assert port.isdigit(), proc.stderr.read() if proc.poll() is not None else port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def _checkpoint() -> list[dict]:
    doc = json.loads(STATE.read_text())
    return [
        r
        for r in doc["deployment"]["resources"]
        if r["custom"] and not r["type"].startswith("pulumi:")
    ]


def _struct(values: dict):
    from google.protobuf import json_format, struct_pb2

    return json_format.ParseDict(values, struct_pb2.Struct())


def _check_named(message: str) -> str:
    """The check a stack diagnostic reports: "(… check ID)" in a failure, "ID:" at the head of
    the violation (after the policy's description line) when it could not be evaluated."""
    found = re.search(r"check (\w+)\)", message) or re.match(r"(\w+):", message.split("\n", 1)[-1])
    assert found, message
    return found.group(1)


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


@pytest.fixture(scope="module")
def analysis() -> dict[str, object]:
    """The pack's answers to the messages `pulumi policy analyze` sends for the checkpoint."""
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import analyzer_pb2

    resources = _checkpoint()
    with served_pack() as analyzer:
        info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=60)
        per_resource = [
            analyzer.Analyze(
                analyzer_pb2.AnalyzeRequest(
                    urn=r["urn"],
                    type=r["type"],
                    name=_name(r["urn"]),
                    properties=_struct(r.get("inputs", {})),
                ),
                timeout=60,
            )
            for r in resources
        ]
        stack = analyzer.AnalyzeStack(
            analyzer_pb2.AnalyzeStackRequest(
                resources=[
                    analyzer_pb2.AnalyzerResource(
                        urn=r["urn"],
                        type=r["type"],
                        name=_name(r["urn"]),
                        properties=_struct(r.get("outputs", {})),
                        parent=r.get("parent", ""),
                        dependencies=r.get("dependencies", []),
                    )
                    for r in resources
                ]
            ),
            timeout=60,
        )
    return {
        "info": info,
        "resources": list(zip(resources, per_resource, strict=True)),
        "stack": stack,
    }


def test_the_pack_introduces_itself_with_every_check(analysis):
    info = analysis["info"]
    assert info.name == "hipaa-safeguard"
    names = {p.name for p in info.policies}
    assert {"rds_storage_encrypted_cmk", "hipaa_stack_mandatory", "hipaa_stack_advisory"} <= names
    assert len(names) > 60


def test_the_pack_fails_what_the_scanner_fails_on_the_same_checkpoint(analysis):
    from pulumi.runtime.proto import analyzer_pb2

    pack: set[tuple[str, str]] = set()
    for resource, response in analysis["resources"]:
        for d in response.diagnostics:
            pack.add((d.policyName, resource["urn"]))
    for d in analysis["stack"].diagnostics:
        assert d.policyName in ("hipaa_stack_mandatory", "hipaa_stack_advisory")
        assert d.enforcementLevel in (analyzer_pb2.MANDATORY, analyzer_pb2.ADVISORY)
        # A stack policy names each violation's check in its message and its resource by URN
        # (none for an account-level finding).
        pack.add((_check_named(d.message), d.urn))
    scanner = {
        (f.check.id, f.resource.urn if f.resource else "")
        for f in evaluate(Inventory(load_state(STATE).resources), build_registry()).findings
        if f.status is Status.FAIL
    }
    assert pack == scanner
    # From Analyze (a resource policy) and from AnalyzeStack (a join across resources).
    assert (
        "rds_storage_encrypted_cmk",
        "urn:pulumi:dev::verdict::aws:rds/instance:Instance::verdict-db",
    ) in pack
    assert (
        "s3_bucket_versioning_enabled",
        "urn:pulumi:dev::verdict::aws:s3/bucket:Bucket::verdict-records",
    ) in pack


def test_a_passing_resource_gets_no_diagnostic(analysis):
    quiet = [r["urn"] for r, response in analysis["resources"] if not response.diagnostics]
    assert quiet, "some resources of the checkpoint pass every resource policy"
