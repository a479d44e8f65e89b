"""`backscroll evaluate`: held-out precision, recall and F1, classifier next to the keyword baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit import corpus
from audit.baseline import keyword_flags
from audit.classifier import Classifier, load_classifier
from audit.model import CATEGORIES


def metrics(truth: list[frozenset[str]], predicted: list[set[str] | tuple[str, ...]]) -> pd.DataFrame:
    rows = []
    for cat in CATEGORIES:
        tp = sum(cat in t and cat in p for t, p in zip(truth, predicted, strict=True))
        fp = sum(cat not in t and cat in p for t, p in zip(truth, predicted, strict=True))
        fn = sum(cat in t and cat not in p for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"category": cat, "support": tp + fn, "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows).set_index("category")


def f1_interval(truth: np.ndarray, predicted: np.ndarray, writers: list[str], rounds: int = 2000) -> tuple[float, float]:
    """The 95% bootstrap interval of one category's F1 (`truth`, `predicted`: one bool per post).

    With several writers, whole writers are resampled: one writer's posts share a style and
    stand or fall together, so resampling posts would make the interval look narrower than it is.
    """
    units = np.unique(writers, return_inverse=True)[1] if len(set(writers)) > 1 else np.arange(len(truth))
    counts = np.zeros((units.max() + 1, 3))
    np.add.at(counts, units, np.column_stack([truth & predicted, ~truth & predicted, truth & ~predicted]))
    n = len(counts)
    times_drawn = np.random.default_rng(0).multinomial(n, np.full(n, 1 / n), size=rounds)  # resampling with replacement
    tp, fp, fn = (times_drawn @ counts).T
    f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    return float(np.percentile(f1, 2.5)), float(np.percentile(f1, 97.5))


def _table(model: Classifier, test: list[corpus.Example]) -> str:
    verdicts = model.classify_texts([e.text for e in test], [e.kind for e in test])
    truth = [e.labels for e in test]
    ours = metrics(truth, [v.flags for v in verdicts])
    writers = [e.writer for e in test]
    intervals = []
    for cat in CATEGORIES:
        low, high = f1_interval(np.array([cat in t for t in truth]), np.array([cat in v.flags for v in verdicts]), writers)
        intervals.append(f"{low:.2f}-{high:.2f}")
    ours["f1 95%"] = intervals
    base = metrics(truth, [keyword_flags(e.text) for e in test])
    table = pd.concat({"": ours[["support"]], "backscroll": ours[["precision", "recall", "f1", "f1 95%"]],
                       "keywords": base[["precision", "recall", "f1"]]}, axis=1)
    return table.to_string(float_format=lambda v: f"{v:.2f}")


def evaluate() -> str:
    """Both held-out splits: the one writer the targets are set on, and sixteen more strangers."""
    train = corpus.load(heldout=False)
    splits = [
        (f"Held-out writer ({corpus.HELDOUT})", corpus.load(heldout=True)),
        (f"Held-out writers ({corpus.HELDOUT_WRITERS}/)", corpus.load_heldout_writers()),
    ]
    splits = [(name, test) for name, test in splits if test]
    if not splits:
        return f"No held-out posts ({corpus.HELDOUT}, {corpus.HELDOUT_WRITERS}/); nothing to evaluate."
    model = load_classifier()  # the model scans use: trained on `train`, from the cache when its key matches
    lines = [f"Trained on {len(train)} posts by {len({e.writer for e in train})} writers."]
    for name, test in splits:
        writers = len({e.writer for e in test})
        lines += ["", f"{name}: {len(test)} held-out posts by {writers} writer{'s' if writers > 1 else ''} the model never saw.",
                  "", _table(model, test)]
    lines += ["", "f1 95%: the range F1 would likely take on other posts like these "
              "(95% bootstrap interval; whole writers resampled when there are several).",
              "Thresholds: " + ", ".join(f"{c} {model.thresholds[c]:.2f}" for c in CATEGORIES)]
    return "\n".join(lines)
