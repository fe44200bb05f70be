"""hipaa-billing: the billing system's network, database and document store on AWS."""

import pulumi
import settings as stack_settings
from database import create_database
from document_store import create_document_store
from encryption import account_context, create_encryption
from flow_logs import create_flow_logs
from network import create_network

settings = stack_settings.load()
account = account_context(settings)
encryption = create_encryption(settings, account)
network = create_network(settings)
create_flow_logs(settings, account, network, encryption)
database = create_database(settings, network, encryption)
documents = create_document_store(settings, account, encryption)

pulumi.export("environment", settings.environment)
pulumi.export("vpc_id", network.vpc.id)
pulumi.export("private_subnet_ids", [subnet.id for subnet in network.private_subnets])
pulumi.export("kms_key_arn", encryption.key.arn)
pulumi.export("db_endpoint", database.endpoint)
pulumi.export("documents_bucket_name", documents.bucket)
