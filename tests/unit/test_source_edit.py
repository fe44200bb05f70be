"""The source editor behind suggested fixes: minimal edits of one resource call, in the author's
layout, or a one-line reason why the source cannot be edited there."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from policies.source_edit import (
    NotEditable,
    Replacement,
    apply,
    changed_lines,
    edit_call,
    literal,
    unified_diff,
)


def edited(text: str, line: int, class_name: str, changes, **kw) -> str:
    """The program after the edit; it must still be Python."""
    out = apply(text, edit_call(text, line, class_name, changes, **kw))
    ast.parse(out)
    return out


def inputs(text: str, line: int) -> dict:
    """The literal keyword values of the first call starting at `line`, parsed back."""
    call = next(
        n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call) and n.lineno == line
    )
    skip = (ast.Name, ast.Attribute, ast.Call)
    return {
        kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if not isinstance(kw.value, skip)
    }


def refused(text: str, line: int, class_name: str, changes, **kw) -> str:
    with pytest.raises(NotEditable) as info:
        edit_call(text, line, class_name, changes, **kw)
    return str(info.value)


RDS = """import pulumi
import pulumi_aws as aws

db = aws.rds.Instance(
    "db",
    engine="postgres",
    storage_encrypted=False,
    backup_retention_period=-1,
)
"""


# --- a literal value is replaced where it stands ---------------------------------------------


def test_a_literal_value_is_replaced_in_place_and_nothing_else_moves():
    reps = edit_call(RDS, 4, "Instance", [(("storage_encrypted",), True)])
    assert reps == [Replacement(7, 23, 7, 28, "True")]
    assert apply(RDS, reps) == RDS.replace("storage_encrypted=False", "storage_encrypted=True")


def test_negative_numbers_and_strings_are_literals_too():
    out = edited(RDS, 4, "Instance", [(("backup_retention_period",), 7), (("engine",), "mysql")])
    assert inputs(out, 4) == {
        "engine": "mysql",
        "storage_encrypted": False,
        "backup_retention_period": 7,
    }
    assert '    engine="mysql",\n' in out and "    backup_retention_period=7,\n" in out


def test_a_value_in_parentheses_keeps_its_parentheses():
    text = 'aws.s3.BucketAcl("acl",\n                 acl=("public-read"))\n'
    assert edited(text, 1, "BucketAcl", [(("acl",), "private")]) == (
        'aws.s3.BucketAcl("acl",\n                 acl=("private"))\n'
    )


def test_columns_count_characters_not_utf8_bytes():
    text = 'aws.rds.Instance("db", identifier="données-é", storage_encrypted=False)\n'
    reps = edit_call(text, 1, "Instance", [(("storage_encrypted",), True)])
    assert reps == [Replacement(1, 66, 1, 71, "True")]
    assert apply(text, reps) == text.replace("=False", "=True")


# --- values the source computes are never guessed at -----------------------------------------


def test_a_computed_value_names_the_input_the_expression_and_the_line():
    text = RDS.replace("storage_encrypted=False", 'storage_encrypted=config.require_bool("enc")')
    message = refused(text, 4, "Instance", [(("storage_encrypted",), True)], file="__main__.py")
    assert message == (
        'storage_encrypted is computed (config.require_bool("enc")) at __main__.py:7: '
        "set it where it is computed"
    )


def test_an_f_string_is_not_a_literal_and_long_expressions_are_shortened():
    text = RDS.replace(
        'engine="postgres"', 'engine=f"{prefix}-postgres-engine-name-long" if x else y'
    )
    assert refused(text, 4, "Instance", [(("engine",), "mysql")]) == (
        'engine is computed (f"{prefix}-postgres-engine-name-long"...) at line 6: '
        "set it where it is computed"
    )


def test_a_module_constant_is_left_alone_since_other_code_may_use_it():
    text = "ENCRYPTED = False\n" + RDS.replace("=False", "=ENCRYPTED")
    assert refused(text, 5, "Instance", [(("storage_encrypted",), True)], file="app.py") == (
        "storage_encrypted is set from the variable ENCRYPTED at app.py:8: "
        "change it where ENCRYPTED is set (other code may use it)"
    )


def test_a_source_that_already_says_so_gets_no_edit_and_a_reason():
    text = RDS.replace("=False", "=True")
    assert refused(text, 4, "Instance", [(("storage_encrypted",), True)], file="m.py") == (
        "the source already sets storage_encrypted as wanted at m.py:4: the resource gets its "
        "values from elsewhere (a transformation, a default?)"
    )
    out = edited(text, 4, "Instance", [(("storage_encrypted",), True), (("engine",), "mysql")])
    assert out == text.replace('"postgres"', '"mysql"')


# --- an absent input is added in the call's own layout ---------------------------------------


def test_one_argument_per_line_with_a_trailing_comma_gets_a_new_line_with_a_comma():
    text = RDS.replace("    storage_encrypted=False,\n", "")
    out = edited(text, 4, "Instance", [(("storage_encrypted",), True)])
    assert out == (
        'import pulumi\nimport pulumi_aws as aws\n\ndb = aws.rds.Instance(\n    "db",\n'
        '    engine="postgres",\n    backup_retention_period=-1,\n'
        "    storage_encrypted=True,\n)\n"
    )


def test_one_argument_per_line_without_a_trailing_comma_adds_the_comma_to_the_last():
    text = 'b = aws.s3.Bucket(\n    "b",\n    force_destroy=True\n)\n'
    out = edited(text, 1, "Bucket", [(("acl",), "private"), (("versioning",), None)])
    assert out == (
        'b = aws.s3.Bucket(\n    "b",\n    force_destroy=True,\n    acl="private",\n'
        "    versioning=None\n)\n"
    )


def test_a_comment_after_the_last_argument_stays_on_its_line():
    text = 'b = aws.s3.Bucket(\n    "b",\n    force_destroy=True  # scratch data\n)\n'
    assert edited(text, 1, "Bucket", [(("acl",), "private")]) == (
        'b = aws.s3.Bucket(\n    "b",\n    force_destroy=True,  # scratch data\n'
        '    acl="private"\n)\n'
    )


def test_comments_between_arguments_are_kept():
    text = (
        'b = aws.s3.Bucket(\n    "b",  # the name\n    # the ACL, for now\n    acl="public-read",'
        "  # TODO, fix\n    # more later\n)\n"
    )
    out = edited(text, 1, "Bucket", [(("acl",), "private"), (("force_destroy",), False)])
    assert out == (
        'b = aws.s3.Bucket(\n    "b",  # the name\n    # the ACL, for now\n    acl="private",'
        "  # TODO, fix\n    force_destroy=False,\n    # more later\n)\n"
    )


def test_hanging_indentation_is_followed():
    text = 'logs = aws.s3.Bucket("logs",\n                     force_destroy=True)\n'
    assert edited(text, 1, "Bucket", [(("acl",), "private")]) == (
        'logs = aws.s3.Bucket("logs",\n                     force_destroy=True,\n'
        '                     acl="private")\n'
    )


def test_a_single_line_call_gets_the_keyword_before_its_parenthesis():
    text = 'b = aws.s3.Bucket("b", force_destroy=True)  # keep\n'
    assert edited(text, 1, "Bucket", [(("acl",), "private"), (("tags",), {"team": "x"})]) == (
        'b = aws.s3.Bucket("b", force_destroy=True, acl="private", tags={"team": "x"})  # keep\n'
    )
    trailing = 'b = aws.s3.Bucket("b",)\n'
    assert edited(trailing, 1, "Bucket", [(("acl",), "private")]) == (
        'b = aws.s3.Bucket("b", acl="private",)\n'
    )


def test_a_crlf_file_keeps_its_line_ends():
    text = 'b = aws.s3.Bucket(\r\n    "b",\r\n)\r\n'
    assert edited(text, 1, "Bucket", [(("acl",), "private")]) == (
        'b = aws.s3.Bucket(\r\n    "b",\r\n    acl="private",\r\n)\r\n'
    )


def test_inputs_through_kwargs_cannot_get_a_new_keyword_but_present_ones_are_edited():
    text = 'aws.s3.Bucket("b", **common, acl="public-read")\n'
    assert refused(text, 1, "Bucket", [(("force_destroy",), False)], file="m.py") == (
        "force_destroy is not set and the inputs come through **common at m.py:1: set it there"
    )
    assert edited(text, 1, "Bucket", [(("acl",), "private")]) == text.replace(
        "public-read", "private"
    )


# --- nested inputs ----------------------------------------------------------------------------

EC2 = 'web = aws.ec2.Instance(\n    "web",\n    ami="ami-1",\n)\n'


def test_an_absent_outer_input_gets_one_dict_literal_with_every_key():
    out = edited(
        EC2,
        1,
        "Instance",
        [
            (("metadata_options", "http_tokens"), "required"),
            (("metadata_options", "http_endpoint"), "enabled"),
        ],
    )
    assert out == (
        'web = aws.ec2.Instance(\n    "web",\n    ami="ami-1",\n'
        '    metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},\n)\n'
    )
    assert inputs(out, 1)["metadata_options"] == {
        "http_tokens": "required",
        "http_endpoint": "enabled",
    }


def test_deeper_nesting_builds_nested_dicts_and_a_dict_value_is_set_key_by_key():
    text = 'aws.s3.BucketServerSideEncryptionConfiguration("enc", bucket=b.id)\n'
    out = edited(
        text,
        1,
        "BucketServerSideEncryptionConfiguration",
        [(("rule",), {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}})],
    )
    assert out == (
        'aws.s3.BucketServerSideEncryptionConfiguration("enc", bucket=b.id, '
        'rule={"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}})\n'
    )


def test_a_dict_literal_is_edited_and_extended_in_its_layout():
    text = (
        'web = aws.ec2.Instance(\n    "web",\n    metadata_options={\n'
        '        "http_tokens": "optional",\n        "http_endpoint": "enabled",\n    },\n)\n'
    )
    out = edited(
        text,
        1,
        "Instance",
        [
            (("metadata_options", "http_tokens"), "required"),
            (("metadata_options", "http_put_response_hop_limit"), 1),
        ],
    )
    assert out == (
        'web = aws.ec2.Instance(\n    "web",\n    metadata_options={\n'
        '        "http_tokens": "required",\n        "http_endpoint": "enabled",\n'
        '        "http_put_response_hop_limit": 1,\n    },\n)\n'
    )


def test_a_camel_case_dict_is_matched_and_extended_in_camel_case():
    text = (
        'aws.ec2.Instance("web", metadata_options={"httpEndpoint": "enabled", '
        '"httpTokens": "optional"})\n'
    )
    out = edited(
        text,
        1,
        "Instance",
        [
            (("metadata_options", "http_tokens"), "required"),
            (("metadata_options", "instance_metadata_tags"), "disabled"),
        ],
    )
    assert out == (
        'aws.ec2.Instance("web", metadata_options={"httpEndpoint": "enabled", '
        '"httpTokens": "required", "instanceMetadataTags": "disabled"})\n'
    )


def test_an_args_call_is_edited_and_extended_and_an_empty_one_filled():
    text = (
        'web = aws.ec2.Instance("web",\n'
        '    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="optional"),\n'
        "    root_block_device=aws.ec2.InstanceRootBlockDeviceArgs())\n"
    )
    out = edited(
        text,
        1,
        "Instance",
        [
            (("metadata_options", "http_tokens"), "required"),
            (("metadata_options", "http_endpoint"), "enabled"),
            (("root_block_device", "encrypted"), True),
        ],
    )
    assert out == (
        'web = aws.ec2.Instance("web",\n'
        '    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required", '
        'http_endpoint="enabled"),\n'
        "    root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True))\n"
    )


def test_an_outer_none_is_replaced_by_the_dict():
    text = 'aws.ec2.Instance("web", metadata_options=None)\n'
    assert edited(text, 1, "Instance", [(("metadata_options", "http_tokens"), "required")]) == (
        'aws.ec2.Instance("web", metadata_options={"http_tokens": "required"})\n'
    )


def test_a_nested_input_under_a_computed_value_is_refused():
    text = 'aws.ec2.Instance("web", metadata_options=make_options())\n'
    assert refused(text, 1, "Instance", [(("metadata_options", "http_tokens"), "required")]) == (
        "metadata_options is computed (make_options()) at line 1: set it where it is computed"
    )


# --- list indices -----------------------------------------------------------------------------

DEVICES = (
    'web = aws.ec2.Instance(\n    "web",\n    ebs_block_devices=[\n'
    '        aws.ec2.InstanceEbsBlockDeviceArgs(device_name="/dev/sdf"),\n'
    '        {"device_name": "/dev/sdg", "encrypted": False},\n    ],\n)\n'
)


def test_list_elements_are_edited_by_index_whatever_their_form():
    out = edited(
        DEVICES,
        1,
        "Instance",
        [
            (("ebs_block_devices", 0, "encrypted"), True),
            (("ebs_block_devices", 1, "encrypted"), True),
        ],
    )
    assert out == (
        'web = aws.ec2.Instance(\n    "web",\n    ebs_block_devices=[\n'
        '        aws.ec2.InstanceEbsBlockDeviceArgs(device_name="/dev/sdf", encrypted=True),\n'
        '        {"device_name": "/dev/sdg", "encrypted": True},\n    ],\n)\n'
    )


def test_rules_zero_of_an_encryption_configuration():
    text = (
        'aws.s3.BucketServerSideEncryptionConfiguration(\n    "enc",\n    bucket=b.id,\n'
        '    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],\n)\n'
    )
    path = ("rules", 0, "apply_server_side_encryption_by_default", "sse_algorithm")
    out = edited(text, 1, "BucketServerSideEncryptionConfiguration", [(path, "aws:kms")])
    assert out == text.replace('"AES256"', '"aws:kms"')


def test_a_missing_element_or_a_list_that_is_not_written_out_is_refused():
    change = [(("ebs_block_devices", 2, "encrypted"), True)]
    assert refused(DEVICES, 1, "Instance", change, file="m.py") == (
        "ebs_block_devices[2] is not in the list at m.py:3: there is no element 2 to change"
    )
    computed = 'aws.ec2.Instance("web", ebs_block_devices=devices)\n'
    assert refused(computed, 1, "Instance", change) == (
        "ebs_block_devices is set from the variable devices at line 1: "
        "change it where devices is set (other code may use it)"
    )
    absent = 'aws.ec2.Instance("web")\n'
    assert refused(absent, 1, "Instance", change) == (
        "ebs_block_devices is not set at line 1: there is no element 2 to change"
    )
    starred = 'aws.ec2.Instance("web", ebs_block_devices=[*base, {"encrypted": False}])\n'
    assert refused(starred, 1, "Instance", [(("ebs_block_devices", 1, "encrypted"), True)]) == (
        "ebs_block_devices[1] is not in the list at line 1: there is no element 1 to change"
    )


# --- several changes on one call --------------------------------------------------------------


def test_four_public_access_flags_some_present_some_absent_make_one_coherent_edit():
    text = (
        'block = aws.s3.BucketPublicAccessBlock(\n    "block",\n    bucket=bucket.id,\n'
        "    block_public_acls=False,\n    ignore_public_acls=True,\n)\n"
    )
    flags = [
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ]
    reps = edit_call(text, 1, "BucketPublicAccessBlock", [((f,), True) for f in flags])
    assert reps == [
        Replacement(4, 23, 4, 28, "True"),
        Replacement(
            6, 1, 6, 1, "    block_public_policy=True,\n    restrict_public_buckets=True,\n"
        ),
    ]
    out = apply(text, reps)
    assert inputs(out, 1) == dict.fromkeys(
        ["block_public_acls", "ignore_public_acls", *flags[1::2]], True
    )
    assert out == (
        'block = aws.s3.BucketPublicAccessBlock(\n    "block",\n    bucket=bucket.id,\n'
        "    block_public_acls=True,\n    ignore_public_acls=True,\n"
        "    block_public_policy=True,\n    restrict_public_buckets=True,\n)\n"
    )
    assert changed_lines(text, reps) == (
        4,
        6,
        "    block_public_acls=True,\n    ignore_public_acls=True,\n"
        "    block_public_policy=True,\n    restrict_public_buckets=True,\n)",
    )


def test_contradicting_changes_are_a_caller_error():
    with pytest.raises(ValueError, match="acl is changed twice"):
        edit_call(RDS, 4, "Instance", [(("acl",), "a"), (("acl",), "b")])
    with pytest.raises(ValueError, match="metadata_options is changed both whole and in part"):
        edit_call(
            RDS, 4, "Instance", [(("metadata_options",), None), (("metadata_options", "x"), 1)]
        )


# --- finding the call -------------------------------------------------------------------------


def test_the_call_is_found_by_its_first_line_and_class_name_among_others_on_that_line():
    text = 'pulumi.export("db", aws.rds.Instance("db", storage_encrypted=False).id)\n'
    assert edited(text, 1, "Instance", [(("storage_encrypted",), True)]) == text.replace(
        "False", "True"
    )
    two = 'a = aws.s3.Bucket("a"); p = aws.s3.BucketPolicy("p", bucket="a")\n'
    assert edited(two, 1, "Bucket", [(("acl",), "private")]) == (
        'a = aws.s3.Bucket("a", acl="private"); p = aws.s3.BucketPolicy("p", bucket="a")\n'
    )


def test_two_calls_of_the_class_on_one_line_or_none_are_refused():
    two = 'a = aws.s3.Bucket("a"); b = aws.s3.Bucket("b")\n'
    assert refused(two, 1, "Bucket", [(("acl",), "private")], file="m.py") == (
        "2 calls of Bucket start at m.py:1: cannot tell which one declares the resource"
    )
    assert refused(two, 1, "Instance", [(("acl",), "private")]) == (
        "no call of Instance starts at line 1"
    )
    assert refused("x = (\n", 1, "Bucket", [(("acl",), "x")], file="m.py") == (
        "m.py does not parse ('(' was never closed)"
    )


def test_a_class_imported_under_another_name_is_found():
    text = 'from pulumi_aws.rds import Instance as Database\n\ndb = Database("db")\n'
    assert edited(text, 3, "Instance", [(("storage_encrypted",), True)]) == (
        "from pulumi_aws.rds import Instance as Database\n\n"
        'db = Database("db", storage_encrypted=True)\n'
    )


def test_inputs_in_an_args_object_are_edited_there():
    positional = 'aws.rds.Instance("db", aws.rds.InstanceArgs(engine="postgres"), opts=o)\n'
    assert edited(positional, 1, "Instance", [(("storage_encrypted",), True)]) == (
        'aws.rds.Instance("db", aws.rds.InstanceArgs(engine="postgres", storage_encrypted=True), '
        "opts=o)\n"
    )
    keyword = 'aws.rds.Instance("db", args=aws.rds.InstanceArgs(), opts=o)\n'
    assert edited(keyword, 1, "Instance", [(("storage_encrypted",), True)]) == (
        'aws.rds.Instance("db", args=aws.rds.InstanceArgs(storage_encrypted=True), opts=o)\n'
    )
    options = 'aws.rds.Instance("db", pulumi.ResourceOptions(protect=True), engine="postgres")\n'
    assert edited(options, 1, "Instance", [(("storage_encrypted",), True)]) == (
        'aws.rds.Instance("db", pulumi.ResourceOptions(protect=True), engine="postgres", '
        "storage_encrypted=True)\n"
    )


def test_inputs_from_a_variable_or_star_args_are_refused():
    text = 'aws.rds.Instance("db", db_args)\n'
    assert refused(text, 1, "Instance", [(("storage_encrypted",), True)], file="m.py") == (
        "the inputs of Instance at m.py:1 come through db_args: set them there"
    )
    star = "aws.rds.Instance(*spec)\n"
    assert refused(star, 1, "Instance", [(("storage_encrypted",), True)]) == (
        "the inputs of Instance at line 1 come through *spec: set them there"
    )


# --- literal, apply, changed lines, diff ------------------------------------------------------


def test_literal_writes_json_values_as_python():
    assert literal(True) == "True" and literal(None) == "None" and literal(-3) == "-3"
    assert literal(2.5) == "2.5"
    assert literal('say "hi"\\\n\té') == '"say \\"hi\\"\\\\\\n\\té"'
    assert literal({"a": [1, "b", False], "c": {}}) == '{"a": [1, "b", False], "c": {}}'
    assert ast.literal_eval(literal('it\'s "x"\u2028')) == 'it\'s "x"\u2028'
    with pytest.raises(ValueError, match=r"\{1\} is not a JSON value"):
        literal({1})
    with pytest.raises(ValueError, match="nan is not a JSON value"):
        literal(float("nan"))


def test_apply_refuses_overlaps_and_puts_an_insertion_before_a_replacement_at_its_point():
    text = "abcdef\n"
    assert apply(text, [Replacement(1, 3, 1, 5, "XY"), Replacement(1, 3, 1, 3, "+")]) == "ab+XYef\n"
    with pytest.raises(ValueError, match="two replacements overlap at line 1"):
        apply(text, [Replacement(1, 2, 1, 4, "x"), Replacement(1, 3, 1, 5, "y")])
    with pytest.raises(ValueError, match="column 9 is outside line 1"):
        apply(text, [Replacement(1, 9, 1, 9, "x")])


def test_changed_lines_of_a_one_line_edit_and_of_an_insertion():
    reps = edit_call(RDS, 4, "Instance", [(("storage_encrypted",), True)])
    assert changed_lines(RDS, reps) == (7, 7, "    storage_encrypted=True,")
    text = 'b = aws.s3.Bucket(\n    "b",\n    force_destroy=True\n)\n'
    reps = edit_call(text, 1, "Bucket", [(("acl",), "private")])
    assert changed_lines(text, reps) == (3, 3, '    force_destroy=True,\n    acl="private"')


def test_unified_diff_text():
    before = "a\nb\nc\n"
    assert unified_diff("app/__main__.py", before, "a\nB\nc\n") == (
        "--- a/app/__main__.py\n+++ b/app/__main__.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    )
    assert unified_diff("x.py", before, before) == ""
    assert unified_diff("x.py", "a", "b") == (
        "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n"
        "+b\n\\ No newline at end of file\n"
    )


@pytest.mark.parametrize("ending", ["\n", ""])
def test_the_diff_applies_with_git_and_patch(tmp_path: Path, ending: str):
    before = RDS.replace("    storage_encrypted=False,\n", "") + "\n# the end" + ending
    after = apply(before, edit_call(before, 4, "Instance", [(("storage_encrypted",), True)]))
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__main__.py").write_text(before, encoding="utf-8", newline="")
    (tmp_path / "fix.patch").write_text(unified_diff("app/__main__.py", before, after), newline="")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "--check", "fix.patch"], cwd=tmp_path, check=True)
    if shutil.which("patch"):
        subprocess.run(
            ["patch", "-p1", "--dry-run", "-s", "-i", "fix.patch"], cwd=tmp_path, check=True
        )
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "app" / "__main__.py").read_bytes().decode() == after


# --- more layouts -----------------------------------------------------------------------------


def test_a_trailing_comma_on_the_closing_line_and_a_multi_line_last_argument():
    text = 'b = aws.s3.Bucket(\n    "b",\n    acl="private",)\n'
    assert edited(text, 1, "Bucket", [(("force_destroy",), False)]) == (
        'b = aws.s3.Bucket(\n    "b",\n    acl="private",\n    force_destroy=False,)\n'
    )
    text = 'def f():\n    b = aws.s3.Bucket(\n        "b",\n        tags={\n            "a": "b",\n'
    text += "        })\n"
    assert edited(text, 2, "Bucket", [(("acl",), "private")]) == (
        'def f():\n    b = aws.s3.Bucket(\n        "b",\n        tags={\n            "a": "b",\n'
        '        },\n        acl="private")\n'
    )


def test_empty_dicts_and_dict_calls_are_filled_in_place():
    text = 'aws.ec2.Instance("web", metadata_options={}, root_block_device=dict(volume_size=8))\n'
    out = edited(
        text,
        1,
        "Instance",
        [
            (("metadata_options", "http_tokens"), "required"),
            (("root_block_device", "encrypted"), True),
        ],
    )
    assert out == (
        'aws.ec2.Instance("web", metadata_options={"http_tokens": "required"}, '
        "root_block_device=dict(volume_size=8, encrypted=True))\n"
    )


def test_a_multi_line_args_call_inside_the_resource_keeps_its_own_layout():
    text = (
        'web = aws.ec2.Instance(\n    "web",\n'
        "    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(\n"
        '        http_endpoint="enabled",\n    ),\n)\n'
    )
    assert edited(text, 1, "Instance", [(("metadata_options", "http_tokens"), "required")]) == (
        'web = aws.ec2.Instance(\n    "web",\n'
        "    metadata_options=aws.ec2.InstanceMetadataOptionsArgs(\n"
        '        http_endpoint="enabled",\n        http_tokens="required",\n    ),\n)\n'
    )


def test_a_dict_spread_hides_absent_keys():
    text = 'aws.ec2.Instance("web", metadata_options={**base, "http_endpoint": "enabled"})\n'
    change = [(("metadata_options", "http_tokens"), "required")]
    assert refused(text, 1, "Instance", change) == (
        "metadata_options.http_tokens is not set and the inputs come through **base at line 1: "
        "set it there"
    )


def test_the_comment_case_is_two_insertions_on_one_line_and_one_suggested_line():
    text = 'b = aws.s3.Bucket(\n    "b",\n    force_destroy=True  # scratch\n)\n'
    reps = edit_call(text, 1, "Bucket", [(("acl",), "private")])
    assert reps == [
        Replacement(3, 23, 3, 23, ","),
        Replacement(3, 34, 3, 34, '\n    acl="private"'),
    ]
    assert changed_lines(text, reps) == (
        3,
        3,
        '    force_destroy=True,  # scratch\n    acl="private"',
    )


def test_bad_paths_are_a_caller_error():
    with pytest.raises(ValueError, match="a path holds names and list indices only"):
        edit_call(RDS, 4, "Instance", [(("ebs_block_devices", -1, "encrypted"), True)])
    with pytest.raises(ValueError, match="a change's path starts with an input name"):
        edit_call(RDS, 4, "Instance", [((0,), True)])
    with pytest.raises(ValueError, match="rules is changed both as a list and as a map"):
        edit_call(RDS, 4, "Instance", [(("rules", 0), {"a": 1}), (("rules", "a"), 1)])
