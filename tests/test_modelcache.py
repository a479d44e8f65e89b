"""The model cache: the same verdicts as training afresh, and never trusted blindly."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from audit import corpus, modelcache
from audit.classifier import Classifier, _trained_base
from audit.pipeline import gc_paused

TEXTS = ["52M in bed 7 at 3am, wife says he fell off a ladder at the Elm St gym", "so tired after 28h call",
         "blackout drunk at the conference lol", "you should double your metformin tonight", "the family in 12 is insane 🙄"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BACKSCROLL_CACHE", str(tmp_path / "cache"))
    _trained_base.cache_clear()
    yield tmp_path / "cache"
    _trained_base.cache_clear()


def test_cached_model_gives_the_verdicts_of_a_fresh_one(cache: Path) -> None:
    first = _trained_base()
    files = list(cache.glob("model-*.npz"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    _trained_base.cache_clear()
    again = _trained_base()
    assert again is not first and again.thresholds == first.thresholds
    assert again.classify_texts(TEXTS) == first.classify_texts(TEXTS)


def test_a_damaged_cache_is_ignored_and_rewritten(cache: Path) -> None:
    _trained_base()
    (path,) = cache.glob("model-*.npz")
    path.write_bytes(path.read_bytes()[:500])
    _trained_base.cache_clear()
    assert _trained_base().classify_texts(TEXTS[:1])[0].flags
    assert modelcache.load(path) is not None


def test_arrays_that_do_not_fit_together_are_refused() -> None:
    arrays = _trained_base().to_arrays()
    arrays["weights"] = arrays["weights"][:, :-1]
    assert Classifier.from_arrays(arrays) is None


def test_a_pickle_in_the_cache_is_never_run(cache: Path, tmp_path: Path) -> None:
    path = modelcache.path()
    path.parent.mkdir(parents=True)
    np.save(path.with_suffix(".npy"), np.array([{"x": 1}], dtype=object), allow_pickle=True)
    shutil.move(path.with_suffix(".npy"), path)
    assert modelcache.load(path) is None


def test_the_key_follows_the_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = modelcache.key()
    copy = tmp_path / "corpus"
    shutil.copytree(corpus.corpus_dir(), copy)
    monkeypatch.setattr(corpus, "corpus_dir", lambda: copy)
    assert modelcache.key() == before
    with (copy / "extra.jsonl").open("w") as fh:
        fh.write('{"text": "one more", "labels": []}\n')
    assert modelcache.key() != before
    (copy / "extra.jsonl").unlink()
    (copy / corpus.HELDOUT).write_text("")  # the held-out file never trains, so it is not part of the key
    assert modelcache.key() == before


def test_an_unwritable_cache_folder_only_costs_the_training(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("BACKSCROLL_CACHE", str(blocker / "cache"))
    _trained_base.cache_clear()
    try:
        assert _trained_base().classify_texts(TEXTS[2:3])[0].flags
    finally:
        _trained_base.cache_clear()


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
