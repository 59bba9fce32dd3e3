"""``ganbench colors``: colour vocabularies, clustering, lookup tables and colour-term studies."""

from __future__ import annotations

import json
from pathlib import Path

import click

USER_ERRORS = (ValueError, OSError)  # colorspace raises ValueError subclasses with sentences


@click.group()
def colors() -> None:
    """Colour terms in CIELAB: cluster, look up, draw swatches, study embeddings."""


def _open_table(spec: str):
    import colorspace

    try:
        return colorspace.open_lookup(spec, setting="--table")
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error


TABLE_OPTION = click.option("--table", "table_path", default="default", show_default=True,
                            help="Lookup table: 'default' (built in) or a saved table (.json, .csv).")


@colors.command("cluster")
@click.option("--vocabulary", default="catalog", show_default=True,
              type=click.Choice(["catalog", "default", "xkcd", "css", "apparel"]),
              help="Terms to cluster: the synthetic catalog's terms or a built-in vocabulary.")
@click.option("--method", default="average", show_default=True,
              type=click.Choice(["average", "complete", "single", "kmeans"]),
              help="Linkage on CIEDE2000 distances, or k-means in Lab.")
@click.option("--k", type=click.IntRange(min=1), help="Number of clusters (required for kmeans).")
@click.option("--max-de", type=click.FloatRange(min=0, min_open=True),
              help="Cut height in dE00 for linkage methods (default 16 when --k is not given).")
@click.option("--naming", default="frequent", show_default=True, type=click.Choice(["frequent", "central"]),
              help="Name clusters by their most popular or their most central term.")
@click.option("--seed", default=0, show_default=True, help="k-means random state.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=str),
              help="Write the lookup table here (.json, or .csv export).")
def cluster_command(vocabulary: str, method: str, k: int | None, max_de: float | None, naming: str, seed: int,
                    out_path: str | None) -> None:  # fmt: skip
    """Cluster colour terms in CIELAB and print (and optionally save) the lookup table.

    \b
    Examples:
      ganbench colors cluster                                  # the default table
      ganbench colors cluster --k 18 --out tables/k18.json
      ganbench colors cluster --method complete --max-de 12 --out tables/c12.csv
      ganbench colors cluster --vocabulary xkcd --method kmeans --k 40 --out tables/xkcd40.json
    """
    import colorspace
    from colorspace.lookup import DEFAULT_MAX_DE

    if method != "kmeans" and k is None and max_de is None:
        max_de = DEFAULT_MAX_DE
    try:
        terms = (colorspace.catalog_terms() if vocabulary == "catalog"
                 else list(colorspace.load_vocabulary(vocabulary).values()))  # fmt: skip
        options = {"method": method, "k": k, "max_de": max_de, "naming": naming, "random_state": seed}
        given = {name: value for name, value in options.items() if value is not None}
        table = colorspace.LookupTable.from_terms(terms, **given)
        if out_path:
            table.save(out_path)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{len(table.terms)} terms -> {table.n_clusters} clusters (hash {table.hash})")
    for cluster in table.clusters:
        members = ", ".join(cluster.members[:12]) + (" ..." if len(cluster.members) > 12 else "")
        click.echo(f"  {cluster.id:3d} {cluster.name:<18} L*a*b* {_lab_text(cluster.centroid)}  {members}")
    if out_path:
        click.echo(f"wrote {out_path}")


def _lab_text(lab) -> str:
    return "(" + ", ".join(f"{v:6.1f}" for v in lab) + ")"


@colors.command("lookup")
@click.argument("words", nargs=-1, required=True)
@TABLE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per word.")
def lookup_command(words: tuple[str, ...], table_path: str, as_json: bool) -> None:
    """Look up colour WORDS (quote multi-word terms) in a lookup table.

    Unknown words get the nearest known term when it is a small edit away, a nearest-centroid cluster
    when they are colours from the xkcd/CSS vocabulary, or "not a colour term". A phrase that is not a
    term itself is searched for terms inside it.

    \b
    Examples:
      ganbench colors lookup navy "navy blue" "midnight blue" khaki
      ganbench colors lookup burgandy chartreuse trousers
      ganbench colors lookup "women's light wash skinny jeans" --table tables/k18.json --json
    """
    import colorspace

    table, vocabulary = _open_table(table_path), colorspace.load_vocabulary("default")
    for word in words:
        result = table.lookup(word, vocabulary)
        found = table.find_terms(word.split()) if not result.is_colour and " " in word.strip() else []
        if as_json:
            click.echo(json.dumps({"word": word, **result.__dict__, "terms_in_phrase": found}))
        elif found:
            click.echo(f"{word!r}: contains " + "; ".join(f"{t!r} -> cluster {table.cluster_of(t)} "
                       f"({table.cluster_names[table.cluster_of(t)]})" for _, _, t in found))  # fmt: skip
        elif result.is_colour:
            name = table.cluster_names[result.cluster_id]
            note = f"  [{result.note}]" if result.note else ""
            click.echo(f"{word!r}: cluster {result.cluster_id} ({name}), centroid L*a*b* "
                       f"{_lab_text(result.centroid)}{note}")  # fmt: skip
        else:
            click.echo(f"{word!r}: {result.note}")


@colors.command("swatches")
@TABLE_OPTION
@click.option("--out", "out_path", default="colour_swatches.png", show_default=True,
              type=click.Path(dir_okay=False, path_type=str), help="PNG file to write.")
@click.option("--title", default=None, help="Figure title (default: a summary of the table).")
def swatches_command(table_path: str, out_path: str, title: str | None) -> None:
    """Draw a swatch grid of a lookup table: one row per cluster, centroid first, then its terms.

    \b
    Examples:
      ganbench colors swatches --out docs/colour_swatches.png
      ganbench colors swatches --table tables/k18.json --out k18.png --title "18 clusters"
    """
    from colorspace.plots import swatch_grid

    table = _open_table(table_path)
    title = title or (f"{len(table.terms)} colour terms, {table.n_clusters} clusters, table {table.hash}")
    labs = {term: table.term_lab(term) for term in table.terms}
    try:
        path = swatch_grid(table.clusters, labs, out_path, title=title)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {path}")


def run_term_vectors(run_dir: str, terms: list[str]):
    """The vector a trained run's model gives each of ``terms``, as the model reads them (a model with
    colour tokens reads a term as its cluster's token): ``(vectors, coverage)``."""
    from ganbench.models.embeddings import colour_term_vectors
    from ganbench.train.runs import load_run

    try:
        found = colour_term_vectors(load_run(run_dir).model, terms)
    except Exception as error:  # a run folder can fail in many ways; report it as a sentence
        raise click.ClickException(f"could not load the run in {run_dir}: {error}") from error
    if found is None:
        raise click.ClickException(f"the model of run {run_dir} has no word embeddings to study")
    if found.source == "cluster token":
        click.echo("the model reads colour words as their cluster token: terms of one cluster share a vector")
    return found.vectors, found.coverage


@colors.command("study")
@click.option("--vectors", "vectors_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Word-vector text file: lines 'word v1 v2 ...' (multi-word terms as navy_blue).")
@click.option("--run", "run_dir", type=click.Path(exists=True, file_okay=False, path_type=str),
              help="A trained ganbench run: study its text encoder's word embeddings.")
@TABLE_OPTION
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for terms.csv, summary.json and the plots.")
@click.option("--permutations", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Label shuffles for the Spearman p-value.")
@click.option("--seed", default=0, show_default=True, help="Seed of the permutations.")
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(min=1),
              help="Neighbours compared for the k-NN overlap.")
def study_command(vectors_path: str | None, run_dir: str | None, table_path: str, out_dir: str,
                  permutations: int, seed: int, k: int) -> None:  # fmt: skip
    """Compare colour-term embedding distances with perceptual CIEDE2000 distances.

    Writes terms.csv (per term: its own Spearman rho, nearest neighbours in both spaces, k-NN
    overlap; outliers first), summary.json (Spearman rho with permutation p-value, nearest-neighbour
    agreement, which terms had vectors) and four plots: distance_scatter.png, cluster_swatches.png,
    ab_scatter.png, heatmaps.png.

    \b
    Examples:
      ganbench colors study --vectors glove.6B.50d.txt --out studies/glove
      ganbench colors study --run results/cells/restgan__full__seed0/run --out studies/restgan
      ganbench colors study --vectors vecs.txt --table tables/k18.json --permutations 5000 --out s/
    """
    from colorspace.study import read_word_vectors, run_study, write_study

    if (vectors_path is None) == (run_dir is None):
        raise click.ClickException("give exactly one of --vectors FILE or --run RUN_DIR")
    table = _open_table(table_path)
    try:
        if vectors_path:
            vectors, coverage = read_word_vectors(vectors_path, table.terms)
        else:
            vectors, coverage = run_term_vectors(run_dir, table.terms)
        labs = {term: table.term_lab(term) for term in table.terms}
        cluster_of = {term: table.cluster_of(term) for term in table.terms}
        summary, per_term, matrices = run_study(vectors, labs, cluster_of, permutations, seed, k, coverage)
        paths = write_study(out_dir, summary, per_term, matrices, labs, table.clusters, cluster_of)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"terms with vectors: {summary.n_terms} of {len(table.terms)} "
               f"({len(coverage.averaged)} averaged from their words; "
               f"missing: {', '.join(coverage.missing) or 'none'})")  # fmt: skip
    click.echo(f"Spearman rho {summary.spearman_rho:.3f} (permutation p = {summary.p_value:.4f}, "
               f"{summary.n_permutations} shuffles); nearest-neighbour agreement {summary.nn_agreement:.2f}; "
               f"{summary.k}-NN overlap {summary.knn_overlap:.2f}")  # fmt: skip
    click.echo("largest outliers: " + ", ".join(per_term["term"].head(5)))
    click.echo("wrote " + ", ".join(str(p) for p in paths))


@colors.command("ground")
@click.argument("catalog_dir", metavar="CATALOG",
                type=click.Path(exists=True, file_okay=False, path_type=str))
@TABLE_OPTION
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=str),
              help="CSV to write (default: print the table).")
@click.option("--size", type=int, default=None, help="Cached image size to use (default: the smallest).")
def ground_command(catalog_dir: str, table_path: str, out_path: str | None, size: int | None) -> None:
    """Compare each colour term's dictionary Lab with the median dominant colour of its products.

    \b
    Examples:
      ganbench colors ground catalogs/synth
      ganbench colors ground catalogs/fpi --out fpi_grounding.csv
    """
    import colorspace
    from colorspace.grounding import ground_catalog

    table = _open_table(table_path)
    dictionary = {name: term.lab for name, term in colorspace.load_vocabulary("default").items()}
    dictionary.update({term: table.term_lab(term) for term in table.terms})
    try:
        grounding, counts = ground_catalog(catalog_dir, dictionary, size)
    except USER_ERRORS as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"items read {counts.read}, used {counts.kept}, skipped {sum(counts.skipped.values())} "
               f"{counts.skipped or ''}")  # fmt: skip
    if out_path:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        grounding.to_csv(out_path, index=False, float_format="%.3f")
        click.echo(f"wrote {out_path}")
    else:
        click.echo(grounding.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
