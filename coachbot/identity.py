"""Who is speaking: plain ids, never platform objects."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A person as (platform, workspace, user): a Discord guild or a Slack team is a workspace."""

    platform: str
    workspace: str
    user: str

    def same_workspace(self, other: PersonRef) -> bool:
        """True when both people live in the same platform workspace."""
        return (self.platform, self.workspace) == (other.platform, other.workspace)

    def peer(self, user: str) -> PersonRef:
        """Return another user of the same workspace."""
        return PersonRef(self.platform, self.workspace, user)


def safe_name(user: str) -> str:
    """A user id usable in a file name (charts, reports, exports): other characters
    become ``_``, at most 32 are kept."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", user)[:32] or "user"
