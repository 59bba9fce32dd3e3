"""Vocabularies, clustering determinism, the lookup table and its files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _asserts import raises_naming

from colorspace import (
    ColourTerm,
    LookupTable,
    LookupTableError,
    catalog_terms,
    cluster_terms,
    default_lookup,
    delta_e,
    load_vocabulary,
)
from colorspace.cluster import ClusteringError
from colorspace.reference import hex_to_srgb, srgb_to_lab_reference
from colorspace.vocabulary import UnknownVocabularyError


def test_builtin_vocabularies_have_expected_sizes_and_sources():
    xkcd = load_vocabulary("xkcd")
    assert len(xkcd) == 949
    assert "navy blue" in xkcd and not any(name.startswith("xkcd:") for name in xkcd)
    css = load_vocabulary("css")
    assert "midnight blue" in css and css["navy"].hex == "#000080"
    apparel = load_vocabulary("apparel")
    assert {"light wash", "dark wash", "heather grey", "nude", "stone", "ecru"} <= set(apparel)
    default = load_vocabulary("default")
    # Source rule apparel > xkcd > css: one source per name.
    assert default["khaki"].source == "apparel"
    assert default["navy"].source == "xkcd"
    assert default["rebeccapurple"].source == "css"
    with raises_naming(UnknownVocabularyError, "'pantone'", "xkcd"):
        load_vocabulary("pantone")


def test_term_lab_comes_from_colour_science():
    term = load_vocabulary("xkcd")["navy"]
    np.testing.assert_allclose(term.lab, srgb_to_lab_reference(hex_to_srgb("#01153e")), atol=1e-9)
    # The design note: xkcd and CSS navy are about 14 dE00 apart.
    assert 12 < delta_e(term.lab, load_vocabulary("css")["navy"].lab) < 16


def test_catalog_terms_hold_the_synonym_groups_in_popularity_order():
    terms = catalog_terms()
    names = [t.name for t in terms]
    assert 60 <= len(terms) <= 75 and len(set(names)) == len(names)
    for name in ("navy", "navy blue", "midnight blue", "burgundy", "maroon", "wine", "khaki", "tan",
                 "charcoal", "dark grey", "light wash", "dark wash", "heather grey"):  # fmt: skip
        assert name in names
    assert names[0] == "black" and names.index("navy") < names.index("midnight blue")


def test_clustering_is_deterministic_and_complete():
    terms = catalog_terms()
    for options in ({"method": "average", "max_de": 16.0}, {"method": "kmeans", "k": 12},
                    {"method": "complete", "k": 20}):  # fmt: skip
        first, second = cluster_terms(terms, **options), cluster_terms(terms, **options)
        assert first == second
        members = [m for c in first for m in c.members]
        assert sorted(members) == sorted(t.name for t in terms)
        assert [c.id for c in first] == list(range(len(first)))
    kmeans = cluster_terms(terms, method="kmeans", k=12)
    assert len(kmeans) == 12


def test_complete_linkage_bounds_within_cluster_distance():
    terms = catalog_terms()
    labs = {t.name: t.lab for t in terms}
    for cluster in cluster_terms(terms, method="complete", max_de=12.0):
        lab = np.array([labs[m] for m in cluster.members])
        assert delta_e(lab[:, None], lab[None, :]).max() <= 12.0 + 1e-9


def test_cluster_names_frequent_and_central():
    labs = {"a": (50.0, 0.0, 0.0), "b": (52.0, 0.0, 0.0), "c": (54.0, 0.0, 0.0), "d": (90.0, 40.0, 40.0)}
    terms = [ColourTerm(name, lab, "test") for name, lab in labs.items()]
    frequent = cluster_terms(terms, k=2)
    assert [c.name for c in frequent] == ["a", "d"] and frequent[0].members == ("a", "b", "c")
    np.testing.assert_allclose(frequent[0].centroid, (52.0, 0.0, 0.0))
    assert cluster_terms(terms, k=2, naming="central")[0].name == "b"
    assert cluster_terms(terms, k=2, weights=[1, 5, 2, 1])[0].name == "b"


def test_clustering_rejects_bad_parameters():
    terms = catalog_terms()
    with raises_naming(ClusteringError, "k", "max_de"):
        cluster_terms(terms)
    with raises_naming(ClusteringError, "500"):
        cluster_terms(terms, k=500)
    with raises_naming(ClusteringError, "k-means"):
        cluster_terms(terms, method="kmeans")


def test_default_lookup_groups_synonyms_and_separates_navy_and_khaki():
    table = default_lookup()
    assert 15 <= table.n_clusters <= 25
    navy = table.cluster_of("navy")
    assert navy is not None and table.cluster_of("navy blue") == navy == table.cluster_of("midnight blue")
    assert table.cluster_of("burgundy") == table.cluster_of("maroon") == table.cluster_of("wine")
    assert table.cluster_of("khaki") == table.cluster_of("tan")
    assert table.cluster_of("charcoal") == table.cluster_of("dark grey")
    assert table.cluster_of("khaki") != navy
    result = table.lookup("Navy-Blue")
    assert result.is_colour and result.term == "navy blue" and result.cluster_id == navy
    assert result.centroid == table.centroid(navy)
    assert table.lookup("gray").term == "grey"


def test_unknown_words_get_a_suggestion_or_not_a_colour():
    table = default_lookup()
    typo = table.lookup("burgandy")
    assert not typo.is_colour and typo.suggestion == "burgundy" and typo.cluster_id is None
    assert table.lookup("heather gray").term == "heather grey"
    other = table.lookup("trousers")
    assert not other.is_colour and other.suggestion is None and other.note == "not a colour term"
    assert table.lookup("").is_colour is False
    known_elsewhere = table.lookup("chartreuse", vocabulary=load_vocabulary("default"))
    assert known_elsewhere.is_colour and known_elsewhere.cluster_id is not None


def test_find_terms_prefers_the_longest_match():
    table = default_lookup()
    tokens = ["women's", "navy", "blue", "light", "wash", "jeans", "navy"]
    assert table.find_terms(tokens) == [(1, 3, "navy blue"), (3, 5, "light wash"), (6, 7, "navy")]
    assert table.find_terms(["pants"]) == []


def test_save_and_load_json_and_csv_keep_the_hash(tmp_path):
    table = default_lookup()
    loaded = LookupTable.load(table.save(tmp_path / "table.json"))
    assert loaded.hash == table.hash and loaded.terms == table.terms
    assert loaded.cluster_names == table.cluster_names
    from_csv = LookupTable.load(table.save(tmp_path / "table.csv"))
    assert from_csv.hash == table.hash
    assert from_csv.cluster_of("wine") == table.cluster_of("wine")


def test_hash_changes_with_content_and_tampering_is_caught(tmp_path):
    terms = catalog_terms()
    assert LookupTable.from_terms(terms, k=20).hash != default_lookup().hash
    path = default_lookup().save(tmp_path / "table.json")
    data = json.loads(path.read_text())
    data["terms"][0]["lab"][0] += 1.0
    path.write_text(json.dumps(data))
    with raises_naming(LookupTableError, path, "hash"):
        LookupTable.load(path)
    (tmp_path / "bad.json").write_text("{}")
    with raises_naming(LookupTableError, tmp_path / "bad.json"):
        LookupTable.load(tmp_path / "bad.json")
    with pytest.raises(LookupTableError, match="not found"):
        LookupTable.load(tmp_path / "missing.json")
    with raises_naming(LookupTableError, "table.txt", ".json", ".csv"):
        default_lookup().save(tmp_path / "table.txt")
