"""``ganbench explore``: the interactive refinement explorer (optional extra ``ganbench[explore]``)."""

from __future__ import annotations

import click


@click.command("explore")
@click.argument("runs", nargs=-1, metavar="[RUN]...")
@click.option("--pretrained", "pretrained", multiple=True, metavar="NAME",
              help="Also show this pretrained model (repeatable; `ganbench pretrained list`).")
@click.option("--port", type=click.IntRange(0, 65535), default=7860, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--device", default="cpu", show_default=True, help="Device to generate on: cpu, cuda or auto.")
def explore_command(runs: tuple[str, ...], pretrained: tuple[str, ...], port: int, device: str) -> None:
    """Start the refinement explorer in the browser, on 127.0.0.1 only: type a first query, add
    refinement steps one at a time (or pick a query stream of the catalog) and see each step's image for
    every model side by side, with the requested and the drawn colour, their CIEDE2000 and the evaluation
    network's predictions; a second tab shows the colour lookup table and embedding neighbours.

    Each RUN is a run folder (ganbench train --out) or a cell of ganbench run. Without RUN and without
    --pretrained, the pretrained models shipped with ganbench are shown. Needs the optional extra:
    pip install 'ganbench[explore]' (or make explore). Ctrl-C stops it.

    \b
    Examples:
      ganbench explore
      ganbench explore runs/restgan runs/bow --port 8000
      ganbench explore results/quick/cells/restgan__default__seed0 --pretrained restgan-synth
    """
    from ganbench.explore.server import check_port, gradio_available, quiet_environment

    quiet_environment()
    if not gradio_available():
        raise click.ClickException("ganbench explore needs Gradio: pip install 'ganbench[explore]' "
                                   "(or run make explore)")
    from ganbench.cli.evaluate import resolved_device
    from ganbench.explore.app import Explorer, build_app
    from ganbench.explore.server import launch
    from ganbench.explore.sources import ExploreError, open_models

    try:
        port = check_port(port)
        models = open_models(list(runs), list(pretrained), resolved_device(device))
        app = build_app(Explorer(models))
        click.echo(f"ganbench explore: {len(models)} model(s) ({', '.join(m.label for m in models)}) on "
                   f"http://127.0.0.1:{port} (Ctrl-C stops it)")
        launch(app, port)
    except ExploreError as error:
        raise click.ClickException(str(error)) from None
