"""The exit codes of every `safeguard` command: the documented contract, defined here once."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # nothing blocks, and every check could be evaluated
    FAILED = 1  # a blocking failure, an expired waiver, or (verify) a changed artifact
    INPUT = 2  # usage or input error: one line on stderr names the file and the problem
    NOT_EVALUATED = 3  # nothing fails, but blocking checks could not be evaluated
    INTERRUPTED = 130  # stopped by the user (Ctrl-C)
