"""The report's conditioning check: strength and accuracy against the majority-class row, one verdict each."""

import json

from _run_helpers import entry, write_metrics, write_summary

from ganbench.report.build import write_report

MAJORITY = {"type": entry(0.4, None, "exact") | {"class": "pants"},
            "gender": entry(0.5, None, "exact") | {"class": "women"},
            "colour": entry(0.3, None, "exact") | {"class": "black"}}


def _accuracy(type_: float, gender: float, colour: float) -> dict:
    return {"type": entry(type_, 0.01), "gender": entry(gender, 0.01), "colour": entry(colour, 0.01)}


def _results(root, seeds=(0, 1, 2)):
    names = []
    models = {"follows": (1.2, _accuracy(0.9, 0.8, 0.7)),      # well above every majority rate
              "ignores": (0.02, _accuracy(0.4, 0.5, 0.3)),     # the majority rate: collapsed text
              "half": (0.9, _accuracy(0.85, 0.5, 0.6))}        # text moves it, gender never shows
    for model, (strength, accuracy) in models.items():
        for seed in seeds:
            jitter = 0.01 * seed
            folder = write_metrics(root, model, "default", seed, {
                "is_type": 2.0, "fid": 10.0, "conditioning_strength": strength + jitter},
                {"attribute_accuracy": {h: e | {"mean": e["mean"] + jitter} for h, e in accuracy.items()},
                 "majority_rate": MAJORITY,
                 "word_swap_shift": {"type": entry(1.2), "gender": entry(0.1), "colour": entry(1.5)}})
            names.append(folder.name)
    write_summary(root, names)
    (root / "experiment.json").write_text(json.dumps({"run": {"name": "c", "models": list(models)}}))


def test_conditioning_check_shows_the_majority_row_and_says_which_model_fails_and_why(tmp_path):
    _results(tmp_path)
    index = write_report(tmp_path, figures=False).read_text(encoding="utf-8")
    section = index.split("## Conditioning check", 1)[1].split("\n## ", 1)[0]
    assert "| majority class | n/a | 40.00% | 50.00% | 30.00% |" in section
    assert "**follows**: conditions on type, gender and colour." in section
    ignores = next(line for line in section.splitlines() if line.startswith("- **ignores**"))
    assert "not shown above the majority class for type" in ignores and "collapsed" in ignores
    half = next(line for line in section.splitlines() if line.startswith("- **half**"))
    assert "conditions on type and colour" in half and "for gender (" in half
    assert "pathway collapsed" not in half
    assert "changing its gender word moves its conditioning by 0.10 sigma" in half
    assert "(its colour word: 1.50)" in half
    assert "| half | 0.91 ± 0.02 |" in section and "| 1.20 ± 0.00 | 0.10 ± 0.00 | 1.50 ± 0.00 |" in section
    assert (tmp_path / "tables" / "conditioning_table.csv").is_file()


def test_one_seed_uses_the_evaluation_spread_for_the_bound(tmp_path):
    _results(tmp_path, seeds=(0,))
    index = write_report(tmp_path, figures=False).read_text(encoding="utf-8")
    assert "**follows**: conditions on type, gender and colour." in index  # 0.7 - 1.96 x 0.01 > 0.3


def test_without_stored_majority_rates_the_check_says_so(tmp_path):
    write_metrics(tmp_path, "m", "default", 0, {"is_type": 2.0},
                  {"attribute_accuracy": _accuracy(0.5, 0.5, 0.5)})
    write_summary(tmp_path, ["m__default__seed0"])
    index = write_report(tmp_path, figures=False).read_text(encoding="utf-8")
    assert "No majority-class rates stored" in index


def test_results_without_conditioning_metrics_get_no_check(tmp_path):
    write_metrics(tmp_path, "m", "default", 0, {"is_type": 2.0})
    write_summary(tmp_path, ["m__default__seed0"])
    assert "Conditioning check" not in write_report(tmp_path, figures=False).read_text(encoding="utf-8")


def test_fit_and_length_are_checked_against_their_own_majority_rate(tmp_path):
    majority = MAJORITY | {"fit": entry(0.27, None, "exact") | {"class": "straight"},
                           "length": entry(0.35, None, "exact") | {"class": "ankle"}}
    accuracy = _accuracy(0.9, 0.8, 0.7) | {"fit": entry(0.6, 0.01), "length": entry(0.3, 0.01)}
    write_metrics(tmp_path, "fits", "default", 0, {"conditioning_strength": 1.2},
                  {"attribute_accuracy": accuracy, "majority_rate": majority})
    write_summary(tmp_path, ["fits__default__seed0"])
    index = write_report(tmp_path, figures=False).read_text(encoding="utf-8")
    section = index.split("## Conditioning check", 1)[1].split("\n## ", 1)[0]
    assert "| Colour acc. ↑ | Fit acc. ↑ | Length acc. ↑ |" in section
    assert "| majority class | n/a | 40.00% | 50.00% | 30.00% | 27.00% | 35.00% |" in section
    verdict = next(line for line in section.splitlines() if line.startswith("- **fits**"))
    assert "conditions on type, gender, colour and fit;" in verdict
    assert "not shown above the majority class for length (30.0%, 95% lower bound 28.0%, majority 35.0%)" \
        in verdict
