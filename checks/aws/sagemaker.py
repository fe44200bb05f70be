"""SageMaker: notebook instances and endpoint configurations encrypt their storage with a KMS key,
and notebooks reach the internet only through their VPC (controls SGM-01 and SGM-02)."""

from __future__ import annotations

from checks.model import Inventory, Resource
from checks.registry import Check, Result, Severity, check, failed, passed
from checks.support.props import known

CHECKS: list[Check] = []

NOTEBOOK_INSTANCE = "aws:sagemaker/notebookInstance:NotebookInstance"
ENDPOINT_CONFIGURATION = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
# The provider's default for direct_internet_access: the notebook gets SageMaker's own route out.
DEFAULT_DIRECT_INTERNET_ACCESS = "Enabled"


def _kms_key(res: Resource, key: str) -> Result:
    named = known(res, key)
    if not named:
        return failed(f"no KMS key is named ({key} is unset): AWS's own key is used", **{key: None})
    return passed("the storage is encrypted with the KMS key named", **{key: named})


@check(
    into=CHECKS,
    id="sagemaker_endpoint_config_kms_key",
    control="SGM-01",
    title="SageMaker endpoint configuration encrypts its storage volumes with a KMS key",
    severity=Severity.MEDIUM,
    config_rule="sagemaker-endpoint-configuration-kms-key-configured",
    resource_types=(ENDPOINT_CONFIGURATION,),
    remediation=(
        "Set kms_key_arn to a customer-managed key: it encrypts the ML storage volumes of the "
        "instances that host the endpoint (and the model's inference data on them)."
    ),
    pulumi_fix='aws.sagemaker.EndpointConfiguration("claims-model", ..., kms_key_arn=key.arn)',
)
def sagemaker_endpoint_config_kms_key(res: Resource, inv: Inventory) -> Result:
    """Inference data at rest on the endpoint's volumes is under a key the entity holds."""
    return _kms_key(res, "kms_key_arn")


@check(
    into=CHECKS,
    id="sagemaker_notebook_kms_key",
    control="SGM-01",
    title="SageMaker notebook instance encrypts its storage with a KMS key",
    severity=Severity.MEDIUM,
    config_rule="sagemaker-notebook-instance-kms-key-configured",
    resource_types=(NOTEBOOK_INSTANCE,),
    remediation="Set kms_key_id to a customer-managed key; it encrypts the notebook's ML volume.",
    pulumi_fix='aws.sagemaker.NotebookInstance("analysis", ..., kms_key_id=key.arn)',
)
def sagemaker_notebook_kms_key(res: Resource, inv: Inventory) -> Result:
    """Data a data scientist copies onto the notebook is encrypted under a key the entity holds."""
    return _kms_key(res, "kms_key_id")


@check(
    into=CHECKS,
    id="sagemaker_notebook_no_direct_internet",
    control="SGM-02",
    title="SageMaker notebook instance has no direct internet access",
    severity=Severity.HIGH,
    config_rule="sagemaker-notebook-no-direct-internet-access",
    resource_types=(NOTEBOOK_INSTANCE,),
    remediation=(
        "Set direct_internet_access='Disabled' with subnet_id and security_groups, so the "
        "notebook's traffic goes through the VPC (its endpoints, a NAT gateway, its flow logs)."
    ),
    pulumi_fix=(
        'aws.sagemaker.NotebookInstance("analysis", ..., direct_internet_access="Disabled",\n'
        "    subnet_id=private_a.id, security_groups=[notebook_sg.id])"
    ),
)
def sagemaker_notebook_no_direct_internet(res: Resource, inv: Inventory) -> Result:
    """ePHI in a notebook cannot leave for the internet around the VPC's controls."""
    access = str(known(res, "direct_internet_access", DEFAULT_DIRECT_INTERNET_ACCESS))
    if access.lower() != "disabled":
        return failed("the notebook has direct internet access", direct_internet_access=access)
    return passed("the notebook has no direct internet access", direct_internet_access=access)
