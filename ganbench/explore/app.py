"""The explorer's page: :class:`Explorer` answers every control (plain Python, returns Markdown and HTML);
:func:`build_app` wires it into Gradio Blocks. Bad input (an empty step, only unknown words, a seed that is
not a whole number) is a message at the top of the page, never an exception."""

from __future__ import annotations

from typing import Any

from ganbench.explore.colour_terms import cluster_swatches, describe_colour_word, embedding_neighbours
from ganbench.explore.refine import clean_steps, refine
from ganbench.explore.render import (
    cluster_swatches_html,
    colour_word_html,
    neighbours_html,
    refinement_html,
    unknown_words_text,
)
from ganbench.explore.sources import ExploreError, ExploreModel

FIRST_QUERY = "women's black pants"
STREAM_SEPARATOR = " → "
MAX_STREAMS = 200

Shown = tuple[list[str], str, str]  # steps, status (Markdown), grid (HTML)


def parse_seed(value: Any) -> int:
    """The noise seed from the page's number box: a whole number of 0 or more."""
    try:
        seed = float(value)
    except (TypeError, ValueError):
        seed = -1.0
    if seed < 0 or seed != int(seed):
        raise ExploreError(f"the noise seed must be a whole number of 0 or more, got {value!r}")
    return int(seed)


class Explorer:
    """What each control of the page does, for the loaded models."""

    def __init__(self, models: list[ExploreModel]) -> None:
        if not models:
            raise ExploreError("the explorer needs at least one model")
        self.models = models
        self.lookup = next((m.lookup for m in models if m.lookup is not None), None)
        streams = {tuple(s): None for m in models for s in m.query_streams}
        self.streams = [list(s) for s in list(streams)[:MAX_STREAMS]]

    @property
    def stream_choices(self) -> list[str]:
        return [STREAM_SEPARATOR.join(stream) for stream in self.streams]

    def show(self, steps: list[str], seed: Any, lock_noise: bool, note: str = "") -> Shown:
        """Draw ``steps`` for every model; ``note`` (a refused input) goes above the unknown-word flags."""
        if not steps:
            return steps, note or "Type a first query and press **Start**.", ""
        try:
            result = refine(self.models, steps, parse_seed(seed), bool(lock_noise))
        except ExploreError as error:
            return steps, f"⚠ {error}", ""
        flags = unknown_words_text(result.unknown, len(self.models))
        status = "\n\n".join(part for part in (note, flags) if part)
        return steps, status, refinement_html(result, self.models)

    def start(self, first: str, seed: Any, lock_noise: bool, steps: list[str]) -> Shown:
        """A new query from its first step (the old one stays when the first step is refused)."""
        try:
            return self.show(clean_steps([first]), seed, lock_noise)
        except ExploreError as error:
            return self.show(steps, seed, lock_noise, f"⚠ {error}")

    def add(self, steps: list[str], step: str, seed: Any, lock_noise: bool
            ) -> tuple[list[str], str, str, str]:
        """One more refinement step; returns the step box's new text too (cleared once the step is in)."""
        if not steps:
            return (*self.show(steps, seed, lock_noise, "⚠ start with a first query, then add steps"), step)
        try:
            new = clean_steps([*steps, step])
        except ExploreError as error:
            return (*self.show(steps, seed, lock_noise, f"⚠ {error}"), step)
        return (*self.show(new, seed, lock_noise), "")

    def undo(self, steps: list[str], seed: Any, lock_noise: bool) -> Shown:
        return self.show(steps[:-1], seed, lock_noise)

    def pick(self, choice: str | None, seed: Any, lock_noise: bool, steps: list[str]) -> Shown:
        """A catalog query stream chosen in the drop-down."""
        if not choice or choice not in self.stream_choices:
            return self.show(steps, seed, lock_noise, "⚠ choose one of the catalog's query streams")
        return self.show(self.streams[self.stream_choices.index(choice)], seed, lock_noise)

    def colour_word(self, word: str) -> tuple[str, str]:
        """The lookup table's answer for one colour word, and each model's neighbours of it."""
        try:
            info = describe_colour_word(word, self.lookup)
        except ExploreError as error:
            return f"<p>⚠ {error}</p>", ""
        term = info.swatch.term if info.swatch is not None else word
        return colour_word_html(info), neighbours_html([embedding_neighbours(m, term) for m in self.models])

    def swatches(self) -> str:
        return cluster_swatches_html(cluster_swatches(self.lookup)) if self.lookup is not None else ""


def models_line(models: list[ExploreModel]) -> str:
    return "; ".join(f"**{m.label}** ({m.name}, step {m.run.step}, {m.origin})" for m in models)


def build_app(explorer: Explorer) -> Any:
    """The Gradio Blocks page (two tabs: Refine, Colour terms)."""
    import gradio as gr

    with gr.Blocks(title="ganbench explore", analytics_enabled=False) as app:
        gr.Markdown(f"## ganbench explore\nModels: {models_line(explorer.models)}")
        steps = gr.State([])
        with gr.Tab("Refine"):
            with gr.Row():
                first = gr.Textbox(label="First query", value=FIRST_QUERY, elem_id="first-query", scale=3)
                start = gr.Button("Start", elem_id="start", variant="primary", scale=1)
            with gr.Row():
                step = gr.Textbox(label="Refinement step", placeholder="petite", elem_id="next-step", scale=3)
                add = gr.Button("Add step", elem_id="add-step", scale=1)
                undo = gr.Button("Remove last step", elem_id="undo", scale=1)
            with gr.Row():
                stream = gr.Dropdown(choices=explorer.stream_choices, value=None, elem_id="stream",
                                     label="Or a query stream of the catalog", scale=3)
                seed = gr.Number(value=0, precision=0, label="Noise seed", elem_id="seed", scale=1)
                lock = gr.Checkbox(value=True, label="Lock noise across steps", elem_id="lock", scale=1)
            status = gr.Markdown(elem_id="status")
            grid = gr.HTML(elem_id="grid")
        with gr.Tab("Colour terms"):
            with gr.Row():
                word = gr.Textbox(label="Colour word", value="navy", elem_id="colour-word", scale=3)
                look = gr.Button("Look up", elem_id="look-up", scale=1)
            word_info = gr.HTML(elem_id="colour-word-info")
            neighbours = gr.HTML(elem_id="neighbours")
            gr.Markdown("### The lookup table's clusters")
            gr.HTML(explorer.swatches(), elem_id="swatches")
        shown = [steps, status, grid]
        start.click(explorer.start, [first, seed, lock, steps], shown)
        first.submit(explorer.start, [first, seed, lock, steps], shown)
        add.click(explorer.add, [steps, step, seed, lock], [*shown, step])
        step.submit(explorer.add, [steps, step, seed, lock], [*shown, step])
        undo.click(explorer.undo, [steps, seed, lock], shown)
        stream.input(explorer.pick, [stream, seed, lock, steps], shown)
        seed.change(explorer.show, [steps, seed, lock], shown)
        lock.change(explorer.show, [steps, seed, lock], shown)
        look.click(explorer.colour_word, [word], [word_info, neighbours])
        word.submit(explorer.colour_word, [word], [word_info, neighbours])
    return app
