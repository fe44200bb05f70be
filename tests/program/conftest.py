"""One scan of the billing program per stack, shared by every program test."""

from __future__ import annotations

import pytest

from tests.program.stack import Stack


@pytest.fixture(scope="session")
def prod() -> Stack:
    return Stack.load("prod")


@pytest.fixture(scope="session")
def dev() -> Stack:
    return Stack.load("dev")


@pytest.fixture(scope="session", params=["dev", "prod"])
def stack(request, dev: Stack, prod: Stack) -> Stack:
    """Run a test under both configurations."""
    return {"dev": dev, "prod": prod}[request.param]
