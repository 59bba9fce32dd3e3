"""The explorer's page: :class:`Explorer` answers every control (plain Python, returns Markdown and HTML);
:func:`build_app` wires it into Gradio Blocks. Bad input (an empty step, only unknown words, a seed that is
not a whole number) is a message at the top of the page, never an exception. Each step shows
``n_seeds`` noise seeds side by side (default :data:`DEFAULT_SEEDS`, our choice: enough to see whether a
model uses its noise, few enough to stay quick on a CPU)."""

from __future__ import annotations

from typing import Any

from ganbench.explore.colour_terms import cluster_swatches, describe_colour_word, embedding_neighbours
from ganbench.explore.download import strip_png
from ganbench.explore.refine import MAX_SEEDS, clean_steps, known_words, refine
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
DEFAULT_SEEDS = 3  # noise seeds shown per step

KEEP = "\x00keep"  # in place of the grid's HTML: leave the grid on the page as it is
Shown = tuple[list[str], str, str]  # steps, status (Markdown), grid (HTML or KEEP)


def parse_seed(value: Any) -> int:
    """The noise seed from the page's number box: a whole number of 0 or more."""
    try:
        seed = float(value)
    except (TypeError, ValueError):
        seed = -1.0
    if seed < 0 or seed != int(seed):
        raise ExploreError(f"the noise seed must be a whole number of 0 or more, got {value!r}")
    return int(seed)


def parse_seed_count(value: Any) -> int:
    """How many noise seeds to show, from the page's number box: a whole number from 1 to MAX_SEEDS."""
    try:
        count = float(value)
    except (TypeError, ValueError):
        count = 0.0
    if not 1 <= count <= MAX_SEEDS or count != int(count):
        raise ExploreError(f"the number of noise seeds must be a whole number from 1 to {MAX_SEEDS}, "
                           f"got {value!r}")
    return int(count)


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

    def show(self, steps: list[str], seed: Any, lock_noise: bool, n_seeds: Any = DEFAULT_SEEDS,
             note: str = "") -> Shown:
        """Draw ``steps`` for every model at ``n_seeds`` noise seeds from ``seed`` on; ``note`` (a refused
        input) goes above the unknown-word flags."""
        if not steps:
            return steps, note or "Type a first query and press **Start**.", ""
        try:
            noise = parse_seed(seed), bool(lock_noise), parse_seed_count(n_seeds)
        except ExploreError as error:  # the boxes are fixed by the user; the query and its grid stay
            return steps, f"⚠ {error}", KEEP
        result = refine(self.models, steps, *noise)
        flags = unknown_words_text(result.unknown, len(self.models))
        status = "\n\n".join(part for part in (note, flags) if part)
        drawn = any(column.by_seed for column in result.columns)
        return (steps if drawn else []), status, refinement_html(result, self.models)

    def start(self, first: str, seed: Any, lock_noise: bool, steps: list[str],
              n_seeds: Any = DEFAULT_SEEDS) -> Shown:
        """A new query from its first step; a refused first step (empty, no words) or one no model knows
        clears the page, so the page never shows a query the box no longer holds."""
        try:
            return self.show(clean_steps([first]), seed, lock_noise, n_seeds)
        except ExploreError as error:
            return [], f"⚠ {error}", ""

    def add(self, steps: list[str], step: str, seed: Any, lock_noise: bool, n_seeds: Any = DEFAULT_SEEDS
            ) -> tuple[list[str], str, str, str]:
        """One more refinement step; returns the step box's new text too (cleared once the step is in)."""
        if not steps:
            note = "⚠ start with a first query, then add steps"
            return (*self.show(steps, seed, lock_noise, n_seeds, note=note), step)
        try:
            new = clean_steps([*steps, step])
        except ExploreError as error:
            return (*self.show(steps, seed, lock_noise, n_seeds, note=f"⚠ {error}"), step)
        return (*self.show(new, seed, lock_noise, n_seeds), "")

    def undo(self, steps: list[str], seed: Any, lock_noise: bool, n_seeds: Any = DEFAULT_SEEDS) -> Shown:
        return self.show(steps[:-1], seed, lock_noise, n_seeds)

    def pick(self, choice: str | None, seed: Any, lock_noise: bool, steps: list[str],
             n_seeds: Any = DEFAULT_SEEDS) -> tuple[list[str], str, str, str]:
        """A catalog query stream chosen in the drop-down; returns the first-query box's new text too (the
        stream's first step)."""
        if not choice or choice not in self.stream_choices:
            note = "⚠ choose one of the catalog's query streams"
            return (*self.show(steps, seed, lock_noise, n_seeds, note=note), steps[0] if steps else "")
        stream = self.streams[self.stream_choices.index(choice)]
        return (*self.show(stream, seed, lock_noise, n_seeds), stream[0])

    def download(self, steps: list[str], seed: Any, lock_noise: bool, n_seeds: Any = DEFAULT_SEEDS
                 ) -> tuple[str | None, str]:
        """The shown query as one PNG (path for the download box), or None and why not."""
        if not steps:
            return None, "⚠ start with a first query, then download its strip"
        try:
            result = refine(self.models, steps, parse_seed(seed), bool(lock_noise), parse_seed_count(n_seeds))
            return str(strip_png(result)), ""
        except ExploreError as error:
            return None, f"⚠ {error}"

    def vocabulary_hint(self) -> str:
        """Markdown: every word some model knows, for the page's "Words the models know"."""
        words = known_words(self.models)
        return (f"{len(words)} words and colour terms; any other word is read as `<unk>`.\n\n"
                + ", ".join(f"`{word}`" for word in words))

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

    def page(handler):  # KEEP -> leave the grid as it is
        def answer(*args):
            return tuple(gr.skip() if value is KEEP else value for value in handler(*args))
        return answer

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
            with gr.Accordion("Words the models know", open=False, elem_id="vocabulary"):
                gr.Markdown(explorer.vocabulary_hint())
            with gr.Row():
                stream = gr.Dropdown(choices=explorer.stream_choices, value=None, elem_id="stream",
                                     label="Or a query stream of the catalog", scale=3)
                seed = gr.Number(value=0, precision=0, label="Noise seed", elem_id="seed", scale=1)
                n_seeds = gr.Number(value=DEFAULT_SEEDS, precision=0, minimum=1, maximum=MAX_SEEDS,
                                    label="Noise seeds shown", elem_id="n-seeds", scale=1)
                lock = gr.Checkbox(value=True, label="Lock noise across steps", elem_id="lock", scale=1)
            status = gr.Markdown(elem_id="status")
            grid = gr.HTML(elem_id="grid")
            with gr.Row():
                make_png = gr.Button("Strip as PNG", elem_id="make-png", scale=1)
                png = gr.File(label="PNG of the strip", elem_id="png", scale=3)
        with gr.Tab("Colour terms"):
            with gr.Row():
                word = gr.Textbox(label="Colour word", value="navy", elem_id="colour-word", scale=3)
                look = gr.Button("Look up", elem_id="look-up", scale=1)
            word_info = gr.HTML(elem_id="colour-word-info")
            neighbours = gr.HTML(elem_id="neighbours")
            gr.Markdown("### The lookup table's clusters")
            gr.HTML(explorer.swatches(), elem_id="swatches")
        shown, noise = [steps, status, grid], [seed, lock, n_seeds]
        start.click(page(explorer.start), [first, seed, lock, steps, n_seeds], shown)
        first.submit(page(explorer.start), [first, seed, lock, steps, n_seeds], shown)
        add.click(page(explorer.add), [steps, step, *noise], [*shown, step])
        step.submit(page(explorer.add), [steps, step, *noise], [*shown, step])
        undo.click(page(explorer.undo), [steps, *noise], shown)
        stream.input(page(explorer.pick), [stream, seed, lock, steps, n_seeds], [*shown, first])
        for control in noise:
            control.change(page(explorer.show), [steps, *noise], shown)
        make_png.click(explorer.download, [steps, *noise], [png, status])
        look.click(explorer.colour_word, [word], [word_info, neighbours])
        word.submit(explorer.colour_word, [word], [word_info, neighbours])
    return app
