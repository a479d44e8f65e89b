"""A post sent during the event it describes counts one more identifier, and says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from audit.classifier import load_classifier
from audit.context import Context
from audit.posted import LABEL, posted_during, zone
from audit.rules import PATIENT

STORY = "3am and the guy in bed 4 is pulling his lines out again"


@pytest.mark.parametrize(("text", "local", "matched"), [
    (STORY, (3, 40), "3am"),
    (STORY, (5, 59), "3am"),
    ("11:40 p.m. and the trauma bay is full", (0, 30), "11:40 p.m."),
    ("pt rolled in at 0300 hrs with a GSW", (4, 10), "0300 hrs"),
    ("12am admit, 12pm discharge, what a day", (12, 20), "12pm"),
])
def test_a_post_within_hours_after_the_time_it_mentions_is_evidence(text, local, matched):
    posted = datetime(2021, 3, 2, *local, tzinfo=UTC)
    ev = posted_during(text, posted, UTC)
    assert ev is not None
    assert ev.category == PATIENT
    assert text[ev.start:ev.end] == ev.text == matched
    assert f"posted at {local[0]:02d}:{local[1]:02d}" in ev.reason


@pytest.mark.parametrize(("text", "local"), [
    (STORY, (2, 59)),  # before the time it describes
    (STORY, (6, 1)),  # more than three hours after
    (STORY, (15, 0)),  # the afternoon after: a story told later
    ("no clock time here, bed 4 again", (3, 0)),
    ("scored 99 pts at 13pm lol", (13, 10)),  # not a time
])
def test_no_evidence_outside_the_window_or_without_a_clock_time(text, local):
    assert posted_during(text, datetime(2021, 3, 2, *local, tzinfo=UTC), UTC) is None


def test_no_time_no_evidence():
    assert posted_during(STORY, None, UTC) is None


def test_the_post_time_is_read_in_the_users_zone():
    sent = datetime(2021, 3, 2, 9, 40, tzinfo=UTC)  # 03:40 in Chicago, 09:40 in London
    assert posted_during(STORY, sent, zone("America/Chicago")) is not None
    assert posted_during(STORY, sent, zone("Europe/London")) is None
    assert posted_during(STORY, sent, timezone(timedelta(hours=-6))) is not None


def test_an_unknown_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus_Mons")
    assert zone("") is None


def test_spans_stay_exact_when_lowercasing_changes_length():
    text = "İİ 3am and bed 4 again"
    ev = posted_during(text, datetime(2021, 3, 2, 3, 30, tzinfo=UTC), UTC)
    assert ev is not None and text[ev.start:ev.end] == "3am"


def test_the_classifier_counts_the_posting_time_as_an_identifier():
    classifier = load_classifier(Context(timezone="UTC"))
    during, later = datetime(2021, 3, 2, 3, 40, tzinfo=UTC), datetime(2021, 3, 2, 15, 0, tzinfo=UTC)
    texts = ["3am and the family finally agreed to comfort care", "ok who else is up at 3am with a teething baby and cold coffee"]
    at_night = classifier.classify_texts(texts, ["post", "post"], [during, during])
    afterwards = classifier.classify_texts(texts, ["post", "post"], [later, later])
    untimed = classifier.classify_texts(texts, ["post", "post"])
    assert at_night[0].scores[PATIENT] > afterwards[0].scores[PATIENT]
    assert afterwards[0].scores == untimed[0].scores
    assert PATIENT in at_night[0].flags
    assert LABEL in at_night[0].summary and LABEL not in afterwards[0].summary
    assert [e.text for e in at_night[0].evidence if "posted at 03:40" in e.reason] == ["3am"]
    # An unflagged post gains no evidence for a flag it does not have.
    assert PATIENT not in at_night[1].flags
    # Nor does a repost: when someone else's story was shared does not date it.
    shared = classifier.classify_texts(texts[:1], ["repost"], [during])[0]
    assert shared.scores == classifier.classify_texts(texts[:1], ["repost"])[0].scores and LABEL not in shared.summary
    assert not any("posted at" in e.reason for e in at_night[1].evidence)
