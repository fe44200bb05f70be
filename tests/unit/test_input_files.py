"""The one loader (`checks.inputfiles`): every input file ends in plain data or in one
InputError naming the file and the problem."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checks import inputfiles
from checks.errors import InputError
from checks.inputfiles import LineDict, expect_mapping, expect_mappings, load_json, load_yaml


def write(tmp_path: Path, content: str | bytes, name: str = "input") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def json_error(tmp_path: Path, content: str | bytes) -> str:
    path = write(tmp_path, content, "doc.json")
    with pytest.raises(InputError) as err:
        load_json(path, what="a test document")
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message.removeprefix(f"{path}: ")


def yaml_error(tmp_path: Path, content: str | bytes, *, pulumi: bool = False) -> str:
    path = write(tmp_path, content, "doc.yaml")
    with pytest.raises(InputError) as err:
        load_yaml(path, pulumi=pulumi)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message.removeprefix(f"{path}: ")


# -- bytes and text --------------------------------------------------------------------------


def test_missing_files_and_folders_are_named(tmp_path):
    with pytest.raises(InputError, match=r": no such file$"):
        load_json(tmp_path / "absent.json", what="x")
    with pytest.raises(InputError, match=r": no such run document$"):
        load_json(tmp_path / "absent.json", what="x", noun="run document")
    with pytest.raises(InputError, match=r": is a directory, not a YAML file$"):
        load_yaml(tmp_path)


def test_a_file_over_the_size_limit_is_refused_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(inputfiles, "MAX_YAML_BYTES", 2 * inputfiles.MIB)
    big = write(tmp_path, b"a: " + b"x" * (2 * inputfiles.MIB) + b"\n")
    with pytest.raises(InputError, match=r": larger than 2 MiB, the limit for a YAML file$"):
        load_yaml(big)


def test_the_json_limit_can_be_raised_for_a_large_state_export(tmp_path, monkeypatch):
    path = write(tmp_path, b'{"a": "' + b"x" * (2 * inputfiles.MIB) + b'"}')
    monkeypatch.setenv("SAFEGUARD_MAX_JSON_MIB", "1")
    with pytest.raises(InputError, match="larger than 1 MiB, the limit for a JSON file"):
        load_json(path, what="x")
    monkeypatch.setenv("SAFEGUARD_MAX_JSON_MIB", "3")
    assert len(load_json(path, what="x")[0]["a"]) == 2 * inputfiles.MIB
    monkeypatch.setenv("SAFEGUARD_MAX_JSON_MIB", "lots")
    with pytest.raises(InputError, match="SAFEGUARD_MAX_JSON_MIB='lots': expected a whole"):
        load_json(path, what="x")


def test_bytes_that_are_not_utf8_are_named_with_their_offset(tmp_path):
    assert json_error(tmp_path, b'{"a": "caf\xe9"}') == "not UTF-8 text (byte 0xe9 at offset 10)"
    assert yaml_error(tmp_path, b"a: b\nc: \xff\n") == "not UTF-8 text (byte 0xff at offset 8)"
    assert yaml_error(tmp_path, b"\xef\xbb\xbfa: \x80") == "not UTF-8 text (byte 0x80 at offset 6)"
    assert json_error(tmp_path, b'{"a": "\xc3') == "not UTF-8 text (byte 0xc3 at offset 7)"
    assert json_error(tmp_path, "ab".encode("utf-16")[:-1]) == (
        "not UTF-16 text (byte 0x62 at offset 4)"
    )


def test_byte_order_marks_are_tolerated(tmp_path):
    assert load_yaml(write(tmp_path, "\ufeffa: 1\n".encode())) == {"a": 1}
    assert load_yaml(write(tmp_path, "a: 1\n".encode("utf-16"))) == {"a": 1}
    assert load_json(write(tmp_path, '{"a": 1}'.encode("utf-16")), what="x")[0] == {"a": 1}
    assert load_json(write(tmp_path, '\ufeff{"a": 1}'.encode()), what="x")[0] == {"a": 1}


def test_unpaired_surrogates_are_not_text(tmp_path):
    problem = "a string holds an unpaired UTF-16 surrogate, which is not text"
    assert json_error(tmp_path, '{"name": "\\ud800"}') == problem
    assert json_error(tmp_path, '{"\\udfff": 1}') == problem
    assert yaml_error(tmp_path, 'a: ok\nb: "\\ud800"\n') == f"line 2: {problem}"
    paired = load_json(write(tmp_path, '{"a": "\\ud83d\\ude00"}'), what="x")[0]
    assert paired == {"a": "\U0001f600"}


# -- JSON ------------------------------------------------------------------------------------


def test_json_nesting_is_limited_whether_or_not_the_parser_could_go_deeper(tmp_path):
    limit = inputfiles.MAX_DEPTH
    assert json_error(tmp_path, "[" * 100_000 + "]" * 100_000) == "nested more than 100 levels"
    assert json_error(tmp_path, "[" * (limit + 1) + "]" * (limit + 1)) == (
        "nested more than 100 levels"
    )
    deep_objects = '{"a": ' * (limit + 1) + "1" + "}" * (limit + 1)
    assert json_error(tmp_path, deep_objects) == "nested more than 100 levels"
    at_limit = "[" * limit + "]" * limit
    assert load_json(write(tmp_path, at_limit), what="x")[0] is not None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"a": NaN}', "not valid JSON: NaN is not a JSON number"),
        ('{"a": -Infinity}', "not valid JSON: -Infinity is not a JSON number"),
        ('{"port": 1e999}', "not valid JSON: the number 1e999 is too large"),
        ('{"a": ' + "9" * 5000 + "}", "not valid JSON: a number is too long to read"),
        ('{"a": 1,}', "not valid JSON: line 1: Expecting property name enclosed in double quotes"),
        ("", "the file is empty (expected a test document)"),
    ],
)
def test_json_that_is_not_plain_data(tmp_path, text, problem):
    assert json_error(tmp_path, text).startswith(problem)


def test_leading_text_is_skipped_and_counted_in_line_numbers(tmp_path):
    path = write(tmp_path, 'Previewing update\nwarning: x\n{"steps": []}\ntrailing text')
    assert load_json(path, what="x", skip_leading_text=True) == ({"steps": []}, 2)
    broken = write(tmp_path, 'note\n{"a":\n  oops}', "broken.json")
    with pytest.raises(InputError, match=r"not valid JSON: line 3: Expecting value"):
        load_json(broken, what="x", skip_leading_text=True)
    nothing = write(tmp_path, "only words\n", "nothing.json")
    with pytest.raises(InputError, match=r"no JSON document found \(expected a preview\)"):
        load_json(nothing, what="a preview", skip_leading_text=True)


# -- YAML ------------------------------------------------------------------------------------


def test_yaml_errors_keep_their_line_and_context(tmp_path):
    text = "config:\n  a: [1,\n    2\n  b: 3\n"
    assert yaml_error(tmp_path, text, pulumi=True) == (
        "line 4: malformed YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts on line 2)"
    )
    assert yaml_error(tmp_path, "a: 1\nb: \x07\n") == (
        "line 2: malformed YAML: unacceptable character #x0007: special characters are not allowed"
    )
    assert yaml_error(tmp_path, "a: b\n\tc: d\n").startswith("line 2: malformed YAML: found")


@pytest.mark.parametrize("pulumi", [False, True])
def test_yaml_nesting_is_limited_in_flow_and_block_style(tmp_path, pulumi):
    limit = inputfiles.MAX_DEPTH
    flow = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    assert yaml_error(tmp_path, flow, pulumi=pulumi) == "nested more than 100 levels"
    block = "".join(f"{'  ' * i}k{i}:\n" for i in range(limit + 1)) + "  " * (limit + 1) + "v\n"
    assert yaml_error(tmp_path, block, pulumi=pulumi) == "nested more than 100 levels"
    at_limit = "a: " + "[" * (limit - 1) + "]" * (limit - 1) + "\n"
    assert load_yaml(write(tmp_path, at_limit), pulumi=pulumi) is not None


def test_yaml_aliases_cannot_loop_or_explode(tmp_path):
    assert yaml_error(tmp_path, "a: &x\n  b: *x\n") == (
        "line 2: an alias refers to a node that contains it"
    )
    bomb = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    assert yaml_error(tmp_path, "\n".join(bomb)) == (
        "line 6: aliases expand to more than 1,000,000 values"
    )
    shared = load_yaml(write(tmp_path, "base: &b {x: 1}\nuse: *b\nmerged: {<<: *b, y: 2}\n"))
    assert shared == {"base": {"x": 1}, "use": {"x": 1}, "merged": {"x": 1, "y": 2}}


@pytest.mark.parametrize("tag", ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]"])
def test_yaml_values_that_are_not_plain_data_are_refused(tmp_path, tag):
    assert yaml_error(tmp_path, f"a: {tag}\n").startswith(
        "line 1: malformed YAML: could not determine a constructor for the tag"
    )


def test_files_people_write_have_text_keys_and_know_their_lines(tmp_path):
    doc = load_yaml(write(tmp_path, "waivers:\n  - id: W-1\n    expires: 2027-01-31\n"))
    assert isinstance(doc, LineDict) and doc.line == 1
    assert doc["waivers"][0].line == 2
    assert doc["waivers"][0]["expires"] == dt.date(2027, 1, 31)
    assert yaml_error(tmp_path, "waivers:\n  - 1: x\n") == (
        "line 2: malformed YAML: a key must be text, found 1"
    )
    assert yaml_error(tmp_path, "2027-01-01: x\n").startswith(
        "line 1: malformed YAML: a key must be text, found datetime.date(2027, 1, 1)"
    )


def test_pulumi_files_read_dates_as_text_as_the_cli_does(tmp_path):
    doc = load_yaml(
        write(tmp_path, "config:\n  p:since: 2020-01-01\n  p:ports: {80: web}\n"), pulumi=True
    )
    assert doc == {"config": {"p:since": "2020-01-01", "p:ports": {80: "web"}}}
    assert not isinstance(doc, LineDict)
    json.dumps(doc)  # plain data: what the program receives is its JSON


# -- shapes ----------------------------------------------------------------------------------


def test_shape_helpers_name_the_file_and_what_was_found(tmp_path):
    path = tmp_path / "x.yaml"
    assert expect_mapping(path, {"a": 1}) == {"a": 1}
    with pytest.raises(InputError, match=rf"^{path}: expected a profile mapping, found a list$"):
        expect_mapping(path, [1], "a profile mapping")
    entry = LineDict(items=[{"a": 1}, 2])
    entry.line = 7
    with pytest.raises(InputError, match=rf"^{path}: line 7: 'items' must be a list of mappings$"):
        expect_mappings(path, entry["items"], "items", at=entry)
    assert expect_mappings(path, None, "items") == []
