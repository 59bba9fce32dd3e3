"""Colour-term embedding study and empirical grounding."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _asserts import raises_naming
from _colour_helpers import product_image
from PIL import Image
from scipy.stats import spearmanr

from colorspace import catalog_terms, default_lookup, delta_e
from colorspace.grounding import CatalogReadError, ground_catalog, ground_items, ground_terms
from colorspace.study import (
    StudyInputError,
    mantel_spearman,
    read_word_vectors,
    run_study,
    vectors_for_terms,
    write_study,
)

TERMS = ["black", "navy", "navy blue", "midnight blue", "khaki", "tan", "burgundy", "maroon", "wine",
         "light wash", "heather grey", "white", "red", "olive"]  # fmt: skip


def _labs() -> dict:
    table = default_lookup()
    return {term: table.term_lab(term) for term in TERMS}


def _lab_like_vectors(labs: dict, seed: int = 0) -> dict:
    """Embeddings that encode Lab (plus noise): their distances should follow CIEDE2000."""
    rng = np.random.default_rng(seed)
    return {t: np.r_[np.asarray(lab) / 20, 3.0] + rng.normal(0, 0.05, 4) for t, lab in labs.items()}


def test_mantel_spearman_matches_scipy_and_is_seeded():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(12, 3))
    a = np.linalg.norm(points[:, None] - points[None], axis=-1)
    b = a + rng.normal(0, 0.3, a.shape)
    b = (b + b.T) / 2
    np.fill_diagonal(b, 0)
    rho, p = mantel_spearman(a, b, 199, seed=0)
    upper = np.triu_indices(12, 1)
    assert rho == pytest.approx(spearmanr(a[upper], b[upper]).statistic, abs=1e-10)
    assert p == mantel_spearman(a, b, 199, seed=0)[1] and p < 0.05


def test_study_separates_perceptual_from_random_embeddings():
    labs = _labs()
    aligned, table, _ = run_study(_lab_like_vectors(labs), labs, n_permutations=199, seed=0)
    assert aligned.spearman_rho > 0.5 and aligned.p_value < 0.01 and aligned.nn_agreement > 0.3
    assert set(table["term"]) == set(TERMS) and table["row_spearman"].is_monotonic_increasing
    rng = np.random.default_rng(5)
    random_vectors = {t: rng.normal(size=16) for t in labs}
    shuffled, _, _ = run_study(random_vectors, labs, n_permutations=199, seed=0)
    assert abs(shuffled.spearman_rho) < 0.3 and shuffled.p_value > 0.01


def test_word_vector_file_with_multiword_terms(tmp_path):
    labs = _labs()
    vectors = _lab_like_vectors(labs)
    lines = ["20000 4"]  # word2vec header, skipped
    for term, vector in vectors.items():
        if term == "midnight blue":
            continue  # must then be averaged from "midnight" and "blue"
        lines.append(term.replace(" ", "_") + " " + " ".join(f"{v:.5f}" for v in vector))
    lines += ["midnight 0.1 0.2 -0.5 3.0", "blue 1.0 0.5 -2.0 3.0", "trousers 9 9 9 9"]
    path = tmp_path / "vectors.txt"
    path.write_text("\n".join(lines) + "\n")
    found, coverage = read_word_vectors(path, TERMS + ["sky blue", "mustard"])
    assert coverage.averaged == ["midnight blue"] and coverage.missing == ["sky blue", "mustard"]
    np.testing.assert_allclose(found["midnight blue"], [0.55, 0.35, -1.25, 3.0])
    np.testing.assert_allclose(found["navy blue"], vectors["navy blue"], atol=1e-5)
    assert "trousers" not in found
    path.write_text("navy 1 2 x\n")
    with raises_naming(StudyInputError, path):
        read_word_vectors(path, TERMS)


def test_too_few_terms_is_a_clear_error():
    with pytest.raises(StudyInputError, match="at least 4"):
        run_study({"navy": np.ones(3)}, _labs())


def test_write_study_outputs(tmp_path):
    labs = _labs()
    table = default_lookup()
    vectors, coverage = vectors_for_terms(_lab_like_vectors(labs), TERMS)
    cluster_of = {t: table.cluster_of(t) for t in TERMS}
    summary, per_term, matrices = run_study(vectors, labs, cluster_of, 99, 0, coverage=coverage)
    clusters = [c for c in table.clusters if set(c.members) & set(TERMS)]
    all_labs = {t: table.term_lab(t) for t in table.terms}
    paths = write_study(tmp_path, summary, per_term, matrices, all_labs, clusters, cluster_of)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert {p.name for p in paths} >= {"distance_scatter.png", "cluster_swatches.png", "ab_scatter.png",
                                       "heatmaps.png", "terms.csv"}  # fmt: skip
    assert json.loads((tmp_path / "summary.json").read_text())["n_terms"] == len(TERMS)


def test_ground_terms_reports_median_and_distance():
    dictionary = {t.name: t.lab for t in catalog_terms()}
    navy = np.asarray(dictionary["navy"])
    labs = [navy + [1, 0, 0], navy - [1, 0, 0], navy + [0, 2, 0], [60.0, 0.0, 0.0]]
    table = ground_terms(["navy", "navy", "Navy", "grey"], labs, dictionary)
    first = table.iloc[0]
    assert first["term"] == "navy" and first["n_products"] == 3
    np.testing.assert_allclose(first[["product_L", "product_a", "product_b"]].to_numpy(float), navy)
    assert first["delta_e00"] == pytest.approx(0.0, abs=1e-9)
    assert table.iloc[1]["delta_e00"] == pytest.approx(float(delta_e([60.0, 0, 0], dictionary["grey"])))


def test_ground_items_counts_skips():
    dictionary = {"navy": (15.0, 10.0, -30.0)}
    items = [{"colour": "navy", "dominant_lab": [15.0, 10.0, -30.0]}, {"colour": None},
             {"colour": "navy", "dominant_lab": None}]  # fmt: skip
    table, counts = ground_items(items, dictionary)
    assert counts.read == 3 and counts.kept == 1 and sum(counts.skipped.values()) == 2
    assert len(table) == 1


def test_ground_catalog_from_pngs_with_alpha(tmp_path):
    dictionary = {t.name: t.lab for t in catalog_terms()}
    (tmp_path / "images").mkdir()
    items = []
    for index, term in enumerate(["khaki", "khaki", "burgundy", "white"]):
        item_id = f"item{index}"
        image = product_image(dictionary[term], background_lab=(100.0, 0, 0), size=64, alpha=True, seed=index)
        Image.fromarray(image, "RGBA").save(tmp_path / "images" / f"{item_id}.png")
        items.append({"id": item_id, "colour": term, "image": f"images/{item_id}.png"})
    items.append({"id": "lost", "colour": "navy", "image": "images/lost.png"})
    (tmp_path / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    table, counts = ground_catalog(tmp_path, dictionary)
    assert counts.read == 5 and counts.kept == 4
    assert table.set_index("term").loc["khaki", "n_products"] == 2
    assert (table["delta_e00"] < 3.0).all()
    with raises_naming(CatalogReadError, tmp_path / "images"):
        ground_catalog(tmp_path / "images", dictionary)


def test_ground_catalog_prefers_cached_arrays_and_masks(tmp_path):
    dictionary = {t.name: t.lab for t in catalog_terms()}
    terms = ["navy", "olive", None]
    images, masks = [], []
    for index, term in enumerate(terms):
        rgba = product_image(dictionary[term or "red"], size=64, alpha=True, seed=index)
        images.append(rgba[..., :3])
        masks.append((rgba[..., 3] > 0).astype(np.uint8))
    (tmp_path / "cache").mkdir()
    np.save(tmp_path / "cache" / "images_64.npy", np.stack(images))
    np.save(tmp_path / "cache" / "masks_64.npy", np.stack(masks))
    items = [{"id": f"i{k}", "colour": term, "image": f"images/i{k}.png"} for k, term in enumerate(terms)]
    (tmp_path / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    table, counts = ground_catalog(tmp_path, dictionary)
    assert counts.read == 3 and counts.kept == 2 and counts.skipped == {"no colour term": 1}
    assert list(table["term"]) == ["navy", "olive"] and (table["delta_e00"] < 3.0).all()
