"""Features extracted once per image set, every distribution metric computed from them.

Extraction runs torch-fidelity feature extractors over in-memory uint8 tensors, so generated images never
touch disk (``ImageTensorDataset`` is the plain Dataset that hands such tensors to torch-fidelity itself).
IS and KID are torch-fidelity's metric functions applied to the stored features
(``isc_features_to_metric``, ``kid_features_to_metric``); FID is in :mod:`ganbench.eval.fid`.

Real-image features are cached as ``CATALOG/eval_net/cache/real_<subset>_<key>.pt``, the key hashing the
catalog hash, the image size, the extractor's name, its weights hash, the subset and the features
requested; torch-fidelity's own cache (whose key ignores weights) is never used.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset
from torch_fidelity import FeatureExtractorBase
from torch_fidelity.metric_isc import KEY_METRIC_ISC_MEAN, KEY_METRIC_ISC_STD, isc_features_to_metric
from torch_fidelity.metric_kid import KEY_METRIC_KID_MEAN, KEY_METRIC_KID_STD, kid_features_to_metric

from ganbench.data.files import torch_save_atomic
from ganbench.eval.uncertainty import metric_entry

CACHE_FORMAT = "ganbench-real-features/1"
IS_SPLITS = 10
IS_MIN_SPLIT_SIZE = 50
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1000


class ImageTensorDataset(Dataset):
    """A plain Dataset over uint8 images (N, 3, H, W) held in memory (torch-fidelity rejects tuples)."""

    def __init__(self, images: torch.Tensor) -> None:
        if not (
            torch.is_tensor(images)
            and images.dtype == torch.uint8
            and images.dim() == 4
            and images.shape[1] == 3
        ):
            raise ValueError(
                f"expected uint8 images (N, 3, H, W), got {getattr(images, 'dtype', type(images))} "
                f"{tuple(getattr(images, 'shape', ()))}"
            )
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> torch.Tensor:
        return self.images[index]


@torch.no_grad()
def extract_features(
    images: torch.Tensor,
    extractor: FeatureExtractorBase,
    batch_size: int = 128,
    device: str | torch.device = "cpu",
) -> dict[str, torch.Tensor]:
    """Every feature the extractor was built for, for all uint8 ``images`` (N, 3, H, W), as CPU tensors.

    Batches are contiguous slices of ``images`` (torch-fidelity's own loop collates item by item, and
    stacking uint8 tensors one by one took ~5 s per 230 images at 128 px on the reference CPU).
    """
    ImageTensorDataset(images)  # validates dtype and shape
    if len(images) == 0:
        raise ValueError("cannot extract features of an empty image set")
    parts: dict[str, list[torch.Tensor]] = {}
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].to(device)
        named = extractor.convert_features_tuple_to_dict(extractor(batch))
        for name, value in named.items():
            parts.setdefault(name, []).append(value.detach().cpu())
    return {name: torch.cat(values) for name, values in parts.items()}


def is_split_count(n: int, splits: int = IS_SPLITS, min_split_size: int = IS_MIN_SPLIT_SIZE) -> int:
    """How many IS splits ``n`` images get: at most ``splits``, each of at least ``min_split_size`` images
    (fewer splits rather than tiny ones: IS of a small split is biased low), and at least one."""
    return max(1, min(splits, n // max(1, min_split_size)))


def inception_score(
    logits: torch.Tensor, seed: int, splits: int = IS_SPLITS, min_split_size: int = IS_MIN_SPLIT_SIZE
) -> dict:
    """torch-fidelity's IS of pre-softmax ``logits`` (N, C): mean and std over :func:`is_split_count`
    splits; with a single split there is no spread (``std`` null)."""
    n = len(logits)
    if n < 2:
        return metric_entry(None, None, n, "isc_splits")
    count = is_split_count(n, splits, min_split_size)
    out = isc_features_to_metric(logits.double(), splits=count, shuffle=True, rng_seed=seed)
    return metric_entry(out[KEY_METRIC_ISC_MEAN], out[KEY_METRIC_ISC_STD] if count > 1 else None, n,
                        "isc_splits")


def kid_entry(
    generated: torch.Tensor,
    real: torch.Tensor,
    seed: int,
    subsets: int = KID_SUBSETS,
    subset_size: int = KID_SUBSET_SIZE,
) -> dict:
    """torch-fidelity's KID (polynomial kernel): mean and std over random subsets of both sets."""
    size = min(subset_size, len(generated), len(real))
    if size < 2:
        return metric_entry(None, None, min(len(generated), len(real)), "kid_subsets")
    out = kid_features_to_metric(
        generated.double().cpu(),
        real.double().cpu(),
        kid_subsets=subsets,
        kid_subset_size=size,
        verbose=False,
        rng_seed=seed,
    )
    return metric_entry(out[KEY_METRIC_KID_MEAN], out[KEY_METRIC_KID_STD], size, "kid_subsets")


def resize_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """uint8 (N, 3, H, W) -> uint8 (N, 3, size, size), antialiased bilinear; unchanged if already there."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    out = F.interpolate(
        images.float(), size=(size, size), mode="bilinear", antialias=True, align_corners=False
    )
    return out.round().clamp(0, 255).to(torch.uint8)


def catalog_images_at(catalog: Any, size: int, indices: np.ndarray) -> torch.Tensor:
    """Catalog images ``indices`` as uint8 (n, 3, size, size), from the smallest cached size >= ``size``."""
    sizes = sorted(int(s) for s in catalog.manifest.get("image_sizes", []))
    if not sizes:
        raise ValueError(f"catalog {catalog.root} lists no image_sizes in its manifest")
    source = next((s for s in sizes if s >= size), sizes[-1])
    chosen = np.ascontiguousarray(catalog.images(source)[np.asarray(indices, dtype=np.int64)])
    return resize_images(torch.from_numpy(chosen).permute(0, 3, 1, 2).contiguous(), size)


def real_features_key(
    catalog_hash: str,
    image_size: int,
    extractor_name: str,
    weights_hash: str,
    subset: str,
    features: list[str],
) -> str:
    """Cache key of real-image features: changes with any input that changes the features."""
    blob = {
        "format": CACHE_FORMAT,
        "catalog": catalog_hash,
        "size": int(image_size),
        "extractor": extractor_name,
        "weights": weights_hash,
        "subset": subset,
        "features": sorted(features),
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:16]


def cached_real_features(
    catalog: Any,
    subset: str,
    indices: np.ndarray,
    image_size: int,
    extractor: FeatureExtractorBase,
    weights_hash: str,
    cache_dir: Path,
    device: str | torch.device = "cpu",
    log: Callable[[str], None] = print,
) -> dict[str, torch.Tensor]:
    """Features of the catalog's real images ``indices`` (named ``subset``), from the cache or extracted."""
    name, wanted = extractor.get_name(), list(extractor.get_requested_features_list())
    key = real_features_key(catalog.hash, image_size, name, weights_hash, subset, wanted)
    path = Path(cache_dir) / f"real_{subset}_{key}.pt"
    if path.is_file():
        log(f"real features: reusing {path}")
        return torch.load(path, map_location="cpu", weights_only=True)
    log(f"real features: extracting {len(indices)} {subset} images with {name} at {image_size} px")
    features = extract_features(catalog_images_at(catalog, image_size, indices), extractor, device=device)
    torch_save_atomic(features, path)
    return features
