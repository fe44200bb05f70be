"""A private image registry for lab analysers, and the pull secret a cluster would mount.
The login comes from `aws.ecr.get_credentials`, whose token is base64 of `AWS:<password>`."""

import base64
import json

import pulumi
import pulumi_aws as aws

registry_key = aws.kms.Key("lab-images", enable_key_rotation=True)
analysers = aws.ecr.Repository(
    "lab-analysers",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration={"scan_on_push": True},
    encryption_configurations=[{"encryption_type": "KMS", "kms_key": registry_key.arn}],
)


def docker_config(registry_id: str) -> str:
    login = aws.ecr.get_credentials(registry_id=registry_id)
    user, _, password = base64.b64decode(login.authorization_token).decode().partition(":")
    if not password:
        raise ValueError("the registry token is not user:password")
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    return json.dumps({"auths": {login.proxy_endpoint: {"auth": auth}}})


pull_secret = aws.secretsmanager.Secret("lab-pull-secret", kms_key_id=registry_key.arn)
aws.secretsmanager.SecretVersion(
    "lab-pull-secret",
    secret_id=pull_secret.id,
    secret_string=analysers.registry_id.apply(docker_config),
)
pulumi.export("repository", analysers.repository_url)
