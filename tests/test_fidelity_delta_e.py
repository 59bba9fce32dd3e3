"""``delta_e`` accepts any numpy array: reversed (negative-stride) and read-only views included."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from colorspace import delta_e, pairwise_delta_e


@pytest.fixture
def colours() -> np.ndarray:
    return np.random.default_rng(0).uniform([0, -60, -60], [100, 60, 60], (6, 3))


@pytest.mark.parametrize("method", ["ciede2000", "cie76"])
def test_reversed_views_give_the_values_of_their_copies(colours, method):
    reversed_rows = colours[::-1]
    assert any(stride < 0 for stride in reversed_rows.strides)
    expected = delta_e(colours, reversed_rows.copy(), method=method)
    np.testing.assert_array_equal(delta_e(colours, reversed_rows, method=method), expected)
    np.testing.assert_array_equal(delta_e(reversed_rows, colours, method=method), expected)
    every_other = colours[::-2, ::-1]  # negative strides on both axes
    np.testing.assert_array_equal(delta_e(every_other, colours[:3], method=method),
                                  delta_e(every_other.copy(), colours[:3], method=method))
    np.testing.assert_allclose(pairwise_delta_e(reversed_rows), pairwise_delta_e(reversed_rows.copy()))


def test_read_only_broadcast_views_are_accepted_without_a_warning(colours):
    one = np.broadcast_to(colours[0], colours.shape)
    assert not one.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = delta_e(one, colours)
    np.testing.assert_array_equal(result, delta_e(np.repeat(colours[:1], 6, axis=0), colours))
    assert result[0] == 0
