"""Errors the user can act on. Each carries one line naming the file and the problem; the CLI
prints it and exits with the documented code."""


class InputError(Exception):
    """Bad input: a missing or malformed file, a program that cannot run, bad configuration."""
