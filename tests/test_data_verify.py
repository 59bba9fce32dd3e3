"""Catalog integrity: per-file checksums, `data info --verify`, and missing images named in one line."""

import json

import pytest
from _asserts import line_naming, raises_naming
from _data_helpers import simple_images, simple_items
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.data.catalog import Catalog, CatalogError
from ganbench.data.integrity import read_checksums
from ganbench.data.writer import write_catalog

N = 6


@pytest.fixture()
def catalog(tmp_path):
    return write_catalog(tmp_path / "cat", simple_items(N), simple_images(N), "synthetic", sizes=(16,),
                         min_freq=1)  # fmt: skip


def _verify(catalog) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["data", "info", str(catalog.root), "--verify"])
    return result.exit_code, result.output


def test_checksums_are_written_in_sha256sum_format(catalog):
    import hashlib

    checksums = read_checksums(catalog.root / "images.sha256")
    assert list(checksums) == [item["image"] for item in catalog.items]
    first = catalog.items[0]["image"]
    assert checksums[first] == hashlib.sha256((catalog.root / first).read_bytes()).hexdigest()
    assert catalog.check_files().ok and catalog.compute_hash() == catalog.hash


def test_verify_names_missing_and_changed_files_and_fails(catalog):
    code, output = _verify(catalog)
    assert code == 0 and f"verify: {N} image files checked against images.sha256" in output
    assert "all match" in output
    (catalog.root / "images" / "item002.png").unlink()
    images = catalog.root / "images"
    (images / "item004.png").write_bytes((images / "item005.png").read_bytes())
    code, output = _verify(catalog)
    assert code == 1, output
    assert "1 missing, 1 changed" in output
    assert line_naming(output, "missing", "images/item002.png")
    assert line_naming(output, "changed", "images/item004.png")
    assert "item005" not in output and "Traceback" not in output
    as_json = json.loads(CliRunner().invoke(main, ["data", "info", str(catalog.root), "--verify",
                                                   "--json"]).output)
    assert as_json["verify"]["missing"] == ["images/item002.png"] and not as_json["verify"]["ok"]


def test_verify_notices_an_edited_items_file(catalog):
    path = catalog.root / "items.jsonl"
    path.write_text(path.read_text().replace("Acme", "Acne"))
    result = Catalog.open(catalog.root).check_files()
    assert not result.ok and not result.changed and "items.jsonl" in result.notes[0]


def test_catalogs_without_checksums_say_what_cannot_be_verified(catalog):
    (catalog.root / "images.sha256").unlink()  # as written before per-file checksums
    code, output = _verify(catalog)
    assert code == 0 and line_naming(output, "catalog hash", "all match")
    assert line_naming(output, "note", "images.sha256")  # says which file is missing, so changes go unnamed
    images = catalog.root / "images"
    (images / "item004.png").write_bytes((images / "item005.png").read_bytes())
    code, output = _verify(catalog)
    assert code == 1 and "hash differs" in output and not line_naming(output, "changed", "item004.png")
    with pytest.raises(CatalogError, match="files changed"):
        Catalog.open(catalog.root).verify()


def test_a_missing_image_is_noticed_when_the_cache_holds_it(catalog):
    catalog.images(16)
    (catalog.root / "images" / "item003.png").unlink()
    with pytest.raises(CatalogError) as caught:
        Catalog.open(catalog.root).images(16)
    message = str(caught.value)
    assert str(catalog.root / "images" / "item003.png") in message and "\n" not in message
    assert "--verify" in message


def test_a_missing_image_without_a_cache_is_one_line_not_a_traceback(catalog):
    (catalog.root / "images" / "item001.png").unlink()
    (catalog.root / "images" / "item002.png").unlink()
    opened = Catalog.open(catalog.root)
    with raises_naming(CatalogError, "item001.png", "1 more"):
        opened.images(16)
    with raises_naming(CatalogError, "item002.png"):
        opened.rgba(2)
    (catalog.root / "images" / "item003.png").write_bytes(b"not a png")
    with raises_naming(CatalogError, "item003.png"):
        opened.rgba(3)


@pytest.mark.parametrize("cache_built", [False, True])
def test_training_names_a_missing_image_in_one_line(tmp_path, cache_built):
    from _train_helpers import make_tiny_catalog  # registers the "fake-gan" test model

    root = make_tiny_catalog(tmp_path / "cat")
    if cache_built:
        for size in (16, 32):
            Catalog.open(root).images(size)
    (root / "images" / "item005.png").unlink()
    config = tmp_path / "run.toml"
    config.write_text('[data]\nstage1_size = 16\nstage2_size = 32\ncolour_lookup = "none"\n[train]\n'
                      'batch_size = 4\nstage1_steps = 1\nstage2_steps = 1\nprecision = "fp32"\n')
    result = CliRunner().invoke(main, ["train", "--model", "fake-gan", "--catalog", str(root), "--out",
                                       str(tmp_path / "run"), "--config", str(config)])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1 and str(root / "images" / "item005.png") in error_lines[0], result.output
