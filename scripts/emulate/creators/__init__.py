"""The creators, one module per service: each maps Pulumi type tokens to a function that makes
the resource in the emulator (`base.py` says what a creator is), and may name the types the
emulator cannot make, with the reason (`NOT_EMULATED`). `scripts.emulate.registry` gathers
them."""
