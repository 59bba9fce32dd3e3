"""Colour differences CIE76 and CIEDE2000 (Sharma, Wu & Dalal 2005), broadcasting, numpy or torch.

The torch implementation is differentiable everywhere: square roots and atan2 use the "double where"
trick so that identical or achromatic colours give zero (not NaN) gradients.
Numpy inputs are computed in float64; torch inputs keep their dtype and device.
"""

from __future__ import annotations

import numpy as np
import torch

Array = np.ndarray | torch.Tensor
METHODS = ("ciede2000", "cie76")
_25_POW_7 = 25.0**7


def _safe_sqrt(x: torch.Tensor) -> torch.Tensor:
    positive = x > 0
    root = torch.sqrt(torch.where(positive, x, torch.ones_like(x)))
    return torch.where(positive, root, torch.zeros_like(x))


def _safe_atan2(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """atan2 in degrees, 0..360; 0 where x = y = 0 (the CIEDE2000 convention)."""
    zero = (x == 0) & (y == 0)
    angle = torch.atan2(y, torch.where(zero, torch.ones_like(x), x))
    degrees = torch.rad2deg(torch.where(zero, torch.zeros_like(angle), angle))
    return torch.remainder(degrees, 360.0)


def _cos_deg(x: torch.Tensor) -> torch.Tensor:
    return torch.cos(torch.deg2rad(x))


def _hue_terms(h1: torch.Tensor, h2: torch.Tensor, chroma_product: torch.Tensor):
    """Delta h' and mean h' (degrees) with the CIEDE2000 wrap-around rules."""
    diff = h2 - h1
    delta_h = torch.where(diff > 180, diff - 360, torch.where(diff < -180, diff + 360, diff))
    delta_h = torch.where(chroma_product == 0, torch.zeros_like(diff), delta_h)
    total = h1 + h2
    far = (h1 - h2).abs() > 180
    mean_h = torch.where(far, torch.where(total < 360, total + 360, total - 360), total) / 2
    mean_h = torch.where(chroma_product == 0, total, mean_h)
    return delta_h, mean_h


def ciede2000_tensor(lab1: torch.Tensor, lab2: torch.Tensor) -> torch.Tensor:
    """CIEDE2000 (kL = kC = kH = 1) between broadcastable Lab tensors (..., 3)."""
    L1, a1, b1 = lab1.unbind(-1)
    L2, a2, b2 = lab2.unbind(-1)
    mean_c = (_safe_sqrt(a1**2 + b1**2) + _safe_sqrt(a2**2 + b2**2)) / 2
    g = 0.5 * (1 - _safe_sqrt(mean_c**7 / (mean_c**7 + _25_POW_7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = _safe_sqrt(a1p**2 + b1**2), _safe_sqrt(a2p**2 + b2**2)
    h1p, h2p = _safe_atan2(b1, a1p), _safe_atan2(b2, a2p)
    chroma_product = c1p * c2p
    delta_hp, mean_hp = _hue_terms(h1p, h2p, chroma_product)
    delta_lp, delta_cp = L2 - L1, c2p - c1p
    delta_big_hp = 2 * _safe_sqrt(chroma_product) * torch.sin(torch.deg2rad(delta_hp) / 2)
    mean_lp, mean_cp = (L1 + L2) / 2, (c1p + c2p) / 2
    t = (1 - 0.17 * _cos_deg(mean_hp - 30) + 0.24 * _cos_deg(2 * mean_hp)
         + 0.32 * _cos_deg(3 * mean_hp + 6) - 0.20 * _cos_deg(4 * mean_hp - 63))  # fmt: skip
    delta_theta = 30 * torch.exp(-(((mean_hp - 275) / 25) ** 2))
    r_c = 2 * _safe_sqrt(mean_cp**7 / (mean_cp**7 + _25_POW_7))
    s_l = 1 + 0.015 * (mean_lp - 50) ** 2 / torch.sqrt(20 + (mean_lp - 50) ** 2)
    s_c = 1 + 0.045 * mean_cp
    s_h = 1 + 0.015 * mean_cp * t
    r_t = -torch.sin(torch.deg2rad(2 * delta_theta)) * r_c
    term_l, term_c, term_h = delta_lp / s_l, delta_cp / s_c, delta_big_hp / s_h
    return _safe_sqrt(term_l**2 + term_c**2 + term_h**2 + r_t * term_c * term_h)


def cie76_tensor(lab1: torch.Tensor, lab2: torch.Tensor) -> torch.Tensor:
    """Euclidean distance in Lab."""
    return _safe_sqrt(((lab1 - lab2) ** 2).sum(-1))


def _as_lab_tensor(x: Array, what: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x if x.is_floating_point() else x.to(torch.float32)
    else:
        t = torch.from_numpy(np.asarray(x, dtype=np.float64))
    if t.ndim == 0 or t.shape[-1] != 3:
        raise ValueError(f"{what} must have shape (..., 3) holding L*, a*, b*, got shape {tuple(t.shape)}")
    return t


def delta_e(lab1: Array, lab2: Array, method: str = "ciede2000") -> Array:
    """Colour difference between Lab colours (..., 3), broadcasting; returns shape (...).

    ``method``: ``"ciede2000"`` (default) or ``"cie76"``. Numpy (or list) inputs give a float64 numpy
    result; if either input is a torch tensor the result is a tensor (differentiable).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    want_torch = isinstance(lab1, torch.Tensor) or isinstance(lab2, torch.Tensor)
    t1, t2 = _as_lab_tensor(lab1, "lab1"), _as_lab_tensor(lab2, "lab2")
    if want_torch:
        like = t1 if isinstance(lab1, torch.Tensor) else t2
        t1, t2 = t1.to(like), t2.to(like)
    try:
        t1, t2 = torch.broadcast_tensors(t1, t2)
    except RuntimeError as error:
        raise ValueError(f"lab1 {tuple(t1.shape)} and lab2 {tuple(t2.shape)} do not broadcast") from error
    result = ciede2000_tensor(t1, t2) if method == "ciede2000" else cie76_tensor(t1, t2)
    return result if want_torch else result.numpy()


def pairwise_delta_e(lab: Array, method: str = "ciede2000") -> np.ndarray:
    """Symmetric (N, N) float64 distance matrix between N Lab colours (N, 3)."""
    lab = np.asarray(lab, dtype=np.float64)
    matrix = delta_e(lab[:, None, :], lab[None, :, :], method=method)
    return np.asarray((matrix + matrix.T) / 2)


__all__ = ["delta_e", "pairwise_delta_e", "ciede2000_tensor", "cie76_tensor", "METHODS"]
