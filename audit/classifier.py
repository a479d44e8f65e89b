"""Scores each item for the four risks: rules find the evidence, a trained model weighs it.

The model reads word n-grams, word prefixes, the rules that fired, how many
distinct identifier types appear together, and the kind of item (advice lives in
replies and messages). Each category averages two logistic regressions over
those features: one on their tf-idf weights, one on which of them are present,
scaled by how much more often each appears with the category than without (the
"NB-SVM" of Wang and Manning, 2012). It is trained from the team's
labelled corpus at first use, deterministically, and never downloaded or
unpickled. Thresholds are chosen by cross-validation that holds out whole writers,
leaning to recall for patient references: a missed patient story costs far
more than a false alarm the user dismisses in one click. Venting's is chosen as
if it were as rare as in a real feed, not as common as in the corpus.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from audit import corpus, modelcache, posted
from audit.context import Context
from audit.model import CATEGORIES, CATEGORY_TITLES, Evidence, Item, Kind, Verdict, item_columns, learned_reason
from audit.rules import CONTEXT_RULE, PATIENT, QUIET, RULES, Rule, compile_context, find_evidence, fired, lower_keeping_spans
from audit.triage import REVIEW_AT

KINDS = tuple(str(k) for k in Kind)
# Recall matters more than precision for patient references (F-beta with beta 2).
BETA = {"patient_reference": 2.0, "venting": 1.0, "grand_rounds": 1.0, "medical_advice": 1.0}
# How often venting appears in a real feed. The writers' briefs oversampled it (a fifth of the
# corpus); in the files written as whole feeds it is 15-18%, and its threshold is chosen as if
# at that rate, or most flags in a real archive would be false alarms. The other categories'
# corpus rates are within three points of their feed rates.
FEED_RATE = {"venting": 0.15}
SEVERITY = {"patient_reference": 1.0, "grand_rounds": 0.92, "medical_advice": 0.88, "venting": 0.82}
TOKEN_PATTERN = r"(?u)\b\w[\w'/&+.-]*\w\b|\b\w\b|[#@]\w+|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
_PREFIX_TOKEN = re.compile(r"[a-z0-9]+")


def prefixes(text: str) -> list[str]:
    """Words cut to five letters: `intubated`/`intubation`, `drunk`/`drunken` meet, as a stemmer would, cheaply.

    Measured leaving one writer's file out, this adds 3-5 F1 points, as much as
    character n-grams, at a fifth of their cost.
    """
    return [w[:5] for w in _PREFIX_TOKEN.findall(text.lower())]
_RULE_INDEX = {r.name: i for i, r in enumerate(RULES)}
# Rule features are 0/1 while tf-idf values sit near 0.1-0.3; unscaled, rules escape
# regularisation and the model leans on them too hard. 0.25 was best when each
# training writer's file was held out in turn (F1 +1 to +4 points per category).
RULE_SCALE = 0.25
# Words and phrases seen in fewer training posts are left out. Two, not three: holding out whole
# writers, average precision rose for patient references, venting and grand rounds (one was worse).
MIN_DF = 2
# Inverse regularisation strength of each category's tf-idf logistic regression.
LR_C = 4.0
# The same for the presence model, and the smoothing of its log-count ratios. Smoothing of 0.1
# rather than Wang and Manning's 1 lets words seen in a few dozen posts keep their ratio: holding
# out whole writers (4 folds), average precision rose in every category (venting 0.895 to 0.897).
NB_C = 1.0
NB_ALPHA = 0.1
# A post that says it is simulation or a made-up case needs its own weight against the identifiers it
# piles up ("Sim lab: 52M, bay 4, 0300"), which a linear model cannot give one cue alone. These columns
# repeat the identifier count for such posts and are left unscaled: holding out whole writers (4 folds,
# 186 writers), scaled ones let 26 of 69 identifier-rich made-up cases through, unscaled ones 14, with 5 of
# 6 real stories that happen to use a cue ("not a drill, not a manikin") still flagged.
_FICTION_COUNTS = len(RULES) + 2
_KIND_BASE = _FICTION_COUNTS + 2
_N_EXTRA = _KIND_BASE + len(KINDS)

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Which rules fired in a post, and how many distinct kinds of identifier: all the model reads."""

    fired: frozenset[str]
    identifiers: int


_IDENTIFIER_LABELS = {r.name: r.label for r in (*RULES, CONTEXT_RULE) if r.category == PATIENT and r.identifier}
# "52 yo M" is an age, an age and a sex at once: the three age rules are one kind of identifier, named by the most precise.
_AGE_RULES = ("age_sex_short", "age", "age_range")
_IDENTIFIER_KINDS = {name: "age" if name in _AGE_RULES else label for name, label in _IDENTIFIER_LABELS.items()}


def analyse(text: str, context_rx: re.Pattern[str] | None) -> Analysis:
    names = frozenset(fired(text, context_rx))
    return Analysis(names, len({_IDENTIFIER_KINDS[n] for n in names if n in _IDENTIFIER_KINDS}))


def _identifier_labels(found: Sequence[tuple[Rule, Evidence]]) -> list[str]:
    """Identifier kinds in the order the post shows them, for the summary; an age by its most precise rule."""
    best: dict[str, tuple[int, str]] = {}
    for rule, _ in found:
        kind = _IDENTIFIER_KINDS.get(rule.name)
        if kind is None:
            continue
        rank = _AGE_RULES.index(rule.name) if rule.name in _AGE_RULES else 0
        if kind not in best or rank < best[kind][0]:
            best[kind] = (rank, rule.label)
    return [label for _, label in best.values()]


def _features(analyses: Sequence[Analysis], kinds: Sequence[str]) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for i, (an, kind) in enumerate(zip(analyses, kinds, strict=True)):
        for name in an.fired:
            if name in _RULE_INDEX:
                rows.append(i)
                cols.append(_RULE_INDEX[name])
                vals.append(1.0)
        n = an.identifiers
        rows += [i, i]
        cols += [len(RULES), len(RULES) + 1]
        vals += [min(n, 4) / 4.0, 1.0 if n >= 2 else 0.0]
        if n and "fiction_sim" in an.fired:
            rows += [i, i]
            cols += [_FICTION_COUNTS, _FICTION_COUNTS + 1]
            vals += [min(n, 4) / 4.0 / RULE_SCALE, 1.0 / RULE_SCALE if n >= 2 else 0.0]
        if kind in KINDS:
            rows.append(i)
            cols.append(_KIND_BASE + KINDS.index(kind))
            vals.append(1.0)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(analyses), _N_EXTRA)) * RULE_SCALE


class Classifier:
    def __init__(self, context: Context | None = None) -> None:
        self.bind(context or Context())
        self.vectorizer = TfidfVectorizer(
            lowercase=True, ngram_range=(1, 2), min_df=MIN_DF, sublinear_tf=True, token_pattern=TOKEN_PATTERN, dtype=np.float32
        )
        self.prefixer = TfidfVectorizer(analyzer=prefixes, min_df=MIN_DF, sublinear_tf=True, dtype=np.float32)
        self.thresholds: dict[str, float] = {}
        self._vocab: list[str] = []

    def bind(self, context: Context) -> None:
        """Read the user's names as identifiers and post times in their zone."""
        self.context_terms, self.context_rx = compile_context(context)
        self.tz = posted.zone(context.timezone)

    # training

    def fit(self, examples: Sequence[corpus.Example]) -> Classifier:
        texts = [e.text for e in examples]
        kinds = [e.kind for e in examples]
        words = self.vectorizer.fit_transform(texts)
        self._vocab = self.vectorizer.get_feature_names_out().tolist()
        # Training analyses ignore the user's context: those names are not in the corpus.
        analyses = [analyse(t, None) for t in texts]
        X = sparse.hstack([words, self.prefixer.fit_transform(texts), _features(analyses, kinds)], format="csr")
        B = _present(X)
        writers = [e.writer for e in examples]
        fitted = []
        for cat in CATEGORIES:
            y = np.array([cat in e.labels for e in examples], dtype=int)
            probs = np.zeros(len(y))
            for train, test in _folds(y, writers):
                fold = _fit_pair(X[train], B[train], y[train])
                probs[test] = _pair_probs(X[test], B[test], *fold)
            self.thresholds[cat] = _best_threshold(y, probs, BETA[cat], _negative_weight(y.mean(), FEED_RATE.get(cat)))
            fitted.append(_fit_pair(X, B, y))
        weights, bias, nb_weights, nb_bias = zip(*fitted, strict=True)
        self._weights = np.vstack(weights).astype(np.float32)
        self._bias = np.array(bias, dtype=np.float32)
        self._nb_weights = np.vstack(nb_weights).astype(np.float32)
        self._nb_bias = np.array(nb_bias, dtype=np.float32)
        return self

    # keeping

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Everything training produced, as plain arrays (see `audit.modelcache`)."""
        return {
            "words": np.array(self._vocab, dtype=str),
            "words_idf": self.vectorizer.idf_,
            "prefixes": np.array(self.prefixer.get_feature_names_out().tolist(), dtype=str),
            "prefixes_idf": self.prefixer.idf_,
            "weights": self._weights,
            "bias": self._bias,
            "nb_weights": self._nb_weights,
            "nb_bias": self._nb_bias,
            "thresholds": np.array([self.thresholds[c] for c in CATEGORIES]),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Classifier | None:
        """The classifier `to_arrays` describes, or None if the arrays do not fit together."""
        clf = cls()
        words, prefixes = arrays["words"].tolist(), arrays["prefixes"].tolist()
        width = len(words) + len(prefixes) + _N_EXTRA
        if arrays["weights"].shape != (len(CATEGORIES), width) or arrays["nb_weights"].shape != (len(CATEGORIES), width) \
                or arrays["words_idf"].shape != (len(words),) \
                or arrays["prefixes_idf"].shape != (len(prefixes),) or arrays["thresholds"].shape != (len(CATEGORIES),):
            return None
        clf.vectorizer.vocabulary_ = {w: i for i, w in enumerate(words)}
        clf.vectorizer.idf_ = arrays["words_idf"]
        clf.prefixer.vocabulary_ = {w: i for i, w in enumerate(prefixes)}
        clf.prefixer.idf_ = arrays["prefixes_idf"]
        clf._vocab = words
        clf._weights = arrays["weights"].astype(np.float32)
        clf._bias = arrays["bias"].astype(np.float32)
        clf._nb_weights = arrays["nb_weights"].astype(np.float32)
        clf._nb_bias = arrays["nb_bias"].astype(np.float32)
        clf.thresholds = {c: float(t) for c, t in zip(CATEGORIES, arrays["thresholds"], strict=True)}
        return clf

    # scoring

    def classify_texts(self, texts: Sequence[str], kinds: Sequence[str] | None = None,
                       times: Sequence[datetime | None] | None = None) -> list[Verdict]:
        """One verdict per text; `times` (when each was posted) lets a post sent during the event it describes count against it.

        A kind outside KINDS (text read in a photo) adds no kind feature: the text is judged on its words and rules alone."""
        kinds = kinds or ["post"] * len(texts)
        if not texts:
            return []
        analyses = [analyse(t, self.context_rx) for t in texts]
        timed = self._posted_during(texts, analyses, times, kinds) if times is not None else {}
        X = sparse.hstack([self.vectorizer.transform(texts), self.prefixer.transform(texts), _features(analyses, kinds)],
                          format="csr")
        probs = _pair_probs(X, _present(X), self._weights.T, self._bias, self._nb_weights.T, self._nb_bias)
        for i, (text, an) in enumerate(zip(texts, analyses, strict=True)):
            probs[i] *= _brevity(text, an)
        # Rounded as before, one value at a time (Python's round, not NumPy's); the rest for the whole batch at once.
        scores = [[round(p, 4) for p in row] for row in probs.tolist()]
        thresholds = np.array([self.thresholds[c] for c in CATEGORIES])
        flagged = np.asarray(scores) >= thresholds
        risks = risk_scores(np.asarray(scores), thresholds, flagged, np.array([a.identifiers for a in analyses]))
        ptr, idx, data = X.indptr, X.indices, X.data
        out: list[Verdict] = []
        for i, row in enumerate(scores):
            if flagged[i].any():
                out.append(self._verdict(texts[i], row, int(risks[i]), analyses[i], idx[ptr[i]:ptr[i + 1]], data[ptr[i]:ptr[i + 1]],
                                         timed.get(i), shared=kinds[i] == "repost"))
            elif "image" in analyses[i].fired:
                # A photo of a scan or chart is patient data whatever the words around it score ("look at this CT"):
                # the post is always listed to look at again, with the photo rule's finding as its evidence.
                found = tuple(ev for rule, ev in find_evidence(texts[i], [], only=frozenset({"image"})) if rule.name == "image")
                out.append(Verdict(dict(zip(CATEGORIES, row, strict=True)), (), max(int(risks[i]), REVIEW_AT), found, _PHOTO_NOTE))
            else:
                near = _near_miss(row, thresholds) if risks[i] >= REVIEW_AT else ""
                out.append(Verdict(dict(zip(CATEGORIES, row, strict=True)), (), int(risks[i]), (), near))
        return out

    def classify_items(self, items: Sequence[Item], progress: Progress | None = None, batch: int = 4000) -> list[Verdict]:
        out: list[Verdict] = []
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            out += self.classify_texts(*item_columns(chunk))
            if progress:
                progress("classify", len(out), len(items))
        return out

    def _posted_during(self, texts: Sequence[str], analyses: list[Analysis], times: Sequence[datetime | None],
                       kinds: Sequence[str]) -> dict[int, Evidence]:
        """Posts sent within hours after the clock time they mention; each counts one more kind of identifier.

        Not a repost: when someone else's post was shared says nothing about when its story happened."""
        timed: dict[int, Evidence] = {}
        for i, (text, an, when, kind) in enumerate(zip(texts, analyses, times, kinds, strict=True)):
            if when is None or kind == "repost" or "time_exact" not in an.fired:
                continue
            if (ev := posted.posted_during(text, when, self.tz)) is not None:
                timed[i] = ev
                analyses[i] = Analysis(an.fired, an.identifiers + 1)
        return timed

    def _verdict(self, text: str, row: list[float], risk: int, analysis: Analysis, cols: np.ndarray, vals: np.ndarray,
                 timed: Evidence | None = None, *, shared: bool = False) -> Verdict:
        """A flagged post's verdict, with the evidence for each flag; `shared` for someone else's post the user reposted."""
        scores = dict(zip(CATEGORIES, row, strict=True))
        flags = tuple(c for c in CATEGORIES if scores[c] >= self.thresholds[c])
        found = find_evidence(text, self.context_terms, self.context_rx, only=analysis.fired)
        labels = _identifier_labels(found)
        lowered = lower_keeping_spans(text)
        evidence: list[Evidence] = []
        for cat in flags:
            evidence += [replace(ev, reason=_SHARED_ENCOUNTER) if shared and rule.name == "encounter" else ev
                         for rule, ev in found if ev.category == cat and rule.name not in QUIET]
            evidence += self._learned_evidence(text, lowered, cols, vals, cat, exclude=evidence)
        if timed is not None and PATIENT in flags:
            evidence.append(timed)
            labels.append(posted.LABEL)
        evidence.sort(key=lambda e: (e.start, -e.end))
        return Verdict(scores, flags, risk, tuple(evidence), _summary(flags, labels, shared=shared,
                                                                            fiction="fiction_sim" in analysis.fired))

    def _learned_evidence(
        self, text: str, lowered: str, cols: np.ndarray, vals: np.ndarray, cat: str, exclude: Iterable[Evidence], top: int = 3
    ) -> list[Evidence]:
        """The words that pushed this item's score up most, located in the text."""
        row = CATEGORIES.index(cat)
        words = cols < len(self._vocab)
        pushes = vals[words] * self._weights[row][cols[words]] + self._nb_weights[row][cols[words]]
        contributions = sorted(zip(pushes.tolist(), cols[words].tolist(), strict=True), reverse=True)
        taken = [(e.start, e.end) for e in exclude]
        out: list[Evidence] = []
        for value, j in contributions:
            if value <= 0.05 or len(out) >= top:
                break
            term = self._vocab[j]
            if not _worth_showing(term):
                continue
            at = _locate(lowered, term)
            if at is None or any(s < at[1] and at[0] < e for s, e in taken):
                continue
            taken.append(at)
            out.append(Evidence(cat, at[0], at[1], text[at[0]:at[1]], learned_reason(cat), round(value, 3)))
        return out


MIN_WORDS = 4
_WORD = re.compile(r"\w+")


def _brevity(text: str, analysis: Analysis) -> float:
    """How far learned wording alone can be trusted: a "hi" or "lol" in a DM tells no story.

    Under MIN_WORDS words, and with no rule finding anything concrete, scores shrink in
    proportion to the length; a short post with a bed number or "blacked out" keeps its score.
    """
    words = len(_WORD.findall(text))
    if words >= MIN_WORDS or not analysis.fired <= QUIET:
        return 1.0
    return words / (2 * MIN_WORDS)


def _locate(lowered: str, term: str) -> tuple[int, int] | None:
    """Where `_term_pattern(term)` would match first, found with `str.find` when the words allow it.

    Compiling a pattern for each new vocabulary term cost a tenth of classify time;
    terms whose words start and end with a word character (nearly all) need none.
    """
    parts = term.split()
    if not all(_is_word_char(p[0]) and _is_word_char(p[-1]) for p in parts):
        m = _term_pattern(term).search(lowered)
        return (m.start(), m.end()) if m else None
    at = lowered.find(parts[0])
    while at != -1:
        end = _match_at(lowered, at, parts)
        if end is not None:
            return at, end
        at = lowered.find(parts[0], at + 1)
    return None


def _is_word_char(ch: str) -> bool:
    """The regex `\\w`, for one character."""
    return ch.isalnum() or ch == "_"


def _match_at(lowered: str, at: int, parts: list[str]) -> int | None:
    """The end of `parts` found at `at` as whole words joined by non-word runs, or None."""
    if at > 0 and _is_word_char(lowered[at - 1]):
        return None
    pos, n = at + len(parts[0]), len(lowered)
    for part in parts[1:]:
        gap = pos
        while gap < n and not _is_word_char(lowered[gap]):
            gap += 1
        if gap == pos or not lowered.startswith(part, gap):
            return None
        pos = gap + len(part)
    return None if pos < n and _is_word_char(lowered[pos]) else pos


@lru_cache(maxsize=65536)
def _worth_showing(term: str) -> bool:
    """A learned term made only of stop words and single letters explains nothing to the reader."""
    return not all(w in ENGLISH_STOP_WORDS or len(w) < 2 for w in term.split())


@lru_cache(maxsize=65536)
def _term_pattern(term: str) -> re.Pattern[str]:
    """Compiled once per vocabulary term: re's own cache holds 512 and recompiling was a third of classify time."""
    return re.compile(r"(?<!\w)" + r"\W+".join(re.escape(p) for p in term.split()) + r"(?!\w)")


def _present(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """The same features as 0/1: which words, prefixes and rules the post has, not how much.

    Shares X's index arrays (read-only here) rather than copying them for every batch.
    """
    return sparse.csr_matrix((np.ones_like(X.data), X.indices, X.indptr), shape=X.shape)


def _fit_pair(X: sparse.csr_matrix, B: sparse.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, float]:
    """The two models for one category: weights and bias on tf-idf, then on presence.

    The presence model's weights come back multiplied by the log-count ratios, so
    scoring is one product with the 0/1 features, as cheap as the tf-idf model.
    """
    lr = LogisticRegression(C=LR_C, class_weight="balanced", max_iter=3000, solver="liblinear").fit(X, y)
    with_cat = NB_ALPHA + np.asarray(B[y == 1].sum(axis=0)).ravel()
    without = NB_ALPHA + np.asarray(B[y == 0].sum(axis=0)).ravel()
    ratios = np.log((with_cat / with_cat.sum()) / (without / without.sum()))
    nb = LogisticRegression(C=NB_C, class_weight="balanced", max_iter=3000, solver="lbfgs").fit(B @ sparse.diags(ratios), y)
    return lr.coef_[0], float(lr.intercept_[0]), nb.coef_[0] * ratios, float(nb.intercept_[0])


def _pair_probs(X: sparse.csr_matrix, B: sparse.csr_matrix, w: np.ndarray, b: float | np.ndarray,
                nw: np.ndarray, nb: float | np.ndarray) -> np.ndarray:
    """The mean of the two models' probabilities (one column, or one per category when given matrices)."""
    return (1.0 / (1.0 + np.exp(-(X @ w + b))) + 1.0 / (1.0 + np.exp(-(B @ nw + nb)))) / 2


def _folds(y: np.ndarray, writers: Sequence[str], n: int = 5) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Folds that hold out whole writers, because a user's archive is by a writer the model never saw.

    A seen writer's other posts score more confidently than a stranger's, so
    thresholds chosen on them sit in the wrong place for a real archive.
    """
    if len(set(writers)) >= n:
        return GroupKFold(n_splits=n).split(y, y, groups=writers)
    return StratifiedKFold(n_splits=n, shuffle=True, random_state=7).split(y, y)


def _negative_weight(rate: float, feed_rate: float | None) -> float:
    """How much each harmless training post stands for, so that the category is as rare as in a feed."""
    if feed_rate is None or not 0 < feed_rate < rate < 1:
        return 1.0
    return (rate / (1 - rate)) / (feed_rate / (1 - feed_rate))


def _best_threshold(y: np.ndarray, probs: np.ndarray, beta: float, negative_weight: float = 1.0) -> float:
    """The threshold with the best F-beta, counting each false alarm `negative_weight` times."""
    best, best_t = -1.0, 0.5
    for t in np.arange(0.15, 0.86, 0.01):
        pred = probs >= t
        tp = float(np.sum(pred & (y == 1)))
        fp = float(np.sum(pred & (y == 0))) * negative_weight
        fn = float(np.sum(~pred & (y == 1)))
        b2 = beta * beta
        score = (1 + b2) * tp / max((1 + b2) * tp + b2 * fn + fp, 1.0)
        if score > best + 1e-9:
            best, best_t = score, float(t)
    return round(best_t, 2)


_SEVERITY_ROW = np.array([SEVERITY[c] for c in CATEGORIES])


def _weighted(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Each category's score scaled so its threshold sits at 0.5, weighted by severity: what risk is made of."""
    scaled = np.where(scores < thresholds, 0.5 * scores / thresholds, 0.5 + 0.5 * (scores - thresholds) / np.maximum(1 - thresholds, 1e-6))
    return scaled * _SEVERITY_ROW


def risk_scores(scores: np.ndarray, thresholds: np.ndarray, flagged: np.ndarray, identifiers: np.ndarray) -> np.ndarray:
    """0–100 per row: the worst category, scaled so its threshold sits at 50, weighted by severity,
    plus a little for several flags or several kinds of identifier together."""
    risk = np.maximum(_weighted(scores, thresholds).max(axis=1), 0.0) * 100
    flags = flagged.sum(axis=1)
    risk = np.where(flags > 0, risk + 4 * (flags - 1) + 3 * np.maximum(identifiers - 1, 0), risk)
    return np.clip(np.rint(risk), 0, 100).astype(int)


_PHOTO_NOTE = "not flagged, but it points to a photo of a scan, chart or monitor: look at the photo before keeping it"


def _near_miss(row: Sequence[float], thresholds: np.ndarray) -> str:
    """Why an unflagged post is still worth a look: the risk it came closest to, as `risk_scores` weighs it."""
    i = int(np.argmax(_weighted(np.asarray(row), thresholds)))
    return f"not flagged, but close to {CATEGORY_TITLES[CATEGORIES[i]].lower()} (score {row[i]:.2f}, flagged from {thresholds[i]:.2f})"


_FLAG_SUMMARIES = {"venting": "contempt or complaint aimed at people you work with or care for",
                   "grand_rounds": "content you would not want projected at grand rounds",
                   "medical_advice": "individual medical advice given online"}


# A repost's story is someone else's clinical work, still shown to the user's followers.
_SHARED_ENCOUNTER = "describes an encounter from the original author's clinical work; reposting it shows it to your followers"


def _summary(flags: Sequence[str], identifier_labels: list[str], *, shared: bool = False, fiction: bool = False) -> str:
    """One line per flag, the patient's first: a story that is also venting says both.

    A `fiction` cue ("sim lab", "composite", a TV show) beside identifiers is said, so a teaching case is quick to
    dismiss; the flag stays, because "details changed" is how real stories are told too."""
    parts = [_FLAG_SUMMARIES[f] for f in flags if f != PATIENT]
    if PATIENT in flags:
        if len(identifier_labels) >= 2:
            patient = " + ".join(identifier_labels[:5]) + " together point to one patient"
        elif identifier_labels:
            patient = f"describes a clinical encounter; {identifier_labels[0]} narrows who it was"
        else:
            patient = "describes a clinical encounter" + ("" if shared else " from your work")
        if fiction:
            patient += " (it mentions simulation, fiction or a show: if no real patient is behind it, dismiss it)"
        parts.insert(0, patient)
    return ("a post you shared, written by someone else: " if shared else "") + "; ".join(parts)


@lru_cache(maxsize=1)
def _trained_base() -> Classifier:
    """Trained on the corpus on first use on this computer, then read back from the cache."""
    where = modelcache.path()
    arrays = modelcache.load(where)
    kept = Classifier.from_arrays(arrays) if arrays is not None else None
    if kept is not None:
        return kept
    trained = Classifier().fit(corpus.load(heldout=False))
    modelcache.save(where, trained.to_arrays())
    return trained


def model_ready() -> bool:
    """Whether `load_classifier` can answer without training: already in this process, or in the cache."""
    return _trained_base.cache_info().currsize > 0 or modelcache.path().exists()


def load_classifier(context: Context | None = None) -> Classifier:
    """The trained classifier (trained once per process), bound to the user's context."""
    base = _trained_base()
    if context is None or not (context.terms() or context.timezone):
        return base
    bound = copy.copy(base)
    bound.bind(context)
    return bound
