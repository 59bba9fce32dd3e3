"""Colour differences CIE76 and CIEDE2000 (Sharma, Wu & Dalal 2005), broadcasting, numpy or torch.

The torch implementation is differentiable everywhere: square roots and atan2 use the "double where"
trick so that identical or achromatic colours give zero (not NaN) gradients.
Numpy inputs are computed in float64; torch inputs keep their dtype and device.
"""

from __future__ import annotations

import math

import numpy as np
import torch

Array = np.ndarray | torch.Tensor
METHODS = ("ciede2000", "cie76")
_25_POW_7 = 25.0**7


# T(h) = 1 - 0.17 cos(h - 30) + 0.24 cos(2h) + 0.32 cos(3h + 6) - 0.20 cos(4h - 63): the four cosines are
# taken in one call on an (..., 4) tensor of angles (in radians) and summed with one matrix product.
_T_MULTIPLES = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64) * math.pi / 180
_T_OFFSETS = torch.tensor([-30.0, 0.0, 6.0, -63.0], dtype=torch.float64) * math.pi / 180
_T_WEIGHTS = torch.tensor([-0.17, 0.24, 0.32, -0.20], dtype=torch.float64)


def _safe_sqrt(x: torch.Tensor) -> torch.Tensor:
    positive = x > 0
    return torch.where(positive, torch.sqrt(torch.where(positive, x, 1.0)), 0.0)


def _safe_atan2(y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """atan2 in degrees, 0..360; 0 where x = y = 0 (the CIEDE2000 convention)."""
    zero = (x == 0) & (y == 0)
    angle = torch.atan2(y, torch.where(zero, 1.0, x)).mul_(180 / math.pi)
    return torch.where(zero, 0.0, angle).remainder_(360.0)


def _hue_terms(h1: torch.Tensor, h2: torch.Tensor, chroma_product: torch.Tensor):
    """Delta h' and mean h' (degrees) with the CIEDE2000 wrap-around rules."""
    diff = h2 - h1
    achromatic = chroma_product == 0
    delta_h = torch.where(diff > 180, diff - 360, torch.where(diff < -180, diff + 360, diff))
    delta_h = torch.where(achromatic, 0.0, delta_h)
    total = h1 + h2
    far = diff.abs() > 180
    mean_h = torch.where(far, torch.where(total < 360, total + 360, total - 360), total) / 2
    return delta_h, torch.where(achromatic, total, mean_h)


def _t_factor(mean_h: torch.Tensor) -> torch.Tensor:
    like = {"dtype": mean_h.dtype, "device": mean_h.device}
    angles = torch.addcmul(_T_OFFSETS.to(**like), mean_h[..., None], _T_MULTIPLES.to(**like))
    return (angles.cos_() @ _T_WEIGHTS.to(**like)).add_(1.0)


def _chroma_ratio(chroma: torch.Tensor) -> torch.Tensor:
    """sqrt(C^7 / (C^7 + 25^7)), shared by the G factor and R_C."""
    power7 = chroma**7
    return _safe_sqrt(power7 / (power7 + _25_POW_7))


def ciede2000_tensor(lab1: torch.Tensor, lab2: torch.Tensor) -> torch.Tensor:
    """CIEDE2000 (kL = kC = kH = 1) between broadcastable Lab tensors (..., 3)."""
    # planar copies: every pass below then reads contiguous memory instead of every third value
    L1, a1, b1 = lab1.movedim(-1, 0).contiguous()
    L2, a2, b2 = lab2.movedim(-1, 0).contiguous()
    b1_sq, b2_sq = b1 * b1, b2 * b2
    mean_c = (_safe_sqrt(a1 * a1 + b1_sq) + _safe_sqrt(a2 * a2 + b2_sq)) / 2
    a_scale = 1.5 - 0.5 * _chroma_ratio(mean_c)  # 1 + G
    a1p, a2p = a_scale * a1, a_scale * a2
    c1p, c2p = _safe_sqrt(a1p * a1p + b1_sq), _safe_sqrt(a2p * a2p + b2_sq)
    h1p, h2p = _safe_atan2(b1, a1p), _safe_atan2(b2, a2p)
    chroma_product = c1p * c2p
    delta_hp, mean_hp = _hue_terms(h1p, h2p, chroma_product)
    delta_big_hp = 2 * _safe_sqrt(chroma_product) * torch.sin(delta_hp * (math.pi / 360))
    mean_cp = (c1p + c2p) / 2
    lightness_offset_sq = ((L1 + L2) / 2 - 50) ** 2
    s_l = 1 + 0.015 * lightness_offset_sq / torch.sqrt(20 + lightness_offset_sq)
    s_c = 1 + 0.045 * mean_cp
    s_h = 1 + 0.015 * mean_cp * _t_factor(mean_hp)
    delta_theta = 30 * torch.exp(-(((mean_hp - 275) / 25) ** 2))
    r_t = -2 * _chroma_ratio(mean_cp) * torch.sin(delta_theta * (math.pi / 90))
    term_l, term_c, term_h = (L2 - L1) / s_l, (c2p - c1p) / s_c, delta_big_hp / s_h
    return _safe_sqrt(term_l**2 + term_c**2 + term_h**2 + r_t * term_c * term_h)


def cie76_tensor(lab1: torch.Tensor, lab2: torch.Tensor) -> torch.Tensor:
    """Euclidean distance in Lab."""
    return _safe_sqrt(((lab1 - lab2) ** 2).sum(-1))


def _as_lab_tensor(x: Array, what: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x if x.is_floating_point() else x.to(torch.float32)
    else:  # any array: reversed or read-only views are copied (torch takes neither negative strides
        array = np.asarray(x, dtype=np.float64)  # nor non-writable memory)
        if not array.flags.writeable or any(stride < 0 for stride in array.strides):
            array = array.copy()
        t = torch.from_numpy(array)
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
