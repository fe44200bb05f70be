"""Small programs under the scanner's mocks: what the engine would leave unknown stays unknown,
the scan's region reaches the AWS provider, components never echo their inputs, and resource
objects passed to data sources neither hang nor race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from checks.errors import InputError
from checks.model import UNKNOWN
from checks.sources.program import MOCK_ACCOUNT, ProgramScan, scan_program

PROGRAMS = {
    "stack_reference": """
import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("acme/network/prod")
key = network.get_output("dataKeyArn")
aws.rds.Instance(
    "db",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    storage_encrypted=True,
    kms_key_id=key,
    vpc_security_group_ids=[network.require_output("dbSecurityGroupId")],
    username="app",
    manage_master_user_password=True,
)
subnet = aws.ec2.get_subnet_output(id=network.require_output("subnetId"))
aws.ec2.SecurityGroup("sg", vpc_id=subnet.vpc_id, description="from a lookup")
""",
    "region": """
import pulumi
import pulumi_aws as aws

region = aws.config.region
aws.s3.Bucket("logs", bucket=f"logs-{region}-{aws.get_caller_identity().account_id}")
""",
    "remote_component": """
import pulumi
import pulumi_aws as aws


@pulumi.input_type
class NetworkArgs:
    pass


class Network(pulumi.ComponentResource):
    # The shape of a multi-language component's generated SDK (awsx): an input and an output
    # share a name, with different types.
    def __init__(self, name, nat_gateways=None):
        props = NetworkArgs.__new__(NetworkArgs)
        props.__dict__["nat_gateways"] = nat_gateways
        props.__dict__["vpc_id"] = None
        super().__init__("acmex:net:Network", name, props, None, remote=True)

    @property
    @pulumi.getter(name="natGateways")
    def nat_gateways(self) -> pulumi.Output[list[aws.ec2.NatGateway]]:
        return pulumi.get(self, "nat_gateways")

    @property
    @pulumi.getter(name="vpcId")
    def vpc_id(self) -> pulumi.Output[str]:
        return pulumi.get(self, "vpc_id")


class Local(pulumi.ComponentResource):
    def __init__(self, name, bucket_name):
        super().__init__("acme:store:Local", name, {"bucket_name": bucket_name}, None)
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket", bucket=bucket_name, opts=pulumi.ResourceOptions(parent=self)
        )


net = Network("net", nat_gateways={"strategy": "Single"})
aws.ec2.SecurityGroup("sg", vpc_id=net.vpc_id, description="in the component's VPC")
local = Local("store", "claims-archive")
aws.s3.Bucket("copy", bucket=local.bucket_name.apply(lambda n: f"{n}-copy"))
""",
    "objects_to_invokes": """
import pulumi
import pulumi_aws as aws

for i in range(4):
    bucket = aws.s3.Bucket(f"b{i}", bucket=f"reports-{i}")
    document = aws.iam.get_policy_document_output(
        statements=[{"actions": ["s3:GetObject"], "resources": [bucket]}]
    )
    aws.iam.Policy(f"read-{i}", policy=document.json)
""",
}


def _write(root: Path, name: str, source: str, stack_config: str | None = None) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text(f"name: {name.replace('_', '-')}\nruntime: python\n")
    (folder / "__main__.py").write_text(source.lstrip())
    if stack_config is not None:
        (folder / "Pulumi.dev.yaml").write_text(stack_config)
    return folder


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, ProgramScan]:
    root = tmp_path_factory.mktemp("fidelity")
    folders = {name: _write(root, name, source) for name, source in PROGRAMS.items()}
    folders["region_eu"] = _write(
        root, "region_eu", PROGRAMS["region"], "config:\n  aws:region: eu-west-1\n"
    )
    with ThreadPoolExecutor(3) as pool:
        done = pool.map(lambda item: (item[0], scan_program(item[1], timeout=60)), folders.items())
        return dict(done)


def _one(scan: ProgramScan, type_: str, name: str):
    found = [r for r in scan.resources if r.type == type_ and r.name == name]
    assert len(found) == 1, [(r.type, r.name) for r in scan.resources]
    return found[0]


def test_a_stack_references_outputs_are_unknown(scans):
    db = _one(scans["stack_reference"], "aws:rds/instance:Instance", "db")
    assert db.props["kms_key_id"] is UNKNOWN
    assert db.props["vpc_security_group_ids"] == [UNKNOWN]
    assert db.props["storage_encrypted"] is True  # what the program declares stays declared


def test_a_data_source_given_an_unknown_argument_answers_unknown(scans):
    sg = _one(scans["stack_reference"], "aws:ec2/securityGroup:SecurityGroup", "sg")
    assert sg.props["vpc_id"] is UNKNOWN


def test_the_scan_region_is_the_aws_providers_region(scans):
    bucket = _one(scans["region"], "aws:s3/bucket:Bucket", "logs")
    assert bucket.props["bucket"] == f"logs-us-east-1-{MOCK_ACCOUNT}"
    eu = _one(scans["region_eu"], "aws:s3/bucket:Bucket", "logs")
    assert eu.props["bucket"] == f"logs-eu-west-1-{MOCK_ACCOUNT}"
    assert eu.region == "eu-west-1"


def test_a_remote_components_outputs_are_unknown_never_its_inputs(scans):
    sg = _one(scans["remote_component"], "aws:ec2/securityGroup:SecurityGroup", "sg")
    assert sg.props["vpc_id"] is UNKNOWN


def test_a_local_component_keeps_what_the_program_gave_it(scans):
    copy = _one(scans["remote_component"], "aws:s3/bucket:Bucket", "copy")
    assert copy.props["bucket"] == "claims-archive-copy"


def test_a_resource_passed_to_a_data_source_stands_for_its_id(scans):
    for i in range(4):
        policy = _one(scans["objects_to_invokes"], "aws:iam/policy:Policy", f"read-{i}")
        assert f'"Resource": "reports-{i}"' in policy.props["policy"]


def test_a_program_that_raises_from_itself_ends_quickly(tmp_path):
    folder = _write(
        tmp_path,
        "cycle",
        "import pulumi_aws as aws\n"
        "aws.s3.Bucket('b')\n"
        "err = RuntimeError('validation failed')\n"
        "err.__cause__ = err\n"
        "raise err\n",
    )
    with pytest.raises(InputError, match=r"__main__.py:5: the program raised RuntimeError"):
        scan_program(folder, timeout=30)
