"""The data every part of backscroll passes around: items, import problems, verdicts.

Importers produce `Item`s and `Skip`s; the classifier turns an item into a
`Verdict`; reports read both. Plain frozen dataclasses, parsed eagerly, so a bad
record fails in its importer and never halfway through rendering a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Platform(StrEnum):
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


class Kind(StrEnum):
    POST = "post"
    REPLY = "reply"
    REPOST = "repost"
    COMMENT = "comment"
    CAPTION = "caption"
    STORY = "story"
    REEL = "reel"
    GROUP_POST = "group_post"
    CHECKIN = "checkin"
    DM = "dm"
    DM_RECEIVED = "dm_received"


class Audience(StrEnum):
    PUBLIC = "public"
    FRIENDS = "friends"
    FOLLOWERS = "followers"
    GROUP = "group"
    COMMUNITY = "community"
    PRIVATE_MESSAGE = "private_message"
    ONLY_ME = "only_me"
    UNKNOWN = "unknown"


CATEGORIES: tuple[str, ...] = ("patient_reference", "venting", "grand_rounds", "medical_advice")

CATEGORY_TITLES: dict[str, str] = {
    "patient_reference": "Patient reference",
    "venting": "Venting",
    "grand_rounds": "Grand rounds",
    "medical_advice": "Medical advice",
}


@dataclass(frozen=True, slots=True)
class Media:
    """A photo or video a post points to, with whatever metadata the export carries."""

    uri: str
    kind: str = "photo"
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    camera: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One thing the owner wrote or received: a post, reply, comment, caption or message."""

    platform: Platform
    item_id: str
    kind: Kind
    text: str
    created_at: datetime | None
    source: str
    url: str | None = None
    audience: Audience = Audience.UNKNOWN
    account: str | None = None
    counterpart: str | None = None
    conversation: str | None = None
    media: tuple[Media, ...] = ()
    place: Place | None = None
    likes: int | None = None
    shares: int | None = None

    @property
    def key(self) -> str:
        """Stable key across re-runs, used by decisions and deletion lists."""
        return f"{self.platform}:{self.item_id}"


def item_columns(items: Sequence[Item]) -> tuple[list[str], list[str], list[datetime | None]]:
    """What the classifier reads of each item (its text, kind and posting time), in its argument order."""
    return [i.text for i in items], [str(i.kind) for i in items], [i.created_at for i in items]


@dataclass(frozen=True, slots=True)
class Skip:
    """Records of a file that did not become items, and why.

    `error` is False for records skipped on purpose (a group-chat join event,
    a tweet already deleted); True when the record could not be read.
    """

    source: str
    reason: str
    count: int = 1
    error: bool = True


@dataclass(frozen=True, slots=True)
class FileRead:
    """How many records a file held, so every record can be accounted for."""

    source: str
    records: int


@dataclass(frozen=True, slots=True)
class Connection:
    """A friend, follower or friend request; people who asked health questions are likely patients."""

    platform: Platform
    name: str
    relation: str
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """What the export says about its owner, used for links and as context identifiers."""

    platform: Platform
    username: str | None = None
    display_name: str | None = None
    user_id: str | None = None
    bio: str | None = None
    location: str | None = None
    protected: bool | None = None


ImportEvent = Item | Skip | FileRead | Connection | AccountInfo


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the text and the reason it counts toward a category."""

    category: str
    start: int
    end: int
    text: str
    reason: str
    weight: float = 0.0

    @property
    def learned(self) -> bool:
        """Wording the model learned from examples, not a rule's specific finding (a slur, "52M")."""
        return self.reason.startswith(LEARNED)


LEARNED = "wording typical of"  # how the classifier's reason for a learned word or phrase begins


def learned_reason(category: str) -> str:
    return f"{LEARNED} {category.replace('_', ' ')} in the examples backscroll learned from"


@dataclass(frozen=True, slots=True)
class Verdict:
    scores: dict[str, float]
    flags: tuple[str, ...]
    risk: int
    evidence: tuple[Evidence, ...] = ()
    summary: str = ""


@dataclass(slots=True)
class Finding:
    """An item with its verdict and the action recommended for it."""

    item: Item
    verdict: Verdict
    action: str
    decision: str | None = None
    # A MediaFinding when photos were analysed (--media); typed loosely so this
    # module does not depend on the optional media extra.
    media: Any = None
