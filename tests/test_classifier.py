"""Rules find the right spans with their reasons; the trained model judges, deterministically."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from audit import corpus
from audit.baseline import keyword_flags
from audit.classifier import (
    Classifier,
    _best_threshold,
    _folds,
    _locate,
    _negative_weight,
    _present,
    _term_pattern,
    load_classifier,
    prefixes,
)
from audit.cli import cli
from audit.context import Context
from audit.evaluation import f1_interval
from audit.model import CATEGORIES, AccountInfo, Item, Kind, Platform
from audit.rules import RULES, compile_context, find_evidence
from audit.triage import REVIEW_AT, recommend


def spans(text: str) -> set[tuple[str, str]]:
    return {(rule.name, ev.text) for rule, ev in find_evidence(text, [], None)}


@pytest.mark.parametrize(("text", "expected"), [
    ("52M in bed 7 at 3am", {("age_sex_short", "52M"), ("bed_room", "bed 7"), ("time_exact", "3am")}),
    ("G6P5 at 38 weeks, delivered on L&D tonight", {("obstetric", "G6P5"), ("unit", "L&D"), ("time_now", "tonight")}),
    ("Mr. J in room 508 on 6 West", {("named_person", "Mr. J"), ("bed_room", "room 508"), ("unit", "6 West")}),
    ("Baby Olivia went home from the NICU", {("named_person", "Baby Olivia"), ("unit", "NICU")}),
    ("the mayor's son rolled his truck on Route 9", {("occupation_fame", "the mayor's"), ("place", "Route 9")}),
    ("a 4yo swallowed a magnet", {("age", "4yo"), ("rare_injury", "swallowed")}),
    ("your scans looked clean, see you at your follow up", {("care_reveal", "your scans"), ("care_reveal", "your follow up")}),
    ("look at this CT 👀", {("image", "look at this CT")}),
    ("frequent flyers and drug-seekers all night", {("contempt_patients", "frequent flyers"), ("contempt_patients", "drug-seekers")}),
    ("blacked out at the residency retreat", {("intoxication", "blacked out")}),
    ("coked up at the holiday party, spliff after nights", {("intoxication", "coked up"), ("intoxication", "spliff")}),
    ("just double your metoprolol, no need for the ER", {("directive", "just double"), ("diagnosis_for_you", "no need for the ER")}),
    ("I can't give medical advice here, call your doctor", {("redirect", "can't give medical advice"), ("redirect", "call your doctor")}),
    ("those Mexicans always bring ten kids, go back home", {("group_slight", "those Mexicans"), ("group_slight", "go back home")}),
    ("women shouldn't be surgeons, typical g*psy nonsense", {("group_slight", "women shouldn't be"), ("masked_word", "g*psy")}),
    ("400 pounder in 12 wants a third tray", {("mockery", "400 pounder")}),
    ("our cohort (n = 412) showed no difference", {("research_teaching", "cohort"), ("research_teaching", "n = 412")}),
    ("in her 30s on 4 North", {("age_range", "in her 30s"), ("unit", "4 North")}),
    ("I can bring you some of my leftover percs", {("illegal", "bring you some of my leftover percs")}),
    ("take 2 of the oxy I gave you", {("illegal", "the oxy I gave you")}),
    ("a 52 y.o. man, 61 YO F and a 70 yo male", {("age", "52 y.o."), ("age_sex_short", "61 YO F"), ("age_sex_short", "70 yo male")}),
    ("tonight's chaos in the ED's hallway, hall bed 3", {("time_now", "tonight's"), ("unit_ed", "the ED's"), ("bed_room", "hall bed 3")}),
    ("3 hours in A&E, then Ward 7, HDU at 0300", {("unit_ae", "A&E"), ("bed_room", "Ward 7"), ("unit", "HDU"), ("time_exact", "0300")}),
    ("her twins came at 29 weeks, a tetanus case, rabies after a bat bite", {("rare_injury", "twins"), ("rare_injury", "tetanus"),
                                                                          ("rare_injury", "rabies")}),
    ("the high school coach at Mount Sinai, your delivery went so well", {("occupation_fame", "the high school coach"),
                                                                           ("hospital_name", "Mount Sinai"),
                                                                           ("care_reveal", "your delivery")}),
    ("busy rn, Mr. O'Brien in rm. 12", {("time_now", "rn"), ("named_person", "Mr. O'Brien"), ("bed_room", "rm. 12")}),
    ("Kid From Lincoln Elementary, Transferred To St. Mary's", {("place", "Lincoln Elementary"), ("hospital_name", "St. Mary's")}),
    ("an NFL player on I-95, see this rhythm strip", {("occupation_fame", "an NFL player"), ("place", "I-95"),
                                                      ("image", "see this rhythm strip"[4:])}),
])
def test_rules_find_identifiers_with_exact_spans(text, expected):
    assert expected <= spans(text)


@pytest.mark.parametrize("text", [
    "be patient with me this week",
    "pushed the code to github, fixed the login bug",
    "grabbing coffee with friends",
    "80s night at the bar, and my 30s are going great",  # decades are not units ("3 South")
    # look-alikes: a company, money, temperatures, durations, forms, sentence starts, TV and holidays
    "ordered a case of 3M tape, budget cut by $52M, 1M views",
    "fever of 102F, it was 20F outside, 98.6F is a myth",
    "stayed in bed 10 hours, escape room 2 was fun, high 5s all round",
    "I-9 form done before A 12 hour shift, logged 1200 hrs of volunteering",
    "proud to be an RN, shoutout to all the RNs",
    "Watching Mr. Bean and Baby Shark, Happy St. Patrick's Day and Happy Memorial Day",
    "we ran a pilot study, stuck in traffic, drowning in paperwork, swallowed my pride",
    "See you on Saturday for the bbq! 📸 from our beach trip",
    "I got into Medical School! No Way I'm moving",
    "vitamins A & E, climbed Mt Kilimanjaro, binged Grey Sloan Memorial",
    "Saw the Ed Sheeran show, our Ed Balls impression",  # Ed before a surname is a name, not the ED
    "can you look at this rash on my arm? check out my wound from the hike",  # a request, and the writer's own skin
    "our CEO emailed again, the coach benched my son, my twins turn 5, got my rabies vaccine and a tetanus shot",
    "this film made me cry, your delivery of that talk was great, call 0345 123 4567, Ward 3 council election",
])
def test_rules_find_no_identifier_in_plain_life(text):
    identifiers = {r.name for r in RULES if r.identifier}
    assert not {name for name, _ in spans(text)} & identifiers


def test_taking_ones_own_prescription_is_not_diversion():
    assert "illegal" not in {name for name, _ in spans("take the oxycodone your surgeon gave you as prescribed")}


def test_evidence_spans_point_into_the_original_text():
    text = "İstanbul trip, then 67F in bay 3 at 2AM with a Mr. K"
    for rule, ev in find_evidence(text, [], None):
        assert text[ev.start:ev.end] == ev.text
        assert ev.reason == rule.reason


def test_learned_evidence_spans_point_into_the_original_text(model):
    # "İ" lowercases to two characters; spans found in a plainly lowercased copy would drift.
    text = "İİİİ ugh the families on this unit think we are their personal butlers, every single call light is for ice chips"
    verdict = model.classify_texts([text])[0]
    learned = [e for e in verdict.evidence if e.reason.startswith("wording typical")]
    assert learned
    assert all(text[e.start:e.end] == e.text and e.text.strip() == e.text for e in learned)


def test_a_plural_the_list_also_names_is_evidence_once():
    # "whales" and "spliffs" are listed and also made from "whale" and "spliff".
    found = [(rule.name, ev.start, ev.end) for rule, ev in find_evidence("those whales, spliffs after nights", [], None)]
    assert found == [("mockery", 6, 12), ("intoxication", 14, 21)]


def test_starred_out_swearing_is_not_taken_for_a_slur():
    assert not {name for name, _ in spans("what the f*ck, sh*t day, f**k this a**hole traffic")} & {"masked_word"}


def test_every_rule_has_a_reason_and_a_known_category():
    for rule in RULES:
        assert rule.category in CATEGORIES
        assert len(rule.reason) > 10
        assert rule.words or rule.regex is not None


def test_user_context_terms_become_identifiers():
    terms, rx = compile_context(Context(workplaces=("Mercy General",), units=("Pod C",), people=("Dr Okafor",)))
    found = find_evidence("long night at mercy general in Pod C with Dr Okafor", terms, rx)
    reasons = {ev.text: ev.reason for _, ev in found if ev.reason.startswith("names ")}
    assert reasons["mercy general"].startswith("names your workplace")
    assert "your unit" in reasons["Pod C"] and "colleague" in reasons["Dr Okafor"]


def test_profile_bio_and_location_feed_the_context():
    info = AccountInfo(Platform.X, bio="EM resident @ Mercy General. Opinions mine.", location="Springfield")
    context = Context().with_account(info)
    assert "Mercy General" in context.workplaces and "Springfield" in context.places


def test_prefixes_join_word_forms():
    assert prefixes("Intubated after intubation, DRUNK and drunken") == ["intub", "after", "intub", "drunk", "and", "drunk"]


@pytest.fixture(scope="module")
def model() -> Classifier:
    return load_classifier()


def test_training_is_deterministic(model):
    again = Classifier().fit(corpus.load(heldout=False))
    assert again.thresholds == model.thresholds
    assert np.allclose(again._weights, model._weights)
    assert np.allclose(again._nb_weights, model._nb_weights)


def test_presence_view_leaves_the_tfidf_weights_alone():
    X = sparse.csr_matrix(np.array([[0.2, 0.0, 0.7], [0.0, 0.25, 0.0]], dtype=np.float32))
    assert _present(X).toarray().tolist() == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    assert np.array_equal(X.toarray(), np.array([[0.2, 0.0, 0.7], [0.0, 0.25, 0.0]], dtype=np.float32))


def test_false_alarms_count_more_where_the_corpus_oversamples_a_category():
    assert _negative_weight(0.25, 0.15) == pytest.approx((0.25 / 0.75) / (0.15 / 0.85))
    assert _negative_weight(0.10, 0.15) == 1.0
    assert _negative_weight(0.25, None) == 1.0
    y = np.array([1] * 20 + [0] * 60)
    probs = np.concatenate([np.linspace(0.3, 0.9, 20), np.linspace(0.05, 0.75, 60)])
    as_in_corpus = _best_threshold(y, probs, 1.0)
    as_in_a_feed = _best_threshold(y, probs, 1.0, _negative_weight(0.25, 0.10))
    assert as_in_a_feed > as_in_corpus


def test_thresholds_are_chosen_on_writers_the_model_has_not_seen():
    writers = [f"w{i % 7}.jsonl" for i in range(70)]
    y = np.array([i % 3 == 0 for i in range(70)], dtype=int)
    folds = list(_folds(y, writers))
    assert len(folds) == 5
    for train, test in folds:
        assert not {writers[i] for i in train} & {writers[i] for i in test}
    assert sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(70))
    few = list(_folds(y, writers[:3] * 10 + ["w0.jsonl"] * 40))
    assert len(few) == 5 and all(len(test) for _, test in few)


def test_a_corpus_line_knows_its_writer():
    assert corpus.load(heldout=True)[0].writer == corpus.HELDOUT


def test_held_out_writers_never_reach_training():
    strangers = corpus.load_heldout_writers()
    training = corpus.load(heldout=False)
    assert len({e.writer for e in strangers}) == 16
    assert not {e.writer for e in strangers} & {e.writer for e in training}
    assert not {e.text for e in strangers} & {e.text for e in training}


def _pattern_span(lowered: str, term: str) -> tuple[int, int] | None:
    m = _term_pattern(term).search(lowered)
    return (m.start(), m.end()) if m else None


@pytest.mark.parametrize(("lowered", "term", "span"), [
    ("the drug seekers again", "drug seekers", (4, 16)),
    ("drug-seekers, again", "drug seekers", (0, 12)),
    ("drugs seekers", "drug seekers", None),
    ("re-admitted, readmit", "admit", None),
    ("bed_7 then bed 7", "bed 7", (11, 16)),
    ("bed7, bed 7", "bed 7", (6, 11)),
    ("#nightshift life", "#nightshift", (0, 11)),
    ("ça va, ça ira", "ça ira", (7, 13)),
])
def test_learned_terms_are_found_as_whole_words(lowered, term, span):
    assert _locate(lowered, term) == span == _pattern_span(lowered, term)


_WORDS = st.sampled_from(["bed", "7", "drug", "seekers", "ça", "x_y", "don't", "a/b", "#tag", "@pd", "🙄", "é"])


@given(st.lists(st.one_of(_WORDS, st.sampled_from([" ", ", ", "-", "_", "...", "\n", "é", "'"])), max_size=12),
       st.lists(_WORDS, min_size=1, max_size=3))
def test_finding_a_term_without_a_pattern_agrees_with_the_pattern(pieces, words):
    lowered, term = "".join(pieces), " ".join(words)
    assert _locate(lowered, term) == _pattern_span(lowered, term)


@pytest.mark.parametrize(("text", "kind", "flag"), [
    ("67F in bay 3 at 2am, BP 240/130, asked if I'd eaten. humbled", "post", "patient_reference"),
    ("the kindergarten teacher from Lincoln Elementary delivered in the back of an uber on I-95 tonight", "post", "patient_reference"),
    ("so glad your biopsy came back clear, see you thursday for the follow up!", "comment", "patient_reference"),
    ("these frequent flyers are ruining my life, every single night the same entitled drug seekers", "post", "venting"),
    ("four tequila shots deep in the call room lmao don't tell the PD 🥴", "post", "grand_rounds"),
    ("@cousin just double your lisinopril tonight and skip the ER, you'll be fine", "reply", "medical_advice"),
])
def test_model_flags_clear_cases(model, text, kind, flag):
    verdict = model.classify_texts([text], [kind])[0]
    assert flag in verdict.flags, verdict.scores
    assert verdict.risk >= 50
    assert any(ev.category == flag for ev in verdict.evidence)


@pytest.mark.parametrize(("text", "kind"), [
    ("RCT of 1,200 adults aged 65+: early mobilisation cut delirium by a third. great journal club", "post"),
    ("I can't give medical advice on here, please call your doctor or go to urgent care", "reply"),
    ("so tired after four nights in a row, sleeping until tuesday", "post"),
    ("grabbing coffee with friends before the game", "post"),
    ("we're hiring night nurses for 6 West! message me for the recruiter's email", "post"),
    ("lovely hike with the dog this morning", "post"),
    # four kinds of identifier, all in a case that says it is invented (flagged at 0.44 before the fiction columns)
    ("Teaching case, entirely made up: 71M, bed 6, new confusion at 2am, what do you check first?", "post"),
])
def test_model_leaves_hard_negatives_alone(model, text, kind):
    verdict = model.classify_texts([text], [kind])[0]
    assert verdict.flags == (), verdict.scores


@pytest.mark.parametrize("text", ["hi", "lol", "call me", "see you tomorrow", "haha yes"])
def test_a_few_words_with_nothing_concrete_are_not_flagged(model, text):
    verdict = model.classify_texts([text], ["dm"])[0]
    assert verdict.flags == () and verdict.risk < 35


@pytest.mark.parametrize(("text", "flag"), [("blacked out lol", "grand_rounds"), ("bed 9 coded", "patient_reference")])
def test_a_short_post_with_concrete_evidence_keeps_its_flag(model, text, flag):
    assert flag in model.classify_texts([text], ["post"])[0].flags


def test_patient_summary_names_the_identifiers(model):
    verdict = model.classify_texts(["52M in bed 7 came in at 3am after his tractor rolled on Route 9"], ["post"])[0]
    assert verdict.summary.endswith("together point to one patient")
    assert "age + sex" in verdict.summary and "bed/room" in verdict.summary


def test_a_repost_is_not_called_the_users_own_clinical_work(model):
    """A retweeted story was explained as "an encounter from the author's own clinical work", "from your work"."""
    text = "RT @nurse_amy: my patient finally went home after 40 days with us, we all cried"
    own, shared = model.classify_texts([text, text], ["post", "repost"])
    assert "patient_reference" in own.flags and "patient_reference" in shared.flags  # still in the user's feed
    assert own.summary == "describes a clinical encounter from your work"
    assert shared.summary == "a post you shared, written by someone else: describes a clinical encounter"
    reasons = {e.text: e.reason for e in shared.evidence}
    assert reasons["my patient"].startswith("describes an encounter from the original author's clinical work")
    assert {e.text: e.reason for e in own.evidence}["my patient"] == "describes an encounter from the author's own clinical work"


def test_a_flagged_story_that_mentions_simulation_or_fiction_says_so(model):
    """A sim scenario with several identifiers scored like a real patient, and the reason gave no hint it might not be."""
    sim, real = model.classify_texts(["Sim lab scenario this morning: a 30F in bay 2 at 0400 with a pulseless arm after a crash on Route 9",
                                      "a 30F in bay 2 at 0400 with a pulseless arm after a crash on Route 9"])
    caveat = "(it mentions simulation, fiction or a show: if no real patient is behind it, dismiss it)"
    assert "patient_reference" in sim.flags and sim.summary.endswith(caveat)
    assert "patient_reference" in real.flags and "simulation" not in real.summary


def test_a_bare_photo_of_a_scan_is_always_listed_to_look_at_again(model):
    """"look at this CT" alone scored 0.12, risk 24, and was kept: the photo is patient data whatever the words score."""
    bare, asked = model.classify_texts(["look at this CT", "can you look at this rash on my arm?"])
    assert bare.risk >= REVIEW_AT and bare.summary.startswith("not flagged, but it points to a photo of a scan")
    assert [(e.text, e.category) for e in bare.evidence] == [("look at this CT", "patient_reference")]
    item = Item(Platform.X, "1", Kind.POST, "look at this CT", None, "tweets.js")
    assert recommend(item, bare) == "review"
    assert asked.risk < REVIEW_AT and asked.evidence == ()


def test_keyword_baseline_is_naive():
    assert keyword_flags("my patient in room 4") == {"patient_reference"}
    assert keyword_flags("the guy who swallowed his airpods again") == set()


def test_evaluate_prints_both_columns():
    result = CliRunner().invoke(cli, ["evaluate"])
    assert result.exit_code == 0
    assert "backscroll" in result.output and "keywords" in result.output
    for cat in CATEGORIES:
        assert cat in result.output
    assert "Held-out writer (heldout.jsonl): 520 held-out posts by 1 writer" in result.output
    assert "by 16 writers the model never saw" in result.output
    assert result.output.count("keywords") == 2
    assert result.output.count("f1 95%") == 3  # a column in each table, and the line that explains it


def test_f1_interval_holds_the_f1_and_is_wider_when_writers_disagree():
    truth = np.array([True, False] * 50)
    perfect = f1_interval(truth, truth.copy(), ["a"] * 100)
    assert perfect == (1.0, 1.0)
    # Posts 0-49 by writer a, predicted right; 50-99 by writer b, every prediction wrong.
    predicted = np.concatenate([truth[:50], ~truth[50:]])
    low, high = f1_interval(truth, predicted, ["one writer"] * 100)
    assert low < 0.5 < high  # F1 is 0.5 here
    by_writer = f1_interval(truth, predicted, ["a"] * 50 + ["b"] * 50)
    # Two writers, one perfect and one always wrong: resampled as writers, F1 can be anything from 0 to 1.
    assert by_writer[0] < low and by_writer[1] > high and by_writer == (0.0, 1.0)


def test_a_summary_names_every_flag_patient_first():
    from audit.classifier import _summary

    both = _summary(("patient_reference", "venting"), ["age + sex", "bed/room"])
    assert both == "age + sex + bed/room together point to one patient; contempt or complaint aimed at people you work with or care for"
    assert _summary(("grand_rounds",), []) == "content you would not want projected at grand rounds"


def test_an_unflagged_post_worth_a_look_names_the_risk_its_risk_came_from():
    import numpy as np

    from audit.classifier import _near_miss

    thresholds = np.array([0.28, 0.58, 0.51, 0.57])
    # venting's raw score is higher, but measured against its threshold the patient score is the nearer miss
    assert _near_miss([0.22, 0.31, 0.0, 0.1], thresholds) == "not flagged, but close to patient reference (score 0.22, flagged from 0.28)"
    assert _near_miss([0.05, 0.50, 0.0, 0.1], thresholds).startswith("not flagged, but close to venting (score 0.50")
