"""HTML for the explorer's views (what the Gradio page shows): the refinement grid, unknown-word flags,
cluster swatches, one colour word and embedding neighbours. Plain functions of the views' results; every
piece of user text is escaped. Images are inline PNGs shown at ``tile`` px (at least 256), upscaled by
nearest neighbour so the generated pixels stay as they are."""

from __future__ import annotations

import base64
import html
import io

import numpy as np
from PIL import Image

from ganbench.explore.colour_terms import ClusterSwatches, ColourWord, Neighbours, Swatch, lab_hex
from ganbench.explore.refine import Column, Refinement, StepImage, UnknownWord
from ganbench.explore.sources import ExploreModel

MIN_TILE = 256
STYLE = """<style>
.gb-grid{border-collapse:collapse} .gb-grid th,.gb-grid td{padding:6px;vertical-align:top;text-align:left}
.gb-grid th{font-weight:600} .gb-step{max-width:11em;font-weight:600}
.gb-image{image-rendering:pixelated;display:block;border:1px solid #ccc}
.gb-read{font-size:0.85em;line-height:1.5;margin-top:4px}
.gb-swatch,.gb-big{display:inline-block;border:1px solid #777;vertical-align:middle}
.gb-swatch{width:1em;height:1em;margin:0 3px} .gb-big{width:3em;height:3em;margin-right:6px}
.gb-flag{color:#9a3b00} .gb-note{color:#555} .gb-cluster{display:inline-block;margin:0 14px 10px 0}
.gb-lists td{padding:2px 12px 2px 0;vertical-align:top}
.gb-seeds{display:flex;gap:10px;align-items:flex-start} .gb-seed-label{font-size:0.85em;color:#555}
</style>"""


def png_data_uri(image: np.ndarray, tile: int) -> str:
    """uint8 (H, W, 3) -> a data URI of the PNG at ``tile`` px (nearest neighbour)."""
    picture = Image.fromarray(np.ascontiguousarray(image))
    if picture.size != (tile, tile):
        picture = picture.resize((tile, tile), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _swatch(hex_colour: str, css_class: str = "gb-swatch") -> str:
    return f'<span class="{css_class}" style="background:{hex_colour}" title="{hex_colour}"></span>'


def _lab_text(lab: tuple[float, float, float]) -> str:
    return "L {} a {} b {}".format(*(round(float(value)) for value in lab))  # an int: no "a -0"


def _readings(step: StepImage) -> str:
    colour = step.colour
    if colour.term is None:
        asked = '<span class="gb-note">asked: no colour yet</span>'
    elif colour.requested_lab is None:
        asked = f"asked: {html.escape(colour.term)} (no CIELAB value known)"
    else:
        asked = f"asked: {_swatch(lab_hex(colour.requested_lab))}{html.escape(colour.term)}"
    drawn = f"drawn: {_swatch(lab_hex(colour.dominant_lab))}{_lab_text(colour.dominant_lab)}"
    lines = [asked, drawn]
    if colour.delta_e is not None:
        lines.append(f"&Delta;E<sub>00</sub> {colour.delta_e:.1f}")
    if step.predictions:
        lines.append("eval net: " + " &middot; ".join(html.escape(v) for v in step.predictions.values()))
    else:
        lines.append('<span class="gb-note">eval net: not available</span>')
    return '<div class="gb-read">' + "<br>".join(lines) + "</div>"


def _seed_image(column: Column, step: StepImage, index: int, seed: int, step_text: str, tile: int) -> str:
    alt = html.escape(f"{column.label}, step {index + 1}, seed {seed}: {step_text}", quote=True)
    label = html.escape(column.label, quote=True)
    return (f'<div class="gb-seed"><div class="gb-seed-label">seed {seed}</div>'
            f'<img class="gb-image" data-model="{label}" data-step="{index + 1}" data-seed="{seed}" '
            f'alt="{alt}" width="{tile}" height="{tile}" src="{png_data_uri(step.image, tile)}">'
            f"{_readings(step)}</div>")


def _cell(column: Column, index: int, step_text: str, seeds: list[int], tile: int) -> str:
    """One model's images of one step, one per noise seed side by side."""
    if column.message:
        return f'<td class="gb-flag">{html.escape(column.message)}</td>' if index == 0 else "<td></td>"
    images = "".join(_seed_image(column, by_step[index], index, seed, step_text, tile)
                     for seed, by_step in zip(seeds, column.by_seed, strict=True))
    return f'<td><div class="gb-seeds">{images}</div></td>'


def _noise_note(result: Refinement) -> str:
    seeds = result.seeds or [result.seed]
    named = f"noise seed {seeds[0]}" if len(seeds) == 1 else "noise seeds " + ", ".join(map(str, seeds))
    return (f"{named}, locked across steps" if result.lock_noise
            else f"{named}, each + step - 1 (a fresh noise per step)")


def refinement_html(result: Refinement, models: list[ExploreModel], tile: int = MIN_TILE) -> str:
    """The grid: one row per step, one column per model, in each cell the step's image at every noise seed
    side by side, each with its readings."""
    tile = max(tile, MIN_TILE, *(m.image_size for m in models))
    heads = "".join(f"<th>{html.escape(m.label)}<br><small>{html.escape(m.name)}, step {m.run.step}, "
                    f"{m.image_size} px</small></th>" for m in models)
    rows, seeds = [], result.seeds or [result.seed]
    for index, step_text in enumerate(result.steps):
        shown = ("" if index == 0 else "+ ") + step_text
        cells = "".join(_cell(column, index, step_text, seeds, tile) for column in result.columns)
        rows.append(f'<tr data-step="{index + 1}"><td class="gb-step">{index + 1}. {html.escape(shown)}</td>'
                    f"{cells}</tr>")
    return (f'{STYLE}<div class="gb-refine"><p class="gb-note">{_noise_note(result)}</p>'
            f'<table class="gb-grid"><thead><tr><th>step</th>{heads}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def unknown_words_text(unknown: list[UnknownWord], n_models: int) -> str:
    """One Markdown line per unknown word: where, which models lack it, the suggestion."""
    lines = []
    for flag in unknown:
        who = "" if len(flag.models) == n_models else f" (unknown to {', '.join(flag.models)})"
        hint = f"; did you mean **{flag.suggestion}**?" if flag.suggestion else ""
        lines.append(f"- step {flag.step}: **{flag.word}** is not in the vocabulary, read as `<unk>`"
                     f"{who}{hint}")
    return "\n".join(lines)


def cluster_swatches_html(clusters: list[ClusterSwatches]) -> str:
    """Every cluster: its centroid as a large swatch, then its members."""
    blocks = []
    for cluster in clusters:
        members = " ".join(f"{_swatch(s.hex)}{html.escape(s.term)}" for s in cluster.members)
        centroid = _swatch(cluster.centroid.hex, "gb-big")
        blocks.append(f'<div class="gb-cluster" data-cluster="{cluster.id}">{centroid}'
                      f"<b>{cluster.id}: {html.escape(cluster.name)}</b><br>{members}</div>")
    return f"{STYLE}<div>{''.join(blocks)}</div>"


def _term(swatch: Swatch) -> str:
    return f"{_swatch(swatch.hex)}{html.escape(swatch.term)}"


def colour_word_html(info: ColourWord) -> str:
    """One word: its colour, its cluster and centroid, the nearest terms of the table."""
    if info.cluster is None:
        return f'{STYLE}<p class="gb-flag">{html.escape(info.word)}: {html.escape(info.note)}</p>'
    cluster, swatch = info.cluster, info.swatch
    note = f' <span class="gb-note">({html.escape(info.note)})</span>' if info.note else ""
    nearest = "".join(f"<tr><td>{_term(s)}</td><td>{d:.1f}</td></tr>" for s, d in info.nearest)
    return (f"{STYLE}<p>{_swatch(swatch.hex, 'gb-big')}<b>{html.escape(swatch.term)}</b> "
            f"{_lab_text(swatch.lab)}{note}</p>"
            f"<p>cluster {cluster.id} <b>{html.escape(cluster.name)}</b>: centroid "
            f"{_swatch(cluster.centroid.hex)}"
            f"{_lab_text(cluster.centroid.lab)}; members {', '.join(_term(s) for s in cluster.members)}</p>"
            f'<table class="gb-lists"><tr><th>nearest terms</th><th>&Delta;E<sub>00</sub></th></tr>{nearest}'
            "</table>")


def _named(term: str, colours: dict[str, str]) -> str:
    return (_swatch(colours[term]) if term in colours else "") + html.escape(term)


def neighbours_html(found: list[Neighbours]) -> str:
    """Per model, its embedding neighbours beside the perceptual ones."""
    parts = []
    for item in found:
        if item.message:
            parts.append(f'<p class="gb-note">{html.escape(item.message)}</p>')
            continue
        colours = item.colours
        rows = "".join(f"<tr><td>{_named(a, colours)}</td><td>{c:.3f}</td><td>{_named(b, colours)}</td>"
                       f"<td>{d:.1f}</td></tr>"
                       for (a, c), (b, d) in zip(item.embedding, item.perceptual, strict=False))
        parts.append(f"<p><b>{html.escape(item.label)}</b> ({html.escape(item.source)} vectors)</p>"
                     '<table class="gb-lists"><tr><th>embedding neighbour</th><th>cosine</th>'
                     f"<th>perceptual neighbour</th><th>&Delta;E<sub>00</sub></th></tr>{rows}</table>")
    return STYLE + "".join(parts)
