"""How long copies of ePHI must be kept."""

from __future__ import annotations

# Automated database backups reach back at least a week (data backup plan, 164.308(a)(7)(ii)(A)).
MIN_BACKUP_RETENTION_DAYS = 7
