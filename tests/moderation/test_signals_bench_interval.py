"""The bootstrap interval that bench/signals_bench.py prints around a macro-F1."""

import random

from bench.signals_bench import _macro_f1, bootstrap_interval


def _noisy(rows: int, accuracy: float, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    truth = [rng.choice(["negative", "neutral", "positive"]) for _ in range(rows)]
    said = [t if rng.random() < accuracy else rng.choice(["negative", "neutral"]) for t in truth]
    return truth, said


def test_perfect_predictions_have_no_spread() -> None:
    truth = ["negative", "neutral", "positive"] * 50
    assert bootstrap_interval(truth, truth, rounds=200) == (1.0, 1.0)


def test_interval_brackets_the_figure_and_narrows_with_more_rows() -> None:
    truth, said = _noisy(500, 0.75, seed=3)
    low, high = bootstrap_interval(truth, said, rounds=500)
    assert low < _macro_f1(truth, said) < high
    truth, said = _noisy(2000, 0.75, seed=3)
    wide_low, wide_high = low, high
    low, high = bootstrap_interval(truth, said, rounds=500)
    assert low < _macro_f1(truth, said) < high
    # four times the rows: about half as wide
    assert 0.35 < (high - low) / (wide_high - wide_low) < 0.7


def test_a_label_never_predicted_counts_as_zero_f1() -> None:
    truth = ["negative", "positive"] * 100
    said = ["negative"] * 200
    low, high = bootstrap_interval(truth, said, rounds=200)
    assert high <= 0.5  # F1 1/(1.5) for negative, 0 for positive: about 0.33
    assert abs(_macro_f1(truth, said) - (low + high) / 2) < 0.05
