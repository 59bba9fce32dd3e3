"""``ganbench colors`` commands: happy paths and clear errors."""

from __future__ import annotations

import json

import numpy as np
from _asserts import names_all
from click.testing import CliRunner

from colorspace import LookupTable, catalog_terms, default_lookup
from ganbench.cli.colors import colors

SMALL_TERMS = ["black", "navy", "navy blue", "midnight blue", "khaki", "tan", "burgundy", "wine", "white",
               "red"]  # fmt: skip


def _invoke(*args: str):
    return CliRunner().invoke(colors, list(args), catch_exceptions=False)


def test_every_command_has_help_with_examples():
    for command in ("cluster", "lookup", "swatches", "study", "ground"):
        result = _invoke(command, "--help")
        assert result.exit_code == 0 and "Examples:" in result.output


def test_cluster_writes_a_loadable_table(tmp_path):
    out = tmp_path / "k12.json"
    result = _invoke("cluster", "--k", "12", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = LookupTable.load(out)
    assert table.n_clusters == 12 and table.hash in result.output
    assert _invoke("cluster", "--k", "12", "--out", str(tmp_path / "again.json")).exit_code == 0
    assert LookupTable.load(tmp_path / "again.json").hash == table.hash


def test_cluster_bad_options_are_errors_not_tracebacks():
    result = _invoke("cluster", "--method", "kmeans")
    assert result.exit_code == 1 and names_all(result.output, "k-means", "clusters")
    result = _invoke("cluster", "--k", "999")
    assert result.exit_code == 1 and names_all(result.output, "between 1", "70", "999")


def test_lookup_words_typos_phrases_and_json():
    result = _invoke("lookup", "navy", "midnight blue", "burgandy", "trousers", "women's dark wash jeans")
    lines = result.output.strip().splitlines()
    navy_cluster = default_lookup().cluster_of("navy")
    assert f"cluster {navy_cluster} " in lines[0] and f"cluster {navy_cluster} " in lines[1]
    assert "did you mean 'burgundy'" in lines[2]
    assert "not a colour term" in lines[3]
    assert "'dark wash'" in lines[4]
    as_json = json.loads(_invoke("lookup", "khaki", "--json").output)
    assert as_json["term"] == "khaki" and as_json["is_colour"] is True


def test_lookup_with_missing_table_is_a_clear_error(tmp_path):
    result = _invoke("lookup", "navy", "--table", str(tmp_path / "missing.json"))
    assert result.exit_code == 1 and "not found" in result.output


def test_swatches_png(tmp_path):
    out = tmp_path / "swatches.png"
    assert _invoke("swatches", "--out", str(out)).exit_code == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _small_table(tmp_path) -> str:
    small = LookupTable.from_terms([t for t in catalog_terms() if t.name in SMALL_TERMS], k=5)
    return str(small.save(tmp_path / "small.json"))


def test_study_from_a_vector_file(tmp_path):
    table_path = _small_table(tmp_path)
    rng = np.random.default_rng(0)
    lines = [f"{word} " + " ".join(f"{v:.4f}" for v in rng.normal(size=6))
             for word in ("black", "navy", "blue", "midnight", "khaki", "tan", "burgundy", "wine", "white")]
    (tmp_path / "vectors.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "study"
    result = _invoke("study", "--vectors", str(tmp_path / "vectors.txt"), "--table", table_path,
                     "--permutations", "49", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Spearman rho" in result.output and "missing: red" in result.output
    assert (out / "terms.csv").is_file() and (out / "heatmaps.png").is_file()


def test_study_needs_one_source_and_a_loadable_run(tmp_path):
    result = _invoke("study", "--out", str(tmp_path / "s"))
    assert result.exit_code == 1 and names_all(result.output, "--vectors", "--run")
    result = _invoke("study", "--run", str(tmp_path), "--out", str(tmp_path / "s"))
    assert result.exit_code == 1 and "run" in result.output and "Traceback" not in result.output


def test_ground_prints_counts_and_writes_csv(tmp_path):
    from _colour_helpers import product_image

    lab = default_lookup().term_lab("khaki")
    rgba = product_image(lab, size=48, alpha=True)
    (tmp_path / "cache").mkdir()
    np.save(tmp_path / "cache" / "images_48.npy", rgba[None, ..., :3])
    np.save(tmp_path / "cache" / "masks_48.npy", (rgba[None, ..., 3] > 0).astype(np.uint8))
    (tmp_path / "items.jsonl").write_text(json.dumps({"id": "a", "colour": "khaki"}) + "\n")
    result = _invoke("ground", str(tmp_path), "--out", str(tmp_path / "ground.csv"))
    assert result.exit_code == 0, result.output
    assert names_all(result.output, "read 1", "used 1", "skipped 0")
    assert (tmp_path / "ground.csv").read_text().startswith("term,n_products")
    result = _invoke("ground", str(tmp_path / "cache"))
    assert result.exit_code == 1 and names_all(result.output, tmp_path / "cache", "items.jsonl")
