"""Suite-wide test settings: headless plotting and a small, fixed thread count for repeatable speed."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(min(2, os.cpu_count() or 1))
