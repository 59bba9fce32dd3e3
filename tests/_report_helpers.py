"""The small results folder the report tests build their reports from."""

from __future__ import annotations

import json

from _run_helpers import entry, write_log, write_media, write_metrics, write_summary

STREAMS = [["women's black pants", "petite", "capri"], ["men's blue jeans", "slim"]]
EVAL_NET_KEY = "abc123"


def make_results(root, eval_net: bool = False):
    """Two models x two seeds with metrics, media and logs; with ``eval_net``, the cells name an
    evaluation network whose report (with confusion matrices) is stored under ``root/catalog``."""
    names = []
    net = {"catalog": {"path": str(root / "catalog"), "hash": "h"}, "eval_net": {"key": EVAL_NET_KEY}}
    for shade, model in enumerate(["stackgan-bow", "restgan"]):
        for seed in (0, 1):
            folder = write_metrics(root, model, "default", seed,
                                   {"is_type": 2.0 + shade + seed / 10, "is_colour": 3.0, "is_gender": 1.5,
                                    "fid": 9.0 - shade, "kid": 0.1, "retention_rate": 0.8},
                                   {"versions": {"torch": "x"}, "colour_de00_by_cluster": {
                                       "navy": entry(10.0 + shade + seed, 1.0), "khaki": entry(5.0, 0.5)},
                                    **(net if eval_net else {})})
            write_media(folder, STREAMS, [0, 1], shade=shade)
            write_log(folder)
            names.append(folder.name)
    write_summary(root, names)
    (root / "experiment.toml").write_text('[run]\nname = "fixed"\nmodels = ["stackgan-bow", "restgan"]\n')
    (root / "experiment.json").write_text(json.dumps({
        "run": {"name": "fixed", "models": ["stackgan-bow", "restgan"], "proposed": "restgan"},
        "report": {"reported_change": {"is_type": 22.0, "is_colour": 100.0, "is_gender": 27.0,
                                       "fid": -81.0}}}))
    if eval_net:
        write_eval_net_report(root / "catalog" / "eval_net" / EVAL_NET_KEY)


def write_eval_net_report(folder):
    heads = {"type": (["jeans", "pants", "shorts"], [[8, 2, 0], [1, 9, 0], [0, 0, 10]]),
             "colour": ([f"c{k}" for k in range(12)], [[3 if i == j else 0 for j in range(12)]
                                                       for i in range(12)])}
    report = {"split": "test", "n_images": 30, "heads": {
        head: {"accuracy": 0.9, "n": 30, "classes": classes, "confusion": matrix}
        for head, (classes, matrix) in heads.items()}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report))
