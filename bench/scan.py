"""Whole-command time of `safeguard scan`, side by side with a bare Pulumi mocks run.

For this repository's program and for generated programs of about 100, 1,000 and 4,000
resources, runs both commands several times (alternating) and prints the medians and our
overhead over the bare run. Target: under 25%.

    .venv/bin/python bench/scan.py [--runs N] [--sizes 100,1000,4000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAFEGUARD = Path(sys.executable).with_name("safeguard")

# Ten resources a unit, the mix a billing system has: data stores with their companions,
# keys, firewall rules and policies built from data sources.
UNIT = """
key{i} = aws.kms.Key("key{i}", enable_key_rotation=True, deletion_window_in_days=30)
bucket{i} = aws.s3.Bucket("docs{i}")
aws.s3.BucketServerSideEncryptionConfiguration("sse{i}", bucket=bucket{i}.id, rules=[{{
    "apply_server_side_encryption_by_default": {{"sse_algorithm": "aws:kms",
                                                 "kms_master_key_id": key{i}.arn}}}}])
aws.s3.BucketVersioning("ver{i}", bucket=bucket{i}.id,
                        versioning_configuration={{"status": "Enabled"}})
aws.s3.BucketPublicAccessBlock("pab{i}", bucket=bucket{i}.id, block_public_acls=True,
    block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketPolicy("tls{i}", bucket=bucket{i}.id, policy=aws.iam.get_policy_document_output(
    statements=[{{"effect": "Deny", "actions": ["s3:*"],
                 "principals": [{{"type": "*", "identifiers": ["*"]}}],
                 "resources": [bucket{i}.arn, bucket{i}.arn.apply(lambda a: a + "/*")],
                 "conditions": [{{"test": "Bool", "variable": "aws:SecureTransport",
                                 "values": ["false"]}}]}}]).json)
sg{i} = aws.ec2.SecurityGroup("sg{i}", vpc_id=vpc.id, description="app {i}")
aws.vpc.SecurityGroupIngressRule("in{i}", security_group_id=sg{i}.id, ip_protocol="tcp",
    from_port=443, to_port=443, cidr_ipv4="10.0.0.0/16")
aws.iam.Policy("pol{i}", policy=aws.iam.get_policy_document_output(statements=[{{
    "actions": ["s3:GetObject"], "resources": [bucket{i}.arn.apply(lambda a: a + "/*")]}}]).json)
aws.rds.Instance("db{i}", engine="postgres", instance_class="db.t3.micro",
    allocated_storage=20, storage_encrypted=True, kms_key_id=key{i}.arn,
    publicly_accessible=False, backup_retention_period=35, deletion_protection=True,
    manage_master_user_password=True, username="billing", skip_final_snapshot=False)
"""


def size_options(doc: str | None, runs: int) -> argparse.Namespace:
    """The options every program-size bench takes: `--runs N` and `--sizes 100,1000,4000`."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--sizes", default="100,1000,4000")
    return parser.parse_args()


def generate(directory: Path, resources: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: gen{resources}\nruntime: python\n")
    units = max(1, resources // 11)
    body = "".join(UNIT.format(i=i) for i in range(units))
    (directory / "__main__.py").write_text(
        'import pulumi_aws as aws\nvpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")\n' + body
    )
    return directory


def timed(cmd: list[str], ok: tuple[int, ...]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"bench: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return elapsed


def measure(label: str, program: Path, runs: int, out: Path) -> tuple[str, float, float]:
    ours = [str(SAFEGUARD), "scan", str(program), "--out", str(out), "--force", "--quiet"]
    ours += ["--history", str(out) + ".history.sqlite"]  # recorded, but not in the repository
    bare = [sys.executable, str(REPO / "bench" / "bare_mocks.py"), str(program)]
    ours_times, bare_times = [], []
    for _ in range(runs):  # alternate, so drift on the machine hits both alike
        bare_times.append(timed(bare, ok=(0,)))
        ours_times.append(timed(ours, ok=(0, 1)))
    return label, statistics.median(bare_times), statistics.median(ours_times)


def main() -> int:
    args = size_options(__doc__, runs=5)
    rows = []
    with tempfile.TemporaryDirectory(prefix="safeguard-bench-") as tmp:
        root = Path(tmp)
        print(f"bench: {args.runs} runs each, medians; peer = bare Pulumi mocks", file=sys.stderr)
        rows.append(measure("repo program", REPO, args.runs, root / "out"))
        for size in (int(s) for s in args.sizes.split(",")):
            program = generate(root / f"gen{size}", size)
            count = max(1, size // 11) * 10 + 1  # ten resources a unit, and the VPC
            print(f"bench: generated program of {count} resources", file=sys.stderr)
            rows.append(measure(f"generated {count}", program, args.runs, root / "out"))
    print(f"{'program':<22} {'bare mocks (s)':>15} {'safeguard scan (s)':>19} {'overhead':>9}")
    for label, bare, ours in rows:
        print(f"{label:<22} {bare:>15.2f} {ours:>19.2f} {100 * (ours - bare) / bare:>8.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
