"""The image cache: nothing written with the catalog, each size built on first use, memory-mapped."""

import numpy as np
import pytest
from _data_helpers import simple_images, simple_items

from ganbench.data.cache import ImageCache
from ganbench.data.catalog import Catalog
from ganbench.data.standardise import cache_views
from ganbench.data.writer import write_catalog

N = 6


@pytest.fixture()
def catalog(tmp_path):
    return write_catalog(tmp_path / "cat", simple_items(N), simple_images(N), "synthetic", sizes=(16, 32),
                         min_freq=1)  # fmt: skip


def test_no_cache_is_written_with_the_catalog(catalog):
    assert not (catalog.root / "cache").exists()
    assert catalog.cache.built_sizes() == []
    assert catalog.image_sizes == [16, 32]  # offered, not built


def test_a_size_is_built_on_first_use_only_and_memory_mapped(catalog):
    images = catalog.images(32)
    assert sorted(p.name for p in (catalog.root / "cache").iterdir()) == [
        "cache.json", "images_32.npy", "masks_32.npy"]  # fmt: skip
    assert isinstance(images, np.memmap) and isinstance(catalog.masks(32), np.memmap)
    expected = [cache_views(catalog.rgba(i), [32])[32] for i in range(N)]
    np.testing.assert_array_equal(images, np.stack([rgb for rgb, _ in expected]))
    np.testing.assert_array_equal(catalog.masks(32), np.stack([mask for _, mask in expected]))
    # a second opening maps the file instead of decoding the PNGs again
    reopened = Catalog.open(catalog.root)
    (catalog.root / "images" / "item000.png").write_bytes(b"not decoded any more")
    np.testing.assert_array_equal(reopened.images(32), images)
    assert reopened.cache.built_sizes() == [32]


def test_writes_to_the_arrays_stay_in_the_process(catalog):
    images = catalog.images(16)
    images[0] = 7  # copy-on-write: allowed, as with an in-memory array, but never written back
    assert Catalog.open(catalog.root).images(16)[0].max() > 7


def test_a_damaged_cache_file_is_rebuilt(catalog):
    expected = np.array(catalog.images(16))
    (catalog.root / "cache" / "images_16.npy").write_bytes(b"\x93NUMPY truncated")
    np.testing.assert_array_equal(Catalog.open(catalog.root).images(16), expected)
    (catalog.root / "cache" / "cache.json").write_text("{not json")
    reopened = Catalog.open(catalog.root)
    assert reopened.cache.built_sizes() == []
    np.testing.assert_array_equal(reopened.images(16), expected)
    assert reopened.cache.built_sizes() == [16]


def test_a_folder_that_cannot_hold_a_cache_still_gives_arrays(catalog):
    (catalog.root / "cache").write_text("a file where the cache folder would go")
    cache = ImageCache(catalog.root, catalog.hash, [catalog.root / i["image"] for i in catalog.items])
    images, masks = cache.arrays(16)
    assert images.shape == (N, 16, 16, 3) and masks.shape == (N, 16, 16) and not isinstance(images, np.memmap)


def test_info_reports_the_size_on_disk(catalog):
    from ganbench.data.info import catalog_summary, format_summary

    before = catalog_summary(catalog)["disk"]
    images_bytes = sum(p.stat().st_size for p in (catalog.root / "images").iterdir())
    assert before["images_bytes"] == images_bytes and before["cache_bytes"] == 0
    assert before["cached_sizes"] == [] and before["total_bytes"] > images_bytes
    catalog.images(32)
    after = catalog_summary(catalog)
    arrays = N * 32 * 32 * 3 + N * 32 * 32  # plus .npy headers and cache.json
    assert after["disk"]["cached_sizes"] == [32] and after["disk"]["cache_bytes"] > arrays
    assert after["disk"]["total_bytes"] == before["total_bytes"] + after["disk"]["cache_bytes"]
    assert "cache 0.0 MB (32 px)" in format_summary(after)
