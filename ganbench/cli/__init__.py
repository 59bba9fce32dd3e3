"""The ``ganbench`` command line: thin click commands that parse, validate and call the library."""

from __future__ import annotations

import click

from ganbench import __version__
from ganbench.cli.colors import colors
from ganbench.cli.data import data
from ganbench.cli.evaluate import eval_command, eval_net
from ganbench.cli.experiment import report_command, run_command
from ganbench.cli.zoo import generate_command, models_command, train_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ganbench")
def main() -> None:
    """ganbench: train ReStGAN and StackGAN baselines, evaluate them, and write paper tables.

    \b
    Quick start:
      ganbench data synth --out catalogs/synth --n 2000
      ganbench run experiments/quick.toml
    """


for command in (data, colors, models_command, train_command, generate_command, eval_net, eval_command,
                run_command, report_command):
    main.add_command(command)
