"""Importers: Fashion Product Images and CSV/JSONL folders, with every kind of bad input, and the CLI."""

import json
from collections import Counter

import numpy as np
from _asserts import names_all, raises_naming
from _data_helpers import photo_file, write_csv_folder, write_fpi_folder
from click.testing import CliRunner

from ganbench.cli import main
from ganbench.data.catalog import Catalog
from ganbench.data.importers import ImportFormatError, import_catalog
from ganbench.data.importers.csv import read_csv_folder
from ganbench.data.importers.fashion_product_images import read_fashion_product_images


def _kinds(expected: dict[str, str]) -> Counter:
    return Counter(kind for kind in expected.values() if kind != "kept")


def test_fashion_product_images_reader_accounts_for_every_row(tmp_path):
    expected = write_fpi_folder(tmp_path / "fpi")
    items, paths, report = read_fashion_product_images(tmp_path / "fpi")
    assert [i["id"] for i in items] == [k for k, v in expected.items() if v == "kept"]
    assert report.read == len(expected) == report.kept + report.skipped
    assert Counter(report.skipped_by_kind()) == _kinds(expected)
    assert all(p.name == f"{i['id']}.jpg" for i, p in zip(items, paths, strict=True))
    reasons = {s.kind: s for s in report.skipped_inputs}
    assert "Tshirts" in reasons["not a bottom"].reason
    assert "1004.jpg" in reasons["missing image"].reason
    assert reasons["not UTF-8"].source.startswith("styles.csv line")


def test_fashion_product_images_attributes(tmp_path):
    write_fpi_folder(tmp_path / "fpi")
    items, _, _ = read_fashion_product_images(tmp_path / "fpi")
    jeans, track, shorts, stray_quote = items
    assert (jeans["type"], jeans["gender"], jeans["colour"], jeans["fit"], jeans["brand"]) == (
        "jeans", "men's", "blue", "slim", "Levis")  # fmt: skip
    assert jeans["query"] == ["men's blue jeans", "slim"]
    assert track["title"] == "Puma Women Black, Grey Track Pants"  # the unquoted comma was mended
    assert (track["type"], track["gender"], track["colour"]) == ("pants", "women's", "black")
    # a stray quote spoils nothing: its row is kept and the rows after it are still read
    assert (stray_quote["title"], stray_quote["colour"]) == ("Roadster Men Navy Jeans", "navy blue")
    # NaN gender and colour fall back to the title
    assert (shorts["gender"], shorts["colour"], shorts["details"]) == (
        "women's",
        "navy blue",
        ["cargo pockets"],
    )


def test_csv_reader_accounts_for_every_row(tmp_path):
    expected = write_csv_folder(tmp_path / "photos")
    items, _, report = read_csv_folder(tmp_path / "photos")
    assert report.read == len(expected) == report.kept + report.skipped
    assert Counter(report.skipped_by_kind()) == _kinds(expected)
    by_id = {i["id"]: i for i in items}
    assert set(by_id) == {"a", "b", "white"}
    assert (by_id["a"]["type"], by_id["a"]["gender"], by_id["a"]["colour"], by_id["a"]["fit"]) == (
        "pants", "women's", "navy", "wide-leg")  # fmt: skip
    # given attributes win over (absent) title words
    assert (by_id["b"]["type"], by_id["b"]["gender"], by_id["b"]["colour"]) == ("jeans", "men's", "dark wash")
    assert by_id["b"]["query"] == ["men's dark wash jeans"]
    assert (by_id["white"]["type"], by_id["white"]["size_line"]) == ("shorts", "tall")
    reasons = {s.kind: s.reason for s in report.skipped_inputs}
    assert "skirt" in reasons["unknown attribute"]
    too_small, unknown_type = reasons["image too small"], reasons["unknown type"]
    assert "tiny.png is 12x9 px" in too_small and "minimum of 64 px" in too_small
    assert "Men's Navy Polo Shirt" in unknown_type and "--keep-unknown-type" in unknown_type


def test_csv_minimum_side_and_unknown_types_are_options(tmp_path):
    from ganbench.data.importers import CsvOptions

    expected = write_csv_folder(tmp_path / "photos")
    items, _, report = read_csv_folder(tmp_path / "photos", csv_options=CsvOptions(8, keep_unknown_type=True))
    by_id = {i["id"]: i for i in items}
    assert report.read == len(expected) == report.kept + report.skipped
    assert set(by_id) == {"a", "b", "white", "tiny", "d"}  # d: the polo shirt, kept with an unknown type
    assert by_id["d"]["type"] is None and by_id["d"]["gender"] == "men's"
    items, _, report = read_csv_folder(tmp_path / "photos", csv_options=CsvOptions(min_side=73))
    assert items == [] and report.skipped_by_kind()["image too small"] == 4  # 96x72 photos too, now


def test_jsonl_index_with_bad_lines(tmp_path):
    folder = tmp_path / "j"
    folder.mkdir()
    photo_file(folder / "p1.jpg")
    photo_file(folder / "sub" / "p1.jpg")
    lines = [
        json.dumps({"path": "p1.jpg", "title": "Men's khaki chinos", "details": ["pleated"]}).encode(),
        json.dumps({"path": "sub/p1.jpg", "title": "Women's olive shorts"}).encode(),
        b'{"path": "p1.jpg", "title": ',
        b"[1, 2, 3]",
        b'{"path": "p1.jpg", "title": "caf\xe9 pants"}',
        json.dumps({"path": "p1.jpg", "title": "   "}).encode(),
    ]
    (folder / "index.jsonl").write_bytes(b"\n".join(lines))
    items, _, report = read_csv_folder(folder / "index.jsonl")
    assert [i["id"] for i in items] == ["p1", "p1-2"]  # repeated file stems get unique ids
    assert items[0]["details"] == ["pleated"] and items[0]["type"] == "pants"
    assert report.skipped_by_kind() == {"malformed row": 2, "not UTF-8": 1, "empty title": 1}
    assert report.read == 6


def test_import_writes_catalog_with_report(tmp_path):
    expected = write_fpi_folder(tmp_path / "fpi")
    catalog, report = import_catalog(tmp_path / "fpi", "fashion-product-images", tmp_path / "cat", seed=1)
    reopened = Catalog.open(tmp_path / "cat")
    counts = reopened.manifest["counts"]
    kept = sum(kind == "kept" for kind in expected.values())
    assert (counts["read"], counts["kept"], counts["skipped"]) == (len(expected), kept, len(expected) - kept)
    assert reopened.images(64).shape == (kept, 64, 64, 3)
    lines = (tmp_path / "cat" / "import_report.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == report.skipped
    assert all(set(json.loads(line)) >= {"source", "reason"} for line in lines)
    assert catalog.hash == reopened.hash


def test_import_errors_are_clear(tmp_path):
    (tmp_path / "empty").mkdir()
    with raises_naming(ImportFormatError, "styles.csv"):
        import_catalog(tmp_path / "empty", "fashion-product-images", tmp_path / "out")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "styles.csv").write_text("id,name\n1,x\n")
    with raises_naming(ImportFormatError, "styles.csv", "gender", "articleType"):
        import_catalog(tmp_path / "bad", "fashion-product-images", tmp_path / "out")
    with raises_naming(ImportFormatError, ".csv", ".jsonl"):
        import_catalog(tmp_path / "empty", "csv", tmp_path / "out")
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "index.csv").write_text("path,title\nmissing.jpg,Men's pants\n")
    with raises_naming(ImportFormatError, tmp_path / "none", "missing image", "kept 0"):
        import_catalog(tmp_path / "none", "csv", tmp_path / "out")


def test_cli_import_and_info(tmp_path):
    expected = write_csv_folder(tmp_path / "photos")
    runner = CliRunner()
    out = tmp_path / "cat"
    result = runner.invoke(
        main, ["data", "import", str(tmp_path / "photos"), "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    kept = sum(v == "kept" for v in expected.values())
    assert f"read {len(expected)} = kept {kept} + skipped {len(expected) - kept}" in result.output
    info = runner.invoke(main, ["data", "info", str(out)])
    assert info.exit_code == 0, info.output
    assert "splits: train" in info.output and "type (" in info.output and "colour (" in info.output
    as_json = json.loads(runner.invoke(main, ["data", "info", str(out), "--json"]).output)
    skipped = as_json["skipped_by_kind"]
    assert all(skipped[kind] == 1 for kind in ("missing image", "image too small", "unknown type"))
    assert names_all(info.output, *skipped, "disk", f"{as_json['disk']['images_bytes'] / 1e6:.1f}")
    assert as_json["attributes"]["type"] == {"pants": 1, "jeans": 1, "shorts": 1}
    again = runner.invoke(
        main, ["data", "import", str(tmp_path / "photos"), "--format", "csv", "--out", str(out)]
    )
    assert again.exit_code == 1 and "--overwrite" in again.output and "Traceback" not in again.output
    missing = runner.invoke(main, ["data", "info", str(tmp_path / "photos")])
    assert missing.exit_code == 1 and names_all(missing.output, tmp_path / "photos", "manifest.json")
    kept_all = runner.invoke(main, ["data", "import", str(tmp_path / "photos"), "--format", "csv", "--out",
                                    str(out), "--overwrite", "--keep-unknown-type", "--min-side", "8"])
    assert kept_all.exit_code == 0, kept_all.output
    assert f"read {len(expected)} = kept {kept + 2} + skipped {len(expected) - kept - 2}" in kept_all.output
    wrong = runner.invoke(main, ["data", "import", str(tmp_path / "photos"), "--format",
                                 "fashion-product-images", "--out", str(tmp_path / "x"), "--min-side", "8"])
    assert wrong.exit_code == 2 and names_all(wrong.output, "--min-side", "--format csv")


def test_read_image_applies_exif_orientation_and_scales_16_bit(tmp_path):
    from PIL import Image

    from ganbench.data.importers.common import read_image

    photo = Image.fromarray(np.zeros((40, 30, 3), np.uint8))
    exif = photo.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    photo.save(tmp_path / "rotated.jpg", exif=exif)
    assert read_image(tmp_path / "rotated.jpg").shape == (30, 40, 3)
    deep = np.full((40, 30), 60000, np.uint16)
    deep[5:35, 10:20] = 10000
    Image.fromarray(deep).save(tmp_path / "deep.png")
    grey = read_image(tmp_path / "deep.png")
    assert grey.dtype == np.uint8 and grey.shape == (40, 30, 3)
    assert abs(int(grey[0, 0, 0]) - 233) <= 1 and abs(int(grey[20, 15, 0]) - 39) <= 1
