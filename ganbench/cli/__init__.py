"""The ``ganbench`` command line: thin click commands that parse, validate and call the library."""

from __future__ import annotations

import os

# Before torch is imported: idle OpenMP workers sleep instead of spinning. On a busy 2-core machine spinning
# workers lose their time slice and every op waits for them (6 -> 35 img/s in benchmarks/train_speed.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import click  # noqa: E402

from ganbench import __version__  # noqa: E402
from ganbench.cli.colors import colors  # noqa: E402
from ganbench.cli.compare import compare_command  # noqa: E402
from ganbench.cli.config import config_group  # noqa: E402
from ganbench.cli.data import data  # noqa: E402
from ganbench.cli.evaluate import eval_command, eval_net  # noqa: E402
from ganbench.cli.experiment import report_command, run_command  # noqa: E402
from ganbench.cli.explore import explore_command  # noqa: E402
from ganbench.cli.pretrained import pretrained_group  # noqa: E402
from ganbench.cli.status import status_command  # noqa: E402
from ganbench.cli.zoo import generate_command, models_command, train_command  # noqa: E402


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ganbench")
def main() -> None:
    """ganbench: train ReStGAN and StackGAN baselines, evaluate them, and write paper tables.

    \b
    Quick start:
      ganbench data synth --out catalogs/synth --n 2000
      ganbench run experiments/quick.toml
    """


for command in (data, colors, models_command, config_group, train_command, generate_command, eval_net,
                eval_command, run_command, status_command, report_command, compare_command,
                pretrained_group, explore_command):
    main.add_command(command)
