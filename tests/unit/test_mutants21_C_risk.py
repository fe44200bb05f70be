"""The default likelihood's exposure reading and the SLA bounds, pinned where mutation testing
(issue 15) showed that no test told a changed condition or message apart."""

from __future__ import annotations

import pytest

from policies.risk import DEFAULT_SLA_DAYS, default_likelihood, sla_days
from policies.risk_scale import Level

# The S3-01 control's own rating, which exposure in the evidence raises to high.
S3_01_WHY = "exploitable only after another control fails (access to storage or backups)"
RAISED = f"(raised from moderate: {S3_01_WHY})"


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (
            {"publicly_accessible": True},
            (Level.HIGH, f"the evidence shows the resource is publicly accessible {RAISED}"),
        ),
        ({"publicly_accessible": False}, (Level.MODERATE, S3_01_WHY)),
        (
            {"principal": "*"},
            (Level.HIGH, f"the evidence shows a wildcard ('*') principal {RAISED}"),
        ),
        # The principal key reaches the items of a list under it.
        (
            {"principals": ["arn:aws:iam::111122223333:root", "*"]},
            (Level.HIGH, f"the evidence shows a wildcard ('*') principal {RAISED}"),
        ),
        (
            {"statements": [{"principals": ["*"]}]},
            (Level.HIGH, f"the evidence shows a wildcard ('*') principal {RAISED}"),
        ),
        # A wildcard elsewhere than a principal is not exposure, nor a named principal.
        ({"action": "*"}, (Level.MODERATE, S3_01_WHY)),
        ({"resources": ["*"]}, (Level.MODERATE, S3_01_WHY)),
        ({"principal": "arn:aws:iam::111122223333:root"}, (Level.MODERATE, S3_01_WHY)),
        ("*", (Level.MODERATE, S3_01_WHY)),
    ],
)
def test_exposure_in_the_evidence_raises_the_likelihood_with_its_reason(evidence, expected):
    assert default_likelihood("x", "S3-01", evidence) == expected


def test_a_control_already_rated_high_is_not_raised_again_by_exposure():
    why = "the resource is reachable from the internet or by any AWS principal"
    assert default_likelihood("s3_bucket_public_access_blocked", "S3-02", {"principal": "*"}) == (
        Level.HIGH,
        why,
    )
    assert default_likelihood(
        "s3_bucket_public_access_blocked", "S3-02", {"publicly_accessible": True}
    ) == (Level.HIGH, why)


def test_an_sla_of_zero_days_is_kept_and_a_negative_one_refused():
    # Zero is a whole number of days: the risk is due on the day of the assessment.
    assert sla_days({"very_high": 0}) == {**DEFAULT_SLA_DAYS, Level.VERY_HIGH: 0}
    assert sla_days({"low": 1})[Level.LOW] == 1
    with pytest.raises(ValueError) as raised:
        sla_days({"high": -1})
    assert str(raised.value) == "SLA for 'high' must be a whole number of days, got -1"
