"""What kind of store each data-holding type is, for the asset inventory and the ePHI map.

The list of data-holding types is one list, `policies/data_holding.yaml` (the classification
ask counts the same types); a type's kind is the group that file lists it under.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from policies import yamlfile
from policies.data_holding import DATA_HOLDING_FILE, data_holding_types

# Groups whose content is a copy of a store or passes through on its way to one: a backup of
# them is not what protects ePHI (the store they copy or deliver to is).
NO_BACKUP_EXPECTED = frozenset({"copies and backups", "streams, queues and logs"})


@functools.cache
def data_kinds() -> Mapping[str, str]:
    """Every data-holding type token -> the group data_holding.yaml lists it under."""
    data_holding_types()  # validates the file's shape, with its own error
    groups = yamlfile.load(DATA_HOLDING_FILE)["holds_data"]
    return {token: str(group) for group, members in groups.items() for token in members}
