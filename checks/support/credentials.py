"""What a long-lived AWS credential looks like in text: shared by the checks that look for keys
written into configuration (Lambda environments, EC2 user data, CodeBuild variables)."""

from __future__ import annotations

import re

# An access key id: long-lived (AKIA) or temporary (ASIA), wherever it appears.
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
