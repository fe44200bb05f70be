"""Entry point of the CrossGuard pack: the Pulumi CLI runs this file (`python -m pulumi.policy`
with the pack folder as the program). Serving the pack blocks until the engine stops it."""

from pulumi_policy import PolicyPack

from policies.crossguard.pack import PACK_DESCRIPTION, PACK_NAME, build_policies

PolicyPack(name=PACK_NAME, policies=build_policies(), description=PACK_DESCRIPTION)
