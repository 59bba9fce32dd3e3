"""Sanity of the diversity metrics through the whole evaluation: a generator that ignores its noise
scores the lowest per-query diversity and a lower recall than one that varies; the real-images row's
diversity is ~1 by measurement; where the draws come from follows the settings.

The catalog is tests/_eval_helpers.FakeCatalog with each photo jittered (shift and shade chosen per
item), so photos sharing labels differ as real product photos do; both generators draw what the stream's
item asks for, one with a fixed jitter whatever the seed, the other with a jitter drawn from the seed.
"""


import numpy as np
import pytest
import torch
from _eval_helpers import (
    COLOURS_RGB,
    FakeCatalog,
    FakeLookup,
    one_thread,  # noqa: F401  (autouse fixture)
)

from ganbench.config import EvalConfig, EvalNetOptions, SecondNetOptions
from ganbench.eval.calibration import evaluate_baseline
from ganbench.eval.evaluate import evaluate_source
from ganbench.eval.summary import format_summary

SIZE = 16
VARIANTS = 6
SETTINGS = EvalConfig(
    n_samples=None,  # one pass over the 24 test streams: diversity needs extra draws
    seed=2,
    k=3,
    batch_size=16,
    bootstrap_rounds=20,
    device="cpu",
    diversity_streams=12,
    net=EvalNetOptions(image_size=SIZE, width=4, epochs=15, batch_size=16),
    net2=SecondNetOptions(image_size=SIZE, width=4, epochs=6, patience=2, batch_size=8),
)


def jittered_garment(item: dict, size: int, variant: int) -> np.ndarray:
    """The garment of ``item`` shifted by up to 2 px and shaded by up to +-40: one of VARIANTS looks."""
    image = np.full((size, size, 3), 255, dtype=np.uint8)
    height = int(size * (0.85 if item["type"] == "pants" else 0.45))
    half_width = int(size * (0.30 if item["gender"] == "men's" else 0.18))
    shift, shade = variant % 3 - 1, (variant // 3) * 40 - 20
    top, centre = 1 + variant % 2, size // 2 + 2 * shift
    colour = np.clip(np.array(COLOURS_RGB[item["colour"]]) + shade, 0, 255)
    image[top : top + height, centre - half_width : centre + half_width] = colour
    return image


class JitteredCatalog(FakeCatalog):
    """FakeCatalog whose photos vary within a label group."""

    def __init__(self, root, n: int) -> None:
        super().__init__(root, n=n, sizes=(SIZE,))
        looks = np.random.default_rng(7).integers(0, VARIANTS, len(self.items))
        self._drawn = {SIZE: [(jittered_garment(it, SIZE, int(v)), (jittered_garment(it, SIZE, int(v)) < 255)
                               .any(-1).astype(np.uint8)) for it, v in zip(self.items, looks, strict=True)]}
        self.refresh_hash()


class ItemGenerator:
    """Draws the garment of each stream's item (its text followed exactly); ``varies``: the look comes
    from the seed and the row, else it is the same whatever the seed."""

    refines, shows_catalog_photos = True, False

    def __init__(self, catalog: JitteredCatalog, varies: bool) -> None:
        self.catalog, self.varies = catalog, varies

    def draw(self, steps, items, seed):
        looks = np.random.default_rng(seed).integers(0, VARIANTS if self.varies else 1, len(steps))
        return [torch.from_numpy(jittered_garment(self.catalog.items[int(i)], SIZE, int(v))).permute(2, 0, 1)
                [None].repeat(len(s), 1, 1, 1) for i, v, s in zip(items, looks, steps, strict=True)]

    def conditioning(self, texts):
        return None


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return JitteredCatalog(tmp_path_factory.mktemp("diversity") / "catalog", n=96)


@pytest.fixture(scope="module")
def rows(catalog):
    def quiet(_):
        pass

    out = {name: evaluate_source(ItemGenerator(catalog, varies), catalog, FakeLookup(), SETTINGS, quiet)
           for name, varies in (("fixed", False), ("varied", True))}
    out.update({name: evaluate_baseline(name, catalog, FakeLookup(), SETTINGS, SIZE, quiet)
                for name in ("real", "mean-image")})
    return out


def _mean(metrics: dict, name: str) -> float:
    return metrics[name]["mean"]


def test_a_generator_that_ignores_its_noise_scores_the_lowest_diversity_and_a_lower_recall(rows):
    fixed = _mean(rows["fixed"], "query_diversity")
    assert fixed == pytest.approx(0.0, abs=1e-6) and _mean(rows["fixed"], "seed_pixel_difference") == 0.0
    assert fixed <= min(_mean(metrics, "query_diversity") for metrics in rows.values())
    assert _mean(rows["varied"], "query_diversity") > 0.3
    assert _mean(rows["varied"], "seed_pixel_difference") > 0
    assert _mean(rows["fixed"], "improved_recall") < _mean(rows["varied"], "improved_recall")
    summary = format_summary(rows["fixed"]).splitlines()
    assert any(line.split()[:2] == ["query_diversity", "0"] for line in summary)
    assert any(line.startswith("intra_fid.shorts ") for line in summary)


def test_the_real_images_row_is_as_diverse_as_real_photos_and_the_mean_image_not_at_all(rows):
    real = rows["real"]
    assert 0.6 < _mean(real, "query_diversity") < 1.5  # held-out against train photos of the same labels
    assert real["settings"]["diversity"]["draws"] == "held-out catalog photos"
    assert _mean(rows["mean-image"], "query_diversity") == pytest.approx(0.0, abs=1e-6)
    assert _mean(real, "improved_recall") > _mean(rows["mean-image"], "improved_recall")
    # one figure of the catalog, the same in every row
    assert len({_mean(metrics, "real_pixel_difference") for metrics in rows.values()}) == 1
    assert _mean(real, "real_pixel_difference") > 0


def test_one_pass_adds_seeded_extra_draws_and_three_passes_none(rows, catalog):
    diversity = rows["varied"]["settings"]["diversity"]
    assert diversity["streams_scored"] == 12 and diversity["draws_per_stream"] == [3]
    assert diversity["extra_streams_drawn"] == 24  # 12 streams x 2 extra draws
    assert set(rows["varied"]["intra_fid"]) == {"pants", "shorts"}
    assert rows["varied"]["settings"]["intra_fid"]["pants"]["generated"] == rows["varied"]["intra_fid"][
        "pants"]["n"]
    three = evaluate_source(ItemGenerator(catalog, True), catalog, FakeLookup(),
                            SETTINGS.model_copy(update=dict(n_samples=72)), lambda _: None)
    assert three["settings"]["diversity"]["extra_streams_drawn"] == 0
    assert three["settings"]["diversity"]["streams_scored"] == 24
    again = evaluate_source(ItemGenerator(catalog, True), catalog, FakeLookup(), SETTINGS, lambda _: None)
    assert again["query_diversity"] == rows["varied"]["query_diversity"]  # seeded: the same draws
