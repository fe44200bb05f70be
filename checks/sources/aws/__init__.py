"""The `aws` source: the live account (or the emulator), read through boto3 and turned into the
same inventory the Pulumi sources produce, so every check runs unchanged on what is deployed."""
