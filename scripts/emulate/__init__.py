"""The emulated deploy: a Pulumi Python program stood up in the embedded AWS (moto), with no
Pulumi CLI and no account, so the live audit has something real to read (`deploy.py`)."""
