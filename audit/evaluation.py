"""`backscroll evaluate`: held-out precision, recall and F1, classifier next to the keyword baseline."""

from __future__ import annotations

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


def _table(model: Classifier, test: list[corpus.Example]) -> str:
    verdicts = model.classify_texts([e.text for e in test], [e.kind for e in test])
    truth = [e.labels for e in test]
    ours = metrics(truth, [v.flags for v in verdicts])
    base = metrics(truth, [keyword_flags(e.text) for e in test])
    table = pd.concat({"": ours[["support"]], "backscroll": ours[["precision", "recall", "f1"]],
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
    lines += ["", "Thresholds: " + ", ".join(f"{c} {model.thresholds[c]:.2f}" for c in CATEGORIES)]
    return "\n".join(lines)
