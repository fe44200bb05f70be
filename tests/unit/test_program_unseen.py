"""What a program scan cannot see (checks/sources/program_unseen.py): multi-language components
and apply callbacks whose input stayed unknown, turned into gaps and report entries."""

from __future__ import annotations

import asyncio

import pytest

from checks.sources.program_unseen import COMPONENT_PARTS, ApplyWatch, _resolved_unknown, unseen
from checks.sources.pulumi_schema import resource_class


@pytest.mark.parametrize("token", sorted({t for parts in COMPONENT_PARTS.values() for t in parts}))
def test_every_part_is_a_pulumi_aws_resource_type(token):
    assert resource_class(token) is not None


def test_a_known_component_hides_its_types_with_the_reason():
    gaps, entries = unseen([("awsx:ecr:Repository", "images"), ("awsx:ecr:Repository", "base")], [])
    reason = (
        "created inside the multi-language component awsx:ecr:Repository 'base', 'images', "
        "whose provider a scan under mocks cannot run"
    )
    assert gaps == {
        "aws:ecr/repository:Repository": reason,
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": reason,
    }
    assert entries == [
        {
            "what": "awsx:ecr:Repository 'base', 'images'",
            "why": "a multi-language component builds its resources in its own provider, "
            "which a scan under mocks cannot run",
            "types": ["aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"],
        }
    ]


def test_an_unknown_component_is_reported_without_hiding_types():
    gaps, entries = unseen([("acme:net:Mesh", "mesh")], [])
    assert gaps == {}
    assert entries[0]["what"] == "acme:net:Mesh 'mesh'"
    assert entries[0]["why"].endswith("; the types it creates are not known to the scanner")
    assert entries[0]["types"] == []


def test_the_first_component_names_a_shared_type():
    gaps, _ = unseen([("awsx:ec2:Vpc", "b"), ("awsx:lb:ApplicationLoadBalancer", "a")], [])
    assert "awsx:ec2:Vpc 'b'" in gaps["aws:ec2/vpc:Vpc"]
    assert "awsx:lb:ApplicationLoadBalancer 'a'" in gaps["aws:ec2/securityGroup:SecurityGroup"]


def test_skipped_applies_are_one_entry_with_no_types():
    gaps, entries = unseen([], ["a.py:3", "b.py:9 (×2)"])
    assert gaps == {}
    assert entries[0]["what"] == "2 apply callback(s) at a.py:3, b.py:9 (×2)"
    assert entries[0]["types"] == []
    assert unseen([], []) == ({}, [])


class _Out:
    def __init__(self, future):
        self._data = future


class _Data:
    def __init__(self, is_known):
        self.is_known = is_known


def _settled(value=None, error=None):
    loop = asyncio.new_event_loop()
    fut = loop.create_future()
    if error is not None:
        fut.set_exception(error)
    elif value is not None:
        fut.set_result(value)
    loop.close()
    return fut


def test_only_a_settled_unknown_output_counts_as_skipped():
    assert _resolved_unknown(_Out(_settled(_Data(False)))) is True
    assert _resolved_unknown(_Out(_settled(_Data(True)))) is False
    assert _resolved_unknown(_Out(_settled())) is False  # not resolved yet
    assert _resolved_unknown(_Out(_settled(error=RuntimeError("x")))) is False
    assert _resolved_unknown(object()) is False


def test_counts_by_site_ignore_callbacks_that_ran(tmp_path):
    watch = ApplyWatch(str(tmp_path))
    unknown, known = _Out(_settled(_Data(False))), _Out(_settled(_Data(True)))
    watch._calls = [
        (unknown, [], "b.py:2"),
        (unknown, [], "b.py:2"),
        (unknown, [True], "a.py:1"),
        (known, [], "c.py:4"),
        (unknown, [], "a.py:7"),
    ]
    assert watch.skipped() == ["a.py:7", "b.py:2 (×2)"]


def test_only_the_programs_own_files_are_call_sites(tmp_path):
    watch = ApplyWatch(str(tmp_path))

    class Code:
        def __init__(self, name):
            self.co_filename = name

    class Frame:
        def __init__(self, name, line):
            self.f_code, self.f_lineno = Code(name), line

    assert watch._site(Frame(str(tmp_path / "infra" / "net.py"), 12)) == "infra/net.py:12"
    assert watch._site(Frame(str(tmp_path / "venv/lib/site-packages/x.py"), 3)) is None
    assert watch._site(Frame("/usr/lib/python3/pulumi/output.py", 5)) is None
    assert watch._site(Frame(str(tmp_path) + "-other/main.py", 5)) is None
