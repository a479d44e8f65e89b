"""The rule gates may let a text through needlessly, but must never stop one a rule would match."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit import corpus, prefilter
from audit.rules import _REGEX_RULES, RULES, find_evidence, fired


@pytest.mark.parametrize("rule", [r for r, _ in _REGEX_RULES], ids=lambda r: r.name)
def test_every_string_the_rule_matches_passes_its_gate(rule) -> None:
    gate = prefilter.gate(rule.regex)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_regex(rule.regex))
    def check(text: str) -> None:
        if rule.regex.search(text):
            assert prefilter.passes(gate, text), (rule.name, text)

    check()


def test_gates_are_read_off_the_pattern() -> None:
    assert prefilter.clauses(re.compile(r"\bbed\s?\d+")) == [frozenset({"bed"}), frozenset({prefilter.DIGIT})]
    # alternatives: one of the branches' substrings; a repeated literal joins its neighbours
    assert prefilter.clauses(re.compile(r"(?:pod|bay)\s\d|r\*+d")) == [frozenset({"pod", "bay", "r*"})]
    # optional parts, lookarounds and case-insensitive groups add nothing
    assert prefilter.clauses(re.compile(r"(?:abc)?(?=xyz)(?i:def)")) == []
    assert prefilter.clauses(re.compile("abc", re.IGNORECASE)) == []
    assert prefilter.passes(prefilter.gate(re.compile(r"\bbed\s?\d+")), "bed ٣") is True  # \d is any decimal digit
    assert prefilter.passes(prefilter.gate(re.compile(r"\bbed\s?\d+")), "bedside manner") is False


def test_a_gate_never_hides_a_match_in_the_corpus() -> None:
    for example in corpus.load(heldout=False):
        found = {r.name for r, _ in find_evidence(example.text, [], None)}
        for rule, _ in _REGEX_RULES:
            target = example.text if rule.case else example.text.lower()
            if any(m.end() > m.start() for m in rule.regex.finditer(target)):
                assert rule.name in found, (rule.name, example.origin)


_PIECES = st.sampled_from(["bed ", "room ", "4", "52", "yo ", "M ", "Mr ", "St ", "the ", "my ", "lady ", "in ", "n=", "*", "r*", "@",
                           "😂", "🍆", "am ", "pm ", "mg ", "drunk ", "frequent flyer ", "you should ", "x", " ", "."])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=4), max_size=20).map("".join))
def test_fired_names_exactly_the_rules_find_evidence_reports(text: str) -> None:
    assert fired(text) == {rule.name for rule, _ in find_evidence(text, [], None)}


def test_fired_matches_find_evidence_on_the_corpus() -> None:
    for example in corpus.load(heldout=False):
        assert fired(example.text) == {rule.name for rule, _ in find_evidence(example.text, [], None)}, example.origin


def test_every_rule_regex_has_a_gate_or_is_known_to_run_always() -> None:
    # A rule whose gate comes out empty runs on every post: fine, but it should be a choice.
    always = {r.name for r, gate in _REGEX_RULES if not gate}
    assert always <= {"place", "directive"}, always
    assert {r.name for r in RULES if r.regex is not None} == {r.name for r, _ in _REGEX_RULES}
