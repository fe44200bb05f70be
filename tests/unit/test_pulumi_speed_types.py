"""Annotations unwrapped once each (checks.sources.pulumi_speed's `type_unwrapping`) as the SDK
unwraps them, and the apply watch reading a call site's line through the accelerated reader."""

# ruff: noqa: UP007, UP045 - the SDK unwraps typing.Union and typing.Optional objects
from __future__ import annotations

import typing
from collections import abc
from types import SimpleNamespace

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import _types

from checks.sources import pulumi_speed
from checks.sources.program_unseen import ApplyWatch
from checks.sources.pulumi_speed import unwrap_optional_type, unwrap_type

SDK = pulumi_speed.sdk()


def _annotations() -> list:
    """The annotations the SDK unwraps for a few pulumi_aws resources and their input types."""
    found = []
    for cls in (aws.s3.Bucket, aws.ec2.SecurityGroup, aws.rds.Instance):
        found.extend(_types.resource_types(cls).values())
    for args in (aws.ec2.SecurityGroupIngressArgs, aws.s3.BucketV2Args):
        found.extend(_types.input_type_types(args).values())
    return found


def test_there_are_annotations_of_every_shape() -> None:
    shapes = {typing.get_origin(a) for a in _annotations()}
    assert {abc.Mapping, abc.Sequence, None} <= shapes and len(_annotations()) > 40


@pytest.mark.parametrize(
    ("ours", "sdks"),
    [(unwrap_type, SDK.unwrap_type), (unwrap_optional_type, SDK.unwrap_optional_type)],
)
def test_each_annotation_unwraps_as_the_sdk_unwraps_it_twice(ours, sdks) -> None:
    for annotation in _annotations():
        want = sdks(annotation)
        assert ours(annotation) is want
        assert ours(annotation) is want  # from the table


def test_input_and_optional_are_taken_off() -> None:
    given = typing.Union[int, typing.Awaitable[int], pulumi.Output[int]]  # Input[int], resolved
    assert unwrap_type(given) is int
    assert unwrap_type(typing.Optional[given]) is int
    assert unwrap_optional_type(typing.Optional[bool]) is bool
    assert unwrap_optional_type(list) is list


def test_an_annotation_the_sdk_refuses_raises_every_time() -> None:
    refused = typing.Union[None, int]  # Optional the wrong way round: the SDK asserts
    for _ in range(2):
        with pytest.raises(AssertionError):
            unwrap_optional_type(refused)
    assert id(refused) not in pulumi_speed._UNWRAPPED_OPTIONAL


def test_the_table_stops_growing_at_its_limit(monkeypatch) -> None:
    monkeypatch.setattr(pulumi_speed, "_UNWRAPPED", {})
    monkeypatch.setattr(pulumi_speed, "_UNWRAP_LIMIT", 2)
    for annotation in (typing.Optional[int], typing.Optional[str], typing.Optional[float]):
        assert unwrap_type(annotation) is typing.get_args(annotation)[0]
    assert len(pulumi_speed._UNWRAPPED) == 2


def test_an_entry_for_a_reused_id_is_not_taken(monkeypatch) -> None:
    """A table entry whose annotation is another object (its id reused) is not the answer."""
    annotation = typing.Optional[int]
    stale = {id(annotation): (typing.Optional[str], str)}
    monkeypatch.setattr(pulumi_speed, "_UNWRAPPED", stale)
    assert unwrap_type(annotation) is int


def test_the_apply_watch_names_sites_by_the_line_reader_it_is_given(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(pulumi.Output, "apply", pulumi.Output.apply)  # restored afterwards
    frame = SimpleNamespace(f_code=SimpleNamespace(co_filename=str(tmp_path / "main.py")))
    frame.f_lineno = 7
    watch = ApplyWatch(str(tmp_path))
    watch.install()
    assert watch._site(frame) == "main.py:7"
    other = ApplyWatch(str(tmp_path))
    other.install(lambda f: f.f_lineno * 10)
    assert other._site(frame) == "main.py:70"
