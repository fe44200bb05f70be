"""Profiles read exactly as written: every field, every default, and every refusal's message
(each expected value below is spelled out, not derived from the code under test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.errors import InputError
from checks.registry import Severity
from policies.profiles import Profile, available, load_profile


def _profile_file(tmp_path: Path, text: str, name: str = "team.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_built_in_profiles_are_listed_by_name():
    assert available() == ["advisory", "default", "strict"]


def test_an_unknown_profile_name_lists_the_built_in_ones():
    with pytest.raises(InputError) as err:
        load_profile("lenient")
    assert str(err.value) == (
        "--profile 'lenient': no such profile (built in: advisory, default, strict)"
    )


def test_every_field_a_profile_file_sets_is_read_as_written(tmp_path):
    path = _profile_file(
        tmp_path,
        "name: release\n"
        "description: Nothing fails, highs must be seen.\n"
        "fail_on: info\n"
        "not_evaluated_blocks: always\n"
        "mandatory_from: high\n",
    )
    assert load_profile(str(path)) == Profile(
        "release", "Nothing fails, highs must be seen.", Severity.INFO, "always", Severity.HIGH
    )


def test_a_profile_file_that_sets_nothing_gets_the_documented_defaults(tmp_path):
    path = _profile_file(tmp_path, "{}\n", name="bare.yaml")
    assert load_profile(str(path)) == Profile(
        "bare", "", Severity.LOW, "mandatory", Severity.MEDIUM
    )


def test_a_profile_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = _profile_file(tmp_path, "- fail_on: low\n")
    with pytest.raises(InputError) as err:
        load_profile(str(path))
    assert str(err.value) == f"{path}: expected a mapping of profile settings, found a list"


@pytest.mark.parametrize("key", ["fail_on", "mandatory_from"])
def test_an_unknown_severity_is_refused_with_its_file_and_line(tmp_path, key):
    path = _profile_file(tmp_path, f"# a team profile\n{key}: extreme\n")
    with pytest.raises(InputError) as err:
        load_profile(str(path))
    assert str(err.value) == (
        f"{path}: line 2: unknown severity 'extreme' "
        "(expected one of: info, low, medium, high, critical)"
    )


def test_an_unknown_unknowns_rule_is_refused_with_the_rules_there_are(tmp_path):
    path = _profile_file(tmp_path, "# a team profile\nnot_evaluated_blocks: sometimes\n")
    with pytest.raises(InputError) as err:
        load_profile(str(path))
    assert str(err.value) == (
        f"{path}: line 2: not_evaluated_blocks must be one of never, mandatory, always"
    )
