"""The table of input-level fixes (`checks/fixes.yaml`): its checks are real and read its types,
it agrees with the hardening transform (stacks/hardening_rules.py) pair by pair on varied
inputs, it never decides on a value it cannot see, and a malformed table fails to load with one
message naming the file."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

from checks.fixes import (
    EachRule,
    FixTableError,
    InputChange,
    fix_table,
    fixable,
    input_fix,
    load_fix_table,
)
from checks.library import build_registry
from checks.sources.property_names import camel_to_snake
from checks.values import SECRET, UNKNOWN, MadeUp, Secret, Unread

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "stacks"))
import hardening_rules  # noqa: E402

RDS, CLUSTER = "aws:rds/instance:Instance", "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
EC2, LT = "aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"
TABLE, TRAIL = "aws:dynamodb/table:Table", "aws:cloudtrail/trail:Trail"
LBS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
BUCKET, PAB = "aws:s3/bucket:Bucket", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PASSWORDS = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
SSE_DEFAULT = "apply_server_side_encryption_by_default"


def _nested(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _nested(rest, value) if rest else value}


def _flags(path: str, *, off: bool = False) -> list[dict[str, Any]]:
    """Unset, on, off, the text "true"/"false" (and 1 for an on flag: true only as a boolean),
    and a null parent block for a nested flag."""
    odd = ("false",) if off else ("true", 1)
    cases = [{}, *(_nested(path, v) for v in (True, False, *odd))]
    if "." in path:
        cases.append({path.split(".")[0]: None})
    return cases


def _devices(*flags: Any) -> list[dict[str, Any]]:
    return [
        {"device_name": f"/dev/sd{chr(98 + n)}", **({} if f == "-" else {"encrypted": f})}
        for n, f in enumerate(flags)
    ]


def _mappings(*flags: Any) -> list[dict[str, Any]]:
    """Launch template mappings: "store" is an instance-store device (no ebs block)."""
    return [
        {"device_name": f"/dev/sd{chr(98 + n)}", "virtual_name": "ephemeral0"}
        if f == "store"
        else {"device_name": f"/dev/sd{chr(98 + n)}", "ebs": {} if f == "-" else {"encrypted": f}}
        for n, f in enumerate(flags)
    ]


def _sse(*algorithms: Any, key: Any = "-") -> dict[str, Any]:
    return {
        "rules": [
            {
                **({} if a is None else {SSE_DEFAULT: {"sse_algorithm": a}}),
                **({} if key == "-" else {"bucket_key_enabled": key}),
            }
            for a in algorithms
        ]
    }


_ENGINES = ("postgres", "aurora-mysql", "oracle-ee", "sqlserver-ex", "mariadb", "aurora-postgresql")
_IAM = [
    {"engine": e, "iam_database_authentication_enabled": f} for e in _ENGINES for f in (True, None)
]
_ACLS = ["public-read", "private", "authenticated-read", "log-delivery-write", "public-read-write"]
_LB_TYPES = [None, "application", "network", "gateway"]
_PAB_CASES = [
    {},
    dict.fromkeys(
        (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ),
        True,
    ),
    {"block_public_acls": True, "block_public_policy": False, "ignore_public_acls": "true"},
]
_LISTENER_CASES = [
    {},
    {"protocol": "HTTP"},
    {"protocol": "HTTPS"},
    {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-2016-08"},
    {"protocol": "TLS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"},
    {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-FS-1-2-Res-2020-10"},
    {"protocol": "TCP", "ssl_policy": "ELBSecurityPolicy-2016-08"},
]
_STRONG = {
    "minimum_password_length": 14,
    "password_reuse_prevention": 24,
    "require_lowercase_characters": True,
    "require_uppercase_characters": True,
    "require_numbers": True,
    "require_symbols": True,
    "max_password_age": 90,
}

# (check id, type) -> the props (snake_case) both sides judge.
CASES: dict[tuple[str, str], list[dict[str, Any]]] = {
    **{("rds_storage_encrypted_cmk", t): _flags("storage_encrypted") for t in (RDS, CLUSTER)},
    **{
        ("rds_instance_not_public", t): [*_flags("publicly_accessible", off=True)]
        for t in (RDS, CLUSTER_INSTANCE)
    },
    ("rds_instance_deletion_protection", RDS): _flags("deletion_protection"),
    ("rds_cluster_deletion_protection", CLUSTER): _flags("deletion_protection"),
    **{
        ("rds_backup_retention_7_days", t): [
            *({"backup_retention_period": d} for d in (None, 0, 6, 6.0, 7, 35, "3", "7")),
            {"backup_retention_period": 1, "replicate_source_db": "arn:aws:rds:::db:main"},
            {"backup_retention_period": 1, "replicate_source_db": ""},
            {"replicate_source_db": "main"},
        ]
        for t in (RDS, CLUSTER)
    },
    **{
        ("rds_auto_minor_version_upgrade", t): _flags("auto_minor_version_upgrade")
        for t in (RDS, CLUSTER_INSTANCE)
    },
    **{("rds_iam_authentication", t): [{}, *_IAM] for t in (RDS, CLUSTER)},
    ("kms_key_rotation_enabled", "aws:kms/key:Key"): [
        *_flags("enable_key_rotation"),
        *(
            {"customer_master_key_spec": s, "enable_key_rotation": f}
            for s in ("SYMMETRIC_DEFAULT", "RSA_2048", "HMAC_256", "")
            for f in (False, True)
        ),
    ],
    **{
        ("ec2_imdsv2_required", t): [
            *_flags("metadata_options.http_tokens"),
            *({"metadata_options": {"http_tokens": v}} for v in ("optional", "required")),
            {"metadata_options": {"http_endpoint": "disabled"}},
            {"metadata_options": {"http_endpoint": "disabled", "http_tokens": "optional"}},
            {"metadata_options": {"http_endpoint": "enabled", "http_put_response_hop_limit": 1}},
        ]
        for t in (EC2, LT)
    },
    ("ec2_block_devices_encrypted", EC2): [
        {},
        {"root_block_device": None},
        {"root_block_device": {"volume_size": 20}},
        {"root_block_device": {"encrypted": True}},
        {"root_block_device": {"encrypted": "true"}, "ebs_block_devices": _devices(True, True)},
        {"ebs_block_devices": _devices(True, "-", False, True)},
        {"root_block_device": {"encrypted": False}, "ebs_block_devices": _devices("-")},
        {"ebs_block_devices": []},
        {"ebs_block_devices": [None, "/dev/sdx", {"encrypted": False}]},
    ],
    ("ec2_block_devices_encrypted", LT): [
        {},
        {"block_device_mappings": []},
        {"block_device_mappings": _mappings("-", "store", "true", "false", True, "True")},
        {"block_device_mappings": _mappings("true", True, "store")},
        {"block_device_mappings": _mappings(False, None)},
    ],
    ("ec2_instance_no_public_ip", EC2): [*_flags("associate_public_ip_address", off=True)],
    ("ebs_volume_encrypted", "aws:ebs/volume:Volume"): _flags("encrypted"),
    ("subnet_no_auto_public_ip", "aws:ec2/subnet:Subnet"): _flags(
        "map_public_ip_on_launch", off=True
    ),
    **{
        ("s3_bucket_public_access_blocked", t): [{}, *({"acl": a} for a in _ACLS)]
        for t in (BUCKET, "aws:s3/bucketAcl:BucketAcl")
    },
    ("s3_bucket_public_access_blocked", PAB): _PAB_CASES,
    ("s3_account_public_access_block", ACCOUNT_PAB): _PAB_CASES,
    ("s3_bucket_versioning_enabled", BUCKET): [
        *_flags("versioning.enabled"),
        {"versioning": {"mfa_delete": False}},
    ],
    ("s3_bucket_versioning_enabled", BUCKET_VERSIONING): [
        {},
        {"versioning_configuration": {"mfa_delete": "Disabled"}},
        *({"versioning_configuration": {"status": s}} for s in ("Suspended", "Enabled", "Off")),
    ],
    ("s3_bucket_sse_kms", SSE): [
        {},
        _sse("AES256"),
        _sse("aws:kms", key=False),
        _sse("AES256", key=True),
        _sse("AES256", "aws:kms", None, "AES256", "aws:kms:dsse"),
    ],
    ("s3_bucket_acls_disabled", "aws:s3/bucketOwnershipControls:BucketOwnershipControls"): [
        {},
        {"rule": {}},
        *(
            {"rule": {"object_ownership": o}}
            for o in ("ObjectWriter", "BucketOwnerPreferred", "BucketOwnerEnforced")
        ),
    ],
    ("dynamodb_pitr_enabled", TABLE): _flags("point_in_time_recovery.enabled"),
    ("dynamodb_encrypted_cmk", TABLE): [
        *_flags("server_side_encryption.enabled"),
        {"server_side_encryption": {"enabled": True, "kms_key_arn": "arn:aws:kms:::key/1"}},
    ],
    ("dynamodb_deletion_protection", TABLE): _flags("deletion_protection_enabled"),
    ("log_group_retention", "aws:cloudwatch/logGroup:LogGroup"): [
        {"retention_in_days": d} for d in (None, 0, 1, 30, 364, 365, 3653, "90", "0")
    ],
    ("cloudtrail_log_file_validation", TRAIL): _flags("enable_log_file_validation"),
    ("cloudtrail_multi_region", TRAIL): _flags("is_multi_region_trail"),
    **{("lb_deletion_protection", t): _flags("enable_deletion_protection") for t in LBS},
    **{
        ("alb_drop_invalid_headers", t): [
            {"load_balancer_type": k, "drop_invalid_header_fields": f}
            for k in _LB_TYPES
            for f in (None, False, True)
        ]
        for t in LBS
    },
    **{("lb_listener_tls", t): _LISTENER_CASES for t in LISTENERS},
    ("sqs_queue_encrypted", "aws:sqs/queue:Queue"): [
        *_flags("sqs_managed_sse_enabled"),
        {"kms_master_key_id": "alias/aws/sqs"},
        {"kms_master_key_id": "", "sqs_managed_sse_enabled": False},
    ],
    ("iam_password_policy_strong", PASSWORDS): [
        {},
        _STRONG,
        {**_STRONG, "max_password_age": 0},
        {**_STRONG, "max_password_age": 91},
        {**_STRONG, "max_password_age": 1, "minimum_password_length": 13},
        {**_STRONG, "password_reuse_prevention": 23, "require_lowercase_characters": None},
        {"minimum_password_length": 8, "require_symbols": False, "require_numbers": "true"},
    ],
}


def _camel(value: Any) -> Any:
    """Props as the engine hands them to the transform: camelCase names at every level (the
    transform's S3 encryption rule reads the blocks inside `rules` by their camelCase names
    only, so snake_case props alone would not exercise it)."""
    if isinstance(value, dict):
        return {
            k.split("_")[0] + "".join(p.title() for p in k.split("_")[1:]): _camel(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _snake(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel_to_snake(k): _snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


def _hardened(check_id: str, type_: str, props: dict[str, Any]) -> tuple[Any, set[tuple]]:
    """The props after the transform's rule, and the (snake) paths it set."""
    data = hardening_rules.Props(copy.deepcopy(props))
    paths = set()
    for path, value, _reason in hardening_rules.RULES[check_id][type_](data):
        data.set(path, value)
        paths.add(tuple(camel_to_snake(part) for part in path.split(".")))
    return _snake(data.data), paths


def _set(data: Any, path: tuple, value: Any) -> None:
    *parents, leaf = path
    for part in parents:
        if isinstance(part, str) and data.get(part) is None:
            data[part] = {}
        data = data[part]
    data[leaf] = value


def _tabled(check_id: str, type_: str, props: dict[str, Any]) -> tuple[Any, list[InputChange]]:
    data = copy.deepcopy(props)
    changes = input_fix(check_id, type_, props)
    assert changes is not None
    for change in changes:
        _set(data, change.path, change.value)
    return data, changes


def _up_to_list(path: tuple) -> tuple:
    """A table path as the transform names the input: a list is set whole."""
    ints = [n for n, part in enumerate(path) if isinstance(part, int)]
    return path[: ints[0]] if ints else path


def test_every_check_is_a_check_of_the_library_that_reads_its_types():
    registry = build_registry()
    for check_id, types in fixable().items():
        chk = registry.get(check_id)
        assert chk is not None, f"{check_id} is not a check of the library"
        assert types <= chk.types_read, f"{check_id} reads none of {sorted(types - chk.types_read)}"


def test_the_table_covers_exactly_the_pairs_of_the_hardening_transform():
    hardening = {(c, t) for c, by_type in hardening_rules.RULES.items() for t in by_type}
    table = {(c, t) for c, types in fixable().items() for t in types}
    assert len(hardening) == 42
    assert table == hardening
    assert set(CASES) == hardening


@pytest.mark.parametrize("pair", sorted(CASES), ids="{0[0]}-{0[1]}".format)
def test_the_table_makes_the_changes_the_transform_makes(pair):
    check_id, type_ = pair
    for props in CASES[pair]:
        tabled, changes = _tabled(check_id, type_, props)
        # The engine's camelCase names, and the snake_case ones `Props` reads as well.
        for given in (_camel(props), props) if type_ != SSE else (_camel(props),):
            hardened, paths = _hardened(check_id, type_, given)
            assert tabled == hardened, (given, changes)
            assert {_up_to_list(c.path) for c in changes} == paths, (given, changes)


def test_the_cases_exercise_both_verdicts_of_every_pair():
    for pair, cases in CASES.items():
        changed = [bool(input_fix(*pair, props)) for props in cases]
        assert True in changed and False in changed, pair


def test_constants_shared_with_the_transform_agree():
    (listener,) = fix_table()["lb_listener_tls"][LISTENERS[0]]
    assert listener.value == hardening_rules.TLS_POLICY
    assert set(listener.ok) == hardening_rules.TLS12_POLICIES
    (acl,) = fix_table()["s3_bucket_public_access_blocked"][BUCKET]
    assert set(dict(acl.when)[("acl",)]) == hardening_rules.PUBLIC_CANNED_ACLS
    (iam,) = fix_table()["rds_iam_authentication"][RDS]
    assert set(dict(iam.when)[("engine",)]) == set(hardening_rules.IAM_AUTH_ENGINES)
    (logs,) = fix_table()["log_group_retention"]["aws:cloudwatch/logGroup:LogGroup"]
    assert logs.value == hardening_rules.MIN_LOG_RETENTION_DAYS == 365
    age = fix_table()["iam_password_policy_strong"][PASSWORDS][-1]
    assert (age.low, age.high, age.value) == (1, hardening_rules.MAX_PASSWORD_AGE_DAYS, 90)


def test_several_devices_get_one_change_each_for_those_not_encrypted():
    props = {"root_block_device": {"volume_size": 30}, "ebs_block_devices": _devices(True, "-", 0)}
    attached = "attached volume encrypted at rest"
    assert input_fix("ec2_block_devices_encrypted", EC2, props) == [
        InputChange(
            ("root_block_device", "encrypted"), True, None, "root volume encrypted at rest"
        ),
        InputChange(("ebs_block_devices", 1, "encrypted"), True, None, attached),
        InputChange(("ebs_block_devices", 2, "encrypted"), True, 0, attached),
    ]


def test_aes256_rules_move_to_kms_with_a_bucket_key_and_kms_rules_stay():
    changes = input_fix("s3_bucket_sse_kms", SSE, _sse("aws:kms", "AES256"))
    assert [(c.path, c.value, c.before) for c in changes] == [
        (("rules", 1, SSE_DEFAULT, "sse_algorithm"), "aws:kms", "AES256"),
        (("rules", 1, "bucket_key_enabled"), True, None),
    ]


@pytest.mark.parametrize(
    ("check_id", "type_", "props"),
    [
        (
            "rds_backup_retention_7_days",
            RDS,
            {"backup_retention_period": 0, "replicate_source_db": "main"},
        ),
        ("kms_key_rotation_enabled", "aws:kms/key:Key", {"customer_master_key_spec": "RSA_4096"}),
        ("alb_drop_invalid_headers", LBS[0], {"load_balancer_type": "network"}),
        (
            "lb_listener_tls",
            LISTENERS[1],
            {"protocol": "HTTP", "ssl_policy": "ELBSecurityPolicy-2016-08"},
        ),
        ("log_group_retention", "aws:cloudwatch/logGroup:LogGroup", {"retention_in_days": 0}),
        (
            "rds_iam_authentication",
            CLUSTER,
            {"engine": "aurora-postgresql", "iam_database_authentication_enabled": True},
        ),
    ],
)
def test_known_fix_with_nothing_to_change_is_an_empty_list(check_id, type_, props):
    assert input_fix(check_id, type_, props) == []


def test_a_check_or_type_the_table_does_not_know_has_no_fix():
    assert input_fix("rds_storage_encrypted_cmk", "aws:ebs/volume:Volume", {}) is None
    assert input_fix("iam_root_mfa_enabled", PASSWORDS, {}) is None
    assert fixable()["lb_listener_tls"] == frozenset(LISTENERS)


def test_password_age_outside_the_range_is_set_to_ninety_days():
    (change,) = input_fix(
        "iam_password_policy_strong", PASSWORDS, {**_STRONG, "max_password_age": 0}
    )
    assert change == InputChange(("max_password_age",), 90, 0, "passwords changed within 90 days")


# -- values the table cannot see -------------------------------------------------------------

HIDDEN = [UNKNOWN, SECRET, Secret(False), MadeUp(False), Unread("AccessDenied")]


@pytest.mark.parametrize("hidden", HIDDEN, ids=repr)
def test_a_hidden_value_is_never_decided_on(hidden):
    assert input_fix("rds_storage_encrypted_cmk", RDS, {"storage_encrypted": hidden}) == []
    # ... nor a condition on one, nor a block that is itself hidden
    assert input_fix("rds_iam_authentication", RDS, {"engine": hidden}) == []
    assert (
        input_fix("ec2_imdsv2_required", EC2, {"metadata_options": {"http_endpoint": hidden}}) == []
    )
    assert input_fix("ec2_imdsv2_required", EC2, {"metadata_options": hidden}) == []
    assert input_fix("ec2_block_devices_encrypted", EC2, {"ebs_block_devices": hidden}) == []
    assert input_fix("s3_bucket_sse_kms", SSE, _sse(hidden)) == []
    assert input_fix("s3_bucket_versioning_enabled", BUCKET, {"versioning": hidden}) == []
    held = {"versioning_configuration": {"status": [hidden]}}
    assert input_fix("s3_bucket_versioning_enabled", BUCKET_VERSIONING, held) == []


def test_a_hidden_value_stops_only_its_own_rule_or_element():
    props = {"root_block_device": {"encrypted": False, "kms_key_id": UNKNOWN}}
    props["ebs_block_devices"] = [{"encrypted": MadeUp(True)}, {"encrypted": False}, UNKNOWN]
    assert [(c.path, c.before) for c in input_fix("ec2_block_devices_encrypted", EC2, props)] == [
        (("root_block_device", "encrypted"), False),
        (("ebs_block_devices", 1, "encrypted"), False),
    ]
    weak = {**_STRONG, "minimum_password_length": Secret(8), "require_symbols": False}
    changes = input_fix("iam_password_policy_strong", PASSWORDS, weak)
    assert [c.path for c in changes] == [("require_symbols",)]


# -- the table's validation ------------------------------------------------------------------


def _table_file(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "fixes.yaml"
    path.write_text(
        f"version: 1\nfixes:\n  ebs_volume_encrypted:\n    aws:ebs/volume:Volume:\n{rules}"
    )
    return path


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        (
            "      - {path: encrypted, equals: true, reason: r, colour: red}\n",
            "ebs_volume_encrypted on aws:ebs/volume:Volume: rule 1: unknown keys ['colour']",
        ),
        (
            "      - {path: encrypted, reason: r}\n",
            "rule 1: needs exactly one of equals, at_least and within",
        ),
        (
            "      - {path: encrypted, equals: true, at_least: 2, reason: r}\n",
            "rule 1: needs exactly one of equals, at_least and within",
        ),
        ("      - {path: size, within: [1, 9], reason: r}\n", "rule 1: set goes with within"),
        (
            "      - {path: Encrypted, equals: true, reason: r}\n",
            "path must be a dotted snake_case",
        ),
        (
            "      - {each: devices, rules: [{path: encrypted, equal: true, reason: r}]}\n",
            "rule 1: each devices, rule 1: unknown keys ['equal']",
        ),
        ("      - {path: encrypted, equals: true}\n", "rule 1: reason must say"),
        ("      []\n", "expected a non-empty list of rules"),
    ],
)
def test_a_malformed_table_fails_with_one_message_naming_the_file(tmp_path, rules, problem):
    path = _table_file(tmp_path, rules)
    with pytest.raises(FixTableError) as raised:
        load_fix_table(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)


def test_an_unknown_top_level_key_fails(tmp_path):
    path = tmp_path / "fixes.yaml"
    path.write_text("version: 1\nfixes: {}\nfixez: {}\n")
    with pytest.raises(FixTableError, match=r"unknown top-level fields \['fixez'\]$"):
        load_fix_table(path)


def test_a_valid_table_file_drives_input_fix(tmp_path):
    path = _table_file(
        tmp_path, "      - each: disks\n        rules: [{path: enc, equals: sealed, reason: r}]\n"
    )
    table = load_fix_table(path)
    assert isinstance(table["ebs_volume_encrypted"]["aws:ebs/volume:Volume"][0], EachRule)
    props = {"disks": [{"enc": "open"}, {"enc": "sealed"}]}
    assert input_fix("ebs_volume_encrypted", "aws:ebs/volume:Volume", props, table=table) == [
        InputChange(("disks", 0, "enc"), "sealed", "open", "r")
    ]
