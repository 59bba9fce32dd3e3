"""Colour-term study over between-cluster pairs: the figure a cluster-token model cannot win for free."""

from __future__ import annotations

import numpy as np
import pytest

import colorspace
from colorspace.study import run_study
from ganbench.report.colour_pairs import between_cluster_figures, between_cluster_mask


def test_the_mask_keeps_pairs_of_different_known_clusters():
    mask = between_cluster_mask(["navy", "navy blue", "red", "odd"], {"navy": 1, "navy blue": 1, "red": 2})
    np.testing.assert_array_equal(mask, [[False, False, True, False], [False, False, True, False],
                                         [True, True, False, False], [False, False, False, False]])


@pytest.fixture(scope="module")
def table():
    return colorspace.default_lookup()


def _study(table, vectors):
    labs = {term: table.term_lab(term) for term in table.terms}
    cluster_of = {term: table.cluster_of(term) for term in table.terms}
    summary, _, matrices = run_study(vectors, labs, cluster_of, n_permutations=10, seed=0)
    return summary, between_cluster_figures(matrices, cluster_of)


def test_cluster_tokens_gain_on_all_pairs_but_not_between_clusters(table):
    rng = np.random.default_rng(1)
    labs = {term: np.asarray(table.term_lab(term)) for term in table.terms}
    # a model reading colour words as cluster tokens: one random vector per cluster, no colour in it
    per_cluster = {c: rng.normal(size=8) for c in {table.cluster_of(t) for t in table.terms}}
    tokens, token_between = _study(table, {t: per_cluster[table.cluster_of(t)] for t in table.terms})
    # an embedding that follows CIELAB term by term
    lab, lab_between = _study(table, {t: labs[t] + rng.normal(0, 1, 3) for t in table.terms})
    assert tokens.spearman_rho > 0.05 and tokens.nn_agreement > lab.nn_agreement  # inflated by construction
    assert abs(token_between["rho_between"]) < 0.1 and token_between["nn_between"] < 0.05
    assert lab_between["rho_between"] > 0.5 and lab_between["nn_between"] > 0.1
    assert token_between["between_pairs"] == lab_between["between_pairs"] > 1000
