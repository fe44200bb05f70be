"""Live collectors: SageMaker notebook instances (`aws.sagemaker.NotebookInstance`) and endpoint
configurations (`aws.sagemaker.EndpointConfiguration`): their keys, network access and variants.
Configuration only: never a notebook's files, a model artifact or an inference.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checks.model import Resource
from checks.sources.aws.collect import Collector, Context
from checks.sources.aws.partial import Misses
from checks.sources.aws.shapes import present

NOTEBOOK_INSTANCE = "aws:sagemaker/notebookInstance:NotebookInstance"
ENDPOINT_CONFIGURATION = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
_VARIANT_FIELDS = (
    ("VariantName", "variant_name"),
    ("ModelName", "model_name"),
    ("InstanceType", "instance_type"),
    ("InitialInstanceCount", "initial_instance_count"),
    ("InitialVariantWeight", "initial_variant_weight"),
    ("VolumeSizeInGB", "volume_size_in_gb"),
)


def notebook_props(notebook: Mapping[str, Any]) -> dict[str, Any]:
    imds = notebook.get("InstanceMetadataServiceConfiguration") or {}
    return present({
        "name": notebook["NotebookInstanceName"],
        "instance_type": notebook.get("InstanceType"),
        "role_arn": notebook.get("RoleArn"),
        "kms_key_id": notebook.get("KmsKeyId"),
        "direct_internet_access": notebook.get("DirectInternetAccess"),
        "subnet_id": notebook.get("SubnetId"),
        "security_groups": notebook.get("SecurityGroups") or None,
        "root_access": notebook.get("RootAccess"),
        "volume_size": notebook.get("VolumeSizeInGB"),
        "platform_identifier": notebook.get("PlatformIdentifier"),
        "lifecycle_config_name": notebook.get("NotebookInstanceLifecycleConfigName"),
        "instance_metadata_service_configuration": {
            "minimum_instance_metadata_service_version": imds[
                "MinimumInstanceMetadataServiceVersion"
            ]
        }
        if imds.get("MinimumInstanceMetadataServiceVersion")
        else None,
    })  # fmt: skip


def endpoint_configuration_props(config: Mapping[str, Any]) -> dict[str, Any]:
    variants = [
        present({ours: v.get(theirs) for theirs, ours in _VARIANT_FIELDS})
        for v in config.get("ProductionVariants") or ()
    ]
    return present({
        "name": config["EndpointConfigName"],
        "kms_key_arn": config.get("KmsKeyId"),
        "execution_role_arn": config.get("ExecutionRoleArn"),
        "production_variants": variants or None,
    })  # fmt: skip


def _notebooks(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.pages(client, "ListNotebookInstances", "NotebookInstances"))
    with Misses(ctx, (NOTEBOOK_INSTANCE,), "notebook instance") as missed:
        for entry in listed:
            name = entry["NotebookInstanceName"]
            with missed.of(name):
                notebook = ctx.call(client, "DescribeNotebookInstance", NotebookInstanceName=name)
                arn = notebook.get("NotebookInstanceArn")
                yield ctx.resource(
                    NOTEBOOK_INSTANCE, name, notebook_props(notebook), id=name, arn=arn
                )


def _endpoint_configurations(ctx: Context) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.pages(client, "ListEndpointConfigs", "EndpointConfigs"))
    with Misses(ctx, (ENDPOINT_CONFIGURATION,), "endpoint configuration") as missed:
        for entry in listed:
            name = entry["EndpointConfigName"]
            with missed.of(name):
                config = ctx.call(client, "DescribeEndpointConfig", EndpointConfigName=name)
                props = endpoint_configuration_props(config)
                arn = config.get("EndpointConfigArn")
                yield ctx.resource(ENDPOINT_CONFIGURATION, name, props, id=name, arn=arn)


COLLECTORS: list[Collector] = [
    Collector(
        "sagemaker",
        (NOTEBOOK_INSTANCE,),
        ("sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance"),
        _notebooks,
    ),
    Collector(
        "sagemaker",
        (ENDPOINT_CONFIGURATION,),
        ("sagemaker:ListEndpointConfigs", "sagemaker:DescribeEndpointConfig"),
        _endpoint_configurations,
    ),
]
