"""The explorer's colour-term tab as plain Python: clusters as swatches, one colour word's cluster, centroid
and nearest terms, and a model's embedding neighbours next to the perceptual ones."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from _asserts import names_all, raises_naming

from colorspace import default_lookup, delta_e, lab_to_srgb
from ganbench.explore.colour_terms import (
    cluster_swatches,
    describe_colour_word,
    embedding_neighbours,
    lab_hex,
)
from ganbench.explore.sources import ExploreError, open_run

HEX = re.compile(r"^#[0-9a-f]{6}$")


@pytest.fixture(scope="module")
def models(explore_runs):
    return {name: open_run(explore_runs[name]) for name in ("restgan", "stackgan-bow")}


def test_every_cluster_and_term_is_a_swatch():
    lookup = default_lookup()
    clusters = cluster_swatches(lookup)
    assert len(clusters) == lookup.n_clusters
    assert sorted(s.term for c in clusters for s in c.members) == sorted(lookup.terms)
    assert all(HEX.match(s.hex) for c in clusters for s in [c.centroid, *c.members])
    navy = next(c for c in clusters if "navy" in [s.term for s in c.members])
    assert {"navy", "navy blue"} <= {s.term for s in navy.members}


def test_lab_hex_is_the_srgb_of_the_colour():
    lab = np.array([53.2, 80.1, 67.2])  # about sRGB red
    rgb = lab_to_srgb(lab, as_uint8=True)
    assert lab_hex(lab) == "#" + "".join(f"{int(v):02x}" for v in rgb)
    assert lab_hex([100.0, 0.0, 0.0]) == "#ffffff" and lab_hex([0.0, 0.0, 0.0]) == "#000000"


def test_a_table_word_gets_its_cluster_centroid_and_nearest_terms():
    lookup = default_lookup()
    info = describe_colour_word("Navy", lookup, n_nearest=5)
    assert info.swatch.term == "navy" and info.cluster.id == lookup.cluster_of("navy")
    assert info.cluster.centroid.lab == pytest.approx(lookup.centroid(info.cluster.id))
    distances = [d for _, d in info.nearest]
    assert len(info.nearest) == 5 and distances == sorted(distances)
    expected = sorted((float(delta_e(np.array(lookup.term_lab("navy")), np.array(lookup.term_lab(t)))), t)
                      for t in lookup.terms if t != "navy")[:5]
    assert [s.term for s, _ in info.nearest] == [t for _, t in expected]


def test_a_colour_outside_the_table_gets_the_nearest_cluster():
    lookup = default_lookup()
    assert "periwinkle" not in lookup.terms
    info = describe_colour_word("periwinkle", lookup)
    assert info.swatch.term == "periwinkle" and "nearest cluster" in info.note
    assert info.cluster.id == lookup.nearest_cluster(info.swatch.lab)


def test_a_misspelt_word_gets_the_tables_suggestion():
    info = describe_colour_word("burgandy", default_lookup())
    assert info.cluster is None and info.nearest == [] and "burgundy" in info.note
    assert describe_colour_word("zzzz", default_lookup()).note == "not a colour term"


def test_an_empty_word_is_refused():
    with raises_naming(ExploreError, "colour word"):
        describe_colour_word("  ", default_lookup())


def test_colour_model_neighbours_are_the_cluster_mates(models):
    restgan, lookup = models["restgan"], default_lookup()
    found = embedding_neighbours(restgan, "navy", k=3)
    assert found.source == "cluster token" and found.message == ""
    mates = set(lookup.clusters[lookup.cluster_of("navy")].members) - {"navy"}
    # a cluster's members share the cluster token's vector: cosine 1, listed first
    listed = {t for t, _ in found.embedding}
    assert {t for t, c in found.embedding if c == pytest.approx(1.0)} == mates & listed
    assert found.embedding[0][0] in mates
    distances = [d for _, d in found.perceptual]
    assert distances == sorted(distances) and found.perceptual[0][0] in mates | {"midnight blue"}


def test_word_embedding_neighbours_follow_the_cosine(models):
    bow = models["stackgan-bow"]
    found = embedding_neighbours(bow, "black", k=4)
    assert found.source == "word" and len(found.embedding) == 4
    cosines = [c for _, c in found.embedding]
    assert cosines == sorted(cosines, reverse=True)
    terms, matrix = bow.model.token_embeddings()
    vectors = dict(zip(terms, matrix, strict=True))
    first, cosine = found.embedding[0]
    if " " not in first:
        expected = torch.nn.functional.cosine_similarity(vectors["black"], vectors[first], dim=0)
        assert cosine == pytest.approx(float(expected), abs=1e-5)


def test_a_word_without_a_vector_says_so(models):
    found = embedding_neighbours(models["stackgan-bow"], "qqqzzz")
    assert found.embedding == [] and names_all(found.message, "'qqqzzz'", "vector")
