"""A plain keyword filter, as deletion tools offer today: the bar the classifier must clear."""

from __future__ import annotations

import re

from audit.model import CATEGORIES

KEYWORDS: dict[str, tuple[str, ...]] = {
    "patient_reference": ("patient", "pt", "hospital", "er", "ed", "icu", "shift", "surgery", "bed", "room", "admitted", "code"),
    "venting": ("hate", "annoying", "stupid", "idiot", "worst", "sick of", "rant", "ugh", "frequent flyer"),
    "grand_rounds": ("drunk", "wasted", "sex", "fuck", "shit", "weed", "high", "hungover", "naked"),
    "medical_advice": ("you should take", "mg", "dose", "take", "ibuprofen", "tylenol", "antibiotics", "doctor"),
}
_PATTERNS = {c: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in KEYWORDS[c]) + r")\b", re.IGNORECASE) for c in CATEGORIES}


def keyword_flags(text: str) -> set[str]:
    return {c for c in CATEGORIES if _PATTERNS[c].search(text)}
