"""Live collectors: (to be written)."""

from __future__ import annotations

from checks.sources.aws.collect import Collector

COLLECTORS: list[Collector] = []
