"""Which AWS Backup selections pick a resource (checks/support/backup_selections.py), pinned on
the exact selections returned: by ARN pattern, by tag, by condition, and what each way of
selecting needs to read."""

from __future__ import annotations

import pytest

from checks.model import UNKNOWN, Inventory, Resource, Undecidable
from checks.support.backup_selections import backup_selections

SELECTION = "aws:backup/selection:Selection"
TABLE = "aws:dynamodb/table:Table"
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/claims"


def table(**props) -> Resource:
    return Resource(TABLE, "claims", {"arn": ARN, "tags": {"backup": "daily"}, **props})


def selection(**props) -> Resource:
    return Resource(SELECTION, "sel", {"iam_role_arn": "arn:aws:iam::1:role/b", **props})


def picked(res: Resource, sel: Resource) -> list[str]:
    return [s.name for s in backup_selections(res, Inventory([res, sel]))]


def test_a_tag_selection_does_not_need_the_arn():
    # backup_selections x__selects__mutmut_37
    res = Resource(TABLE, "claims", {"tags": {"backup": "daily"}, "arn": UNKNOWN})
    sel = selection(selection_tags=[{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}])
    assert picked(res, sel) == ["sel"]
    with pytest.raises(Undecidable):
        picked(res, selection(resources=["arn:aws:dynamodb:*"]))


def test_an_arn_selection_does_not_need_the_tags():
    # backup_selections x__selects__mutmut_43
    res = table(tags=UNKNOWN)
    assert picked(res, selection(resources=["arn:aws:dynamodb:*:table/*"])) == ["sel"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"key": "backup", "value": "daily"}, ["sel"]),  # mutmut_66/68/71: no type is STRINGEQUALS
        ({"type": "stringequals", "key": "backup", "value": "daily"}, ["sel"]),
        ({"type": "STRINGLIKE", "key": "backup", "value": "daily"}, []),  # mutmut_65/69/70
    ],
    ids=["no-type", "lower-case", "other-type"],
)
def test_only_string_equals_tag_selections_select(entry, expected):
    assert picked(table(), selection(selection_tags=[entry])) == expected


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([{"string_equals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}], ["sel"]),
        ([{"string_equals": [{"key": "aws:ResourceTag/backup", "value": "weekly"}]}], []),
    ],
)
def test_conditions_alone_select_every_resource_they_hold_for(conditions, expected):
    # backup_selections x__selects__mutmut_86/89
    assert picked(table(), selection(conditions=conditions)) == expected


def test_a_condition_entry_without_a_key_matches_no_tag():
    # backup_selections x__tag_test__mutmut_6/8/11
    res = table(tags={"None": "daily", "XXXX": "daily", "backup": "daily"})
    sel = selection(conditions=[{"string_equals": [{"value": "daily"}]}])
    assert picked(res, sel) == []


def test_a_condition_entry_without_a_value_matches_an_empty_tag():
    # backup_selections x__tag_test__mutmut_19/21/24
    res = table(tags={"backup": ""})
    sel = selection(conditions=[{"string_equals": [{"key": "aws:ResourceTag/backup"}]}])
    assert picked(res, sel) == ["sel"]


@pytest.mark.parametrize(
    ("operator", "expected"),
    [("string_equals", []), ("string_likes", ["sel"]), ("string_not_equals", ["sel"])],
)
def test_only_likes_operators_read_wildcards(operator, expected):
    # backup_selections x__tag_test__mutmut_32
    sel = selection(conditions=[{operator: [{"key": "aws:ResourceTag/backup", "value": "da*"}]}])
    assert picked(table(), sel) == expected
