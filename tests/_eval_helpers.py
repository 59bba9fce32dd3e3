"""Fixtures for the evaluation tests: a tiny drawn catalog, a small lookup table and fake models.

The fake catalog follows the API of ganbench.data.catalog.Catalog (items, manifest, hash, images(size),
masks(size), indices(split), root) with garments drawn as flat rectangles: type sets the height,
gender the width, colour the fill. It is independent of the synthetic renderer so the evaluation can be
tested on its own; tests that need the real catalog use ``ganbench data synth`` when available.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from ganbench.models.base import GanModel, ModelContext, TextPolicy


def _vocabulary_rgb(name: str) -> tuple[int, int, int]:
    """The sRGB of a colour term's CIELAB value in colorspace's default vocabulary."""
    from colorspace import lab_to_srgb, load_vocabulary

    srgb = np.asarray(lab_to_srgb(np.asarray(load_vocabulary("default")[name].lab)))
    return tuple(int(round(float(c) * 255)) for c in srgb)


COLOURS_RGB = {name: _vocabulary_rgb(name) for name in ("black", "navy", "red", "khaki")}
CLUSTERS = {"black": 0, "navy": 1, "navy blue": 1, "red": 2, "khaki": 3}
CLUSTER_NAMES = ["black", "navy", "red", "khaki"]
TYPES = ("pants", "shorts")
GENDERS = ("men's", "women's")


class FakeLookup:
    """The parts of colorspace.LookupTable the evaluation uses."""

    def __init__(self, clusters: dict[str, int] | None = None, names: list[str] | None = None) -> None:
        self.clusters = dict(clusters or CLUSTERS)
        self.cluster_names = list(names or CLUSTER_NAMES)
        self.n_clusters = len(self.cluster_names)
        self.hash = hashlib.sha256(json.dumps(self.clusters, sort_keys=True).encode()).hexdigest()[:16]

    def cluster_of(self, term: str) -> int | None:
        return self.clusters.get(term)

    def lookup(self, word: str) -> SimpleNamespace:
        return SimpleNamespace(cluster_id=self.clusters.get(word), is_colour=word in self.clusters)


def draw_garment(item: dict, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(image (S, S, 3) uint8 on white, mask (S, S) 0/1) for an item."""
    image = np.full((size, size, 3), 255, dtype=np.uint8)
    height = int(size * (0.85 if item["type"] == "pants" else 0.45))
    half_width = int(size * (0.30 if item["gender"] == "men's" else 0.18))
    top, centre = size // 10, size // 2
    mask = np.zeros((size, size), dtype=np.uint8)
    mask[top : top + height, centre - half_width : centre + half_width] = 1
    image[mask == 1] = COLOURS_RGB[item["colour"]]
    return image, mask


def make_items(n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    splits = np.array(["train"] * n, dtype=object)
    order = rng.permutation(n)
    splits[order[: max(2, n // 4)]] = "test"
    splits[order[max(2, n // 4) : max(3, n // 4 + n // 10)]] = "val"
    items = []
    for i in range(n):
        kind, gender = TYPES[i % 2], GENDERS[(i // 2) % 2]
        colour = list(COLOURS_RGB)[(i // 4) % len(COLOURS_RGB)]
        # a third of the queries name the colour in a later step, so refinement has something to answer
        query = [f"{gender} {colour} {kind}", "petite"]
        if i % 3 == 0:
            query = [f"{gender} {kind}", colour, "petite"]
        items.append(
            {
                "id": f"item{i:04d}",
                "title": f"{gender} {colour} {kind}",
                "type": kind,
                "gender": gender,
                "colour": colour,
                "fit": None,
                "length": None,
                "split": str(splits[i]),
                "query": query,
                "image": f"images/item{i:04d}.png",
            }
        )
    return items


class FakeCatalog:
    """A catalog made in memory; ``root`` is a real folder (the eval net and caches are written there)."""

    def __init__(self, root: Path, n: int = 64, seed: int = 0, sizes: tuple[int, ...] = (16, 32)) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.items = make_items(n, seed)
        self.manifest = {"image_sizes": list(sizes), "source": "synthetic", "seed": seed}
        self._drawn = {s: [draw_garment(it, s) for it in self.items] for s in sizes}
        self.refresh_hash()

    def refresh_hash(self) -> None:
        digest = hashlib.sha256(json.dumps(self.items, sort_keys=True).encode())
        for size in sorted(self._drawn):
            digest.update(self.images(size).tobytes())
        self.hash = digest.hexdigest()[:16]
        self.manifest["catalog_hash"] = self.hash

    def images(self, size: int) -> np.ndarray:
        return np.stack([image for image, _ in self._drawn[size]])

    def masks(self, size: int) -> np.ndarray:
        return np.stack([mask for _, mask in self._drawn[size]])

    def indices(self, split: str) -> np.ndarray:
        return np.array([i for i, it in enumerate(self.items) if it["split"] == split], dtype=np.int64)

    def repaint(self, index: int, colour: str) -> None:
        """Change one item's colour (image and attribute): a changed catalog with a new hash."""
        self.items[index] = {**self.items[index], "colour": colour}
        for size in self._drawn:
            self._drawn[size][index] = draw_garment(self.items[index], size)
        self.refresh_hash()


def random_images(n: int, size: int = 16, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=generator)


class _NoOptions:
    pass


class FakeModel(GanModel):
    """Draws the garment a query asks for (parsed like a title); ``static`` keeps step 1's image."""

    options_class = _NoOptions

    def __init__(self, size: int = 16, static: bool = False, parse=None) -> None:
        context = ModelContext(
            vocabulary=None, lookup=None, n_classes={}, class_names={}, image_sizes=(size,)
        )
        super().__init__(_NoOptions(), context)
        self.size, self.static = size, static
        self._generator = torch.nn.Identity()
        if parse is None:
            from ganbench.data.text import parse_attributes as parse
        self.parse = parse

    @property
    def generator(self) -> torch.nn.Module:
        return self._generator

    def configure_optimizers(self, train_options):
        return {}

    def train_step(self, batch, step, phase):
        return {}

    def phases(self):
        return []

    def text_policy(self):
        return TextPolicy()

    def draw(self, queries, seed):
        raise NotImplementedError("this fake draws from the raw text: it overrides generate")

    def _draw(self, text: str) -> torch.Tensor:
        asked = self.parse(text)
        item = {
            "type": asked["type"] or "pants",
            "gender": asked["gender"] or "men's",
            "colour": asked["colour"] if asked["colour"] in COLOURS_RGB else "black",
        }
        if asked.get("length") == "capri":
            item["type"] = "shorts"
        return torch.from_numpy(draw_garment(item, self.size)[0]).permute(2, 0, 1)

    def generate(self, query_streams, seed):
        out = []
        for steps in query_streams:
            texts = [" ".join(steps[: t + 1]) for t in range(len(steps))]
            if self.static:
                texts = [texts[0]] * len(texts)
            out.append(torch.stack([self._draw(text) for text in texts]))
        return out


def make_inception_weights(path: Path) -> Path:
    """A randomly initialised state_dict of torch-fidelity's Inception-v3, saved where the test wants it."""
    from torch_fidelity import FeatureExtractorInceptionV3

    class RandomInception(FeatureExtractorInceptionV3):
        def load_state_dict(self, state_dict, strict=True, assign=False):
            return None  # keep the random initialisation

    empty = Path(path).with_suffix(".empty.pt")
    torch.save({}, empty)
    torch.manual_seed(0)
    torch.save(
        RandomInception("random", ["2048"], feature_extractor_weights_path=str(empty)).state_dict(), path
    )
    return Path(path)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny convolutions run several times faster on one thread than on two busy ones."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
