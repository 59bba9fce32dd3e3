"""Catalog round trip: write then open, cache arrays, hashes, splits, vocabulary, refusals, overwrite."""

import json

import numpy as np
import pytest
from _asserts import raises_naming
from _data_helpers import simple_images, simple_items

from ganbench.data.catalog import Catalog, CatalogError
from ganbench.data.report import ImportReport
from ganbench.data.text import tokenize
from ganbench.data.writer import write_catalog

N = 12


@pytest.fixture()
def catalog(tmp_path):
    return write_catalog(tmp_path / "cat", simple_items(N), iter(simple_images(N)), "synthetic", seed=5,
                         sizes=(16, 32), min_freq=1)  # fmt: skip


def test_round_trip(catalog, tmp_path):
    opened = Catalog.open(tmp_path / "cat")
    assert len(opened) == N and opened.hash == catalog.hash
    assert [i["id"] for i in opened.items] == [f"item{i:03d}" for i in range(N)]
    item = opened.items[0]
    assert item["image"] == "images/item000.png" and (opened.root / item["image"]).is_file()
    assert item["colour_lab"] is None and item["details"] == [] and item["split"] in ("train", "val", "test")
    assert opened.rgba(0).shape == (256, 256, 4)
    manifest = opened.manifest
    assert manifest["format_version"] == 1 and manifest["source"] == "synthetic" and manifest["seed"] == 5
    assert manifest["image_sizes"] == [16, 32]
    counts = manifest["counts"]
    assert counts["read"] == counts["kept"] == N and counts["skipped"] == 0
    assert counts["train"] + counts["val"] + counts["test"] == N
    assert sum(len(opened.indices(s)) for s in ("train", "val", "test")) == N
    assert opened.vocabulary.hash == manifest["vocabulary_hash"]


def test_cache_arrays_shape_dtype_and_content(catalog):
    for size in (16, 32):
        images, masks = catalog.images(size), catalog.masks(size)
        assert images.shape == (N, size, size, 3) and images.dtype == np.uint8
        assert masks.shape == (N, size, size) and masks.dtype == np.uint8
        assert set(np.unique(masks)) <= {0, 1}
        assert (images[:, :, 0] >= 250).all() and masks[:, :, 0].sum() == 0  # padding: white, not masked
        assert masks[:, :, size // 2].all()  # the garment column
        assert images[:, size // 2, size // 2, 2].mean() > images[:, size // 2, size // 2, 1].mean()  # blue
    # a size the manifest does not offer is built from the PNGs and saved too
    assert catalog.images(8).shape == (N, 8, 8, 3)
    assert (catalog.root / "cache" / "images_8.npy").is_file()


def test_vocabulary_comes_from_train_split_only(catalog):
    train_tokens = {t for i in catalog.indices("train") for t in tokenize(catalog.items[i]["title"])}
    assert set(catalog.vocabulary.tokens[2:]) == train_tokens


def test_hash_changes_when_an_image_changes(tmp_path, catalog):
    images = simple_images(N)
    images[3] = images[3].copy()
    images[3][10:20, 12:20] = (200, 30, 30)
    changed = write_catalog(tmp_path / "changed", simple_items(N), images, "synthetic", seed=5, sizes=(16,))
    same = write_catalog(
        tmp_path / "same", simple_items(N), simple_images(N), "synthetic", seed=5, sizes=(16,)
    )
    assert changed.hash != catalog.hash
    assert same.hash == catalog.hash
    catalog.verify()
    (catalog.root / "images" / "item001.png").write_bytes(
        (changed.root / "images" / "item003.png").read_bytes()
    )
    with pytest.raises(CatalogError, match="changed"):
        catalog.verify()


def test_stale_cache_is_rebuilt(catalog):
    expected16, expected32 = np.array(catalog.images(16)), np.array(catalog.images(32))
    path = catalog.root / "cache" / "cache.json"
    path.write_text(json.dumps({"catalog_hash": "something else"}))
    np.save(catalog.root / "cache" / "images_16.npy", np.zeros_like(expected16))  # what a stale cache holds
    fresh = Catalog.open(catalog.root)
    assert fresh.cache.built_sizes() == []
    np.testing.assert_array_equal(fresh.images(16), expected16)
    assert json.loads(path.read_text())["catalog_hash"] == catalog.hash
    # the other stale size was dropped, not taken for fresh now that cache.json names this catalog
    assert fresh.cache.built_sizes() == [16] and not (catalog.root / "cache" / "images_32.npy").exists()
    np.testing.assert_array_equal(fresh.images(32), expected32)


def test_report_counts_and_existing_output(tmp_path, catalog):
    report = ImportReport()
    for _ in range(N):
        report.keep()
    report.skip("row 7", "the title is empty", "empty title")
    written = write_catalog(
        tmp_path / "rep", simple_items(N), simple_images(N), "csv", report=report, sizes=(16,)
    )
    assert written.manifest["counts"]["read"] == N + 1 and written.manifest["counts"]["skipped"] == 1
    lines = (written.root / "import_report.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {"source": "row 7", "reason": "the title is empty", "kind": "empty title"}
    with raises_naming(CatalogError, tmp_path / "rep", "--overwrite"):
        write_catalog(tmp_path / "rep", simple_items(N), simple_images(N), "csv", report=report, sizes=(16,))
    again = write_catalog(
        tmp_path / "rep", simple_items(2), simple_images(2), "csv", sizes=(16,), overwrite=True
    )
    assert len(again) == 2 and not (again.root / "import_report.jsonl").exists()


def test_overwrite_replaces_a_catalog_with_its_derived_folders(catalog):
    catalog.images(16)  # a built cache and an evaluation network: what a used catalog holds
    (catalog.root / "eval_net" / "key").mkdir(parents=True)
    (catalog.root / "eval_net" / "key" / "classifier.pt").write_bytes(b"weights")
    (catalog.root / "text_encoders" / "key").mkdir(parents=True)  # pretrained text encoders
    with raises_naming(CatalogError, "--overwrite", "eval_net/", "text_encoders/"):
        write_catalog(catalog.root, simple_items(3), simple_images(3), "synthetic", sizes=(16,))
    again = write_catalog(catalog.root, simple_items(3), simple_images(3), "synthetic", sizes=(16,),
                          overwrite=True)  # fmt: skip
    assert len(again) == 3 and sorted(p.name for p in again.root.iterdir()) == [
        "images", "images.sha256", "items.jsonl", "manifest.json", "vocabulary.json"]  # fmt: skip


def test_overwrite_still_refuses_folders_that_are_not_catalogs(tmp_path, catalog):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("mine")
    with raises_naming(CatalogError, tmp_path / "notes", "manifest.json", "todo.txt"):
        write_catalog(tmp_path / "notes", simple_items(3), simple_images(3), "synthetic", overwrite=True)
    (catalog.root / "my_notes.txt").write_text("mine too")
    with raises_naming(CatalogError, "my_notes.txt"):
        write_catalog(catalog.root, simple_items(3), simple_images(3), "synthetic", overwrite=True)
    assert (tmp_path / "notes" / "todo.txt").read_text() == "mine" and len(Catalog.open(catalog.root)) == N


def test_eval_net_and_text_encoder_folders_are_known_derived_folders():
    from ganbench.data.layout import DERIVED_NAMES
    from ganbench.eval.evalnet import EVAL_NET_DIRNAME
    from ganbench.text.store import DIRNAME

    assert EVAL_NET_DIRNAME in DERIVED_NAMES and DIRNAME in DERIVED_NAMES


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda items: items[1].update(id="item000"), "unique"),
        (lambda items: items[0].update(type="skirt"), "type must be one of"),
        (lambda items: items[0].update(query="women's pants"), "query must be a list"),
        (lambda items: items[0].update(id="../evil"), "id must be"),
        (lambda items: items[0].update(colour_name="navy"), "unknown fields"),
    ],
)
def test_invalid_items_are_refused(tmp_path, change, message):
    items = simple_items(3)
    change(items)
    with pytest.raises(CatalogError, match=message):
        write_catalog(tmp_path / "bad", items, simple_images(3), "synthetic", sizes=(16,))
    assert not (tmp_path / "bad").exists()


def test_image_count_mismatch_and_unopenable_folder(tmp_path):
    with raises_naming(CatalogError, "3 items", "2 images"):
        write_catalog(tmp_path / "bad", simple_items(3), simple_images(2), "synthetic", sizes=(16,))
    assert [p.name for p in tmp_path.iterdir()] == []  # no partial folder left behind
    with raises_naming(CatalogError, tmp_path, "manifest.json"):
        Catalog.open(tmp_path)
