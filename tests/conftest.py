"""Suite-wide test settings: headless plotting and a small, fixed thread count for repeatable speed."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
# as the CLI does before torch is imported: idle OpenMP workers sleep instead of spinning (on a busy 2-core
# machine a spinning worker made a batch-1 64 px generation take ~0.5 s instead of ~5 ms)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

torch.set_num_threads(min(2, os.cpu_count() or 1))


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def explore_runs(tmp_path_factory):
    """A tiny catalog, its evaluation network and a tiny restgan and stackgan-bow trained on it (shared by
    the explorer and pretrained-model tests; see tests/_explore_helpers.py)."""
    from _explore_helpers import make_explore_runs

    return make_explore_runs(tmp_path_factory.mktemp("explore_runs"))
