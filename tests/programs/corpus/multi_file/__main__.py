"""Intake: network, storage and compute live in their own modules."""

import pulumi

import compute
import network
import storage

pulumi.export("vpc_id", network.vpc.id)
pulumi.export("bucket", storage.documents.bucket)
pulumi.export("worker", compute.worker.name)
