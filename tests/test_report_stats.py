"""Holm and the intersection-union test against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest

from ganbench.report.stats import ALPHA, Change, holm, intersection_union


def test_holm_matches_the_hand_computed_step_down():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.04*1, 0.06) = 0.06; back in input order
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def _change(effect: float, p: float) -> Change:
    return Change(1.0, 1.0, 0.0, math.nan, math.nan, (0, 1, 2), effect=effect, p_t=p)


def test_intersection_union_holds_only_when_every_change_is_better():
    ps = [0.01, 0.02, 0.004, 0.03]
    right_way, max_p = intersection_union([_change(0.2, p) for p in ps], higher_is_better=True)
    assert right_way and max_p == pytest.approx(0.03) and max_p < ALPHA
    mixed = [_change(0.2, 0.01), _change(-0.1, 0.02), _change(0.3, 0.004), _change(0.1, 0.03)]
    assert intersection_union(mixed, higher_is_better=True)[0] is False
    assert intersection_union([_change(-0.2, p) for p in ps], higher_is_better=False)[0] is True
