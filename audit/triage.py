"""What to do with a finding: delete, lock, review or keep.

Patient references are deleted, not hidden: locking a post still leaves it
in front of every follower, and followers include colleagues and patients.
"""

from __future__ import annotations

from audit.model import Item, Kind, Platform, Verdict

DELETE_AT = 70
REVIEW_AT = 35


def recommend(item: Item, verdict: Verdict) -> str:
    if item.kind == Kind.DM_RECEIVED:
        # Someone else's words: the owner can only delete the conversation on their side.
        return "review" if verdict.flags or verdict.risk >= REVIEW_AT else "keep"
    if "patient_reference" in verdict.flags or verdict.risk >= DELETE_AT:
        return "delete"
    if verdict.flags:
        # A message cannot be made private, and an X post has no audience of its own (only the
        # whole account can be protected, an account-level step): either can only be deleted.
        return "delete" if item.kind == Kind.DM or item.platform == Platform.X else "lock"
    if verdict.risk >= REVIEW_AT:
        return "review"
    return "keep"
