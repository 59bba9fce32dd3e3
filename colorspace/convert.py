"""sRGB <-> CIELAB (D65, 2 degree observer), batched and differentiable, for numpy arrays or torch tensors.

Two implementations of sRGB -> Lab that agree with colour-science (``colorspace.reference``) to ~1e-4 in
Lab in float32: a differentiable torch one (any device; used when gradients are needed or off the CPU)
and a numpy one with a few in-place passes (used for numpy input and for CPU tensors without gradients;
the speed path that ``benchmarks/colour_speed.py`` measures). Lab -> sRGB always runs the torch one.
Constants are those colour-science uses (IEC 61966-2-1 matrix, D65 white point from its xy chromaticity),
so no chromatic adaptation happens anywhere.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

Array = np.ndarray | torch.Tensor
GamutMode = Literal["clip", "chroma"]

_WHITE_XY = np.array([0.3127, 0.3290])
_EPSILON = 216.0 / 24389.0  # (6/29)^3, CIE 1976 threshold
_KAPPA = 24389.0 / 27.0


def _xy_to_xyz(xy: np.ndarray) -> np.ndarray:
    x, y = xy[..., 0], xy[..., 1]
    return np.stack([x / y, np.ones_like(x), (1 - x - y) / y], -1)


# The IEC 61966-2-1:1999 matrix (4 decimals), the one colour-science uses; deriving it from the primaries
# instead differs by up to 0.02 in Lab. For Lab -> sRGB we use its exact inverse (colour-science uses the
# published 4-decimal inverse), so that a round trip returns the input; the two differ by < 1e-4 in sRGB.
RGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ)
WHITE_XYZ = _xy_to_xyz(_WHITE_XY)


def _constant(values: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(values, dtype=like.dtype, device=like.device)


def _check_last_axis(x: Array, what: str) -> None:
    if x.ndim == 0 or x.shape[-1] != 3:
        raise ValueError(f"{what} must have shape (..., 3), got shape {tuple(x.shape)}")


def _as_tensor(x: Array, what: str) -> tuple[torch.Tensor, bool]:
    """Tensor view of ``x`` (float, or uint8 for sRGB input) and whether ``x`` was numpy."""
    is_numpy = isinstance(x, np.ndarray)
    if not is_numpy and not isinstance(x, torch.Tensor):
        raise TypeError(f"{what} must be a numpy array or torch tensor, got {type(x).__name__}")
    _check_last_axis(x, what)
    t = torch.from_numpy(np.ascontiguousarray(x)) if is_numpy else x
    if t.dtype == torch.uint8 and what.startswith("sRGB"):
        return t, is_numpy
    if not t.is_floating_point():
        kinds = "uint8 or floating point" if what.startswith("sRGB") else "floating point"
        raise ValueError(f"{what} must be {kinds}, got dtype {t.dtype}")
    return t, is_numpy


def _hand_back(t: torch.Tensor, is_numpy: bool) -> Array:
    return t.numpy() if is_numpy else t


# The piecewise curves below are written as "curve of max(x, t) + line of (min(x, t) - t)" instead of a
# ``where``: each piece only sees its own side of the threshold t, so gradients stay finite, and it avoids
# boolean masks (slow on CPU). The pieces meet at t (to < 3e-8 for sRGB, exactly for CIELAB).
_SRGB_DECODE_T, _SRGB_ENCODE_T = 0.04045, 0.0031308


def _srgb_decode(c: torch.Tensor) -> torch.Tensor:
    """sRGB EOTF: encoded 0..1 -> linear light."""
    curved = ((c.clamp_min(_SRGB_DECODE_T) + 0.055) / 1.055) ** 2.4
    return curved + (c.clamp_max(_SRGB_DECODE_T) - _SRGB_DECODE_T) / 12.92


def _srgb_encode(c: torch.Tensor) -> torch.Tensor:
    curved = 1.055 * c.clamp_min(_SRGB_ENCODE_T) ** (1 / 2.4) - 0.055
    return curved + (c.clamp_max(_SRGB_ENCODE_T) - _SRGB_ENCODE_T) * 12.92


def _lab_f(t: torch.Tensor) -> torch.Tensor:
    return t.clamp_min(_EPSILON) ** (1 / 3) + (t.clamp_max(_EPSILON) - _EPSILON) * (_KAPPA / 116)


def _lab_f_inverse(f: torch.Tensor) -> torch.Tensor:
    f_threshold = 6.0 / 29.0  # the f value where the cube meets the line
    return f.clamp_min(f_threshold) ** 3 + (f.clamp_max(f_threshold) - f_threshold) * (116 / _KAPPA)


# f = (fx, fy, fz) as a row times this matrix, plus _LAB_OFFSET, is (L*, a*, b*): one addmm, no stack
_LAB_FROM_F = np.array([[0.0, 500.0, 0.0], [116.0, -500.0, 200.0], [0.0, 0.0, -200.0]])
_LAB_OFFSET = np.array([-16.0, 0.0, 0.0])


def _srgb_decode_fast(c: torch.Tensor) -> torch.Tensor:
    """``_srgb_decode`` in five passes, updating its own temporaries in place (autograd-safe: each in-place
    op is one whose backward does not need the overwritten value, and pow_ saves its input itself)."""
    curved = c.clamp_min(_SRGB_DECODE_T).mul_(1 / 1.055).add_(0.055 / 1.055).pow_(2.4)
    return curved.add_(c.clamp_max(_SRGB_DECODE_T), alpha=1 / 12.92).sub_(_SRGB_DECODE_T / 12.92)


def _lab_f_fast(t: torch.Tensor) -> torch.Tensor:
    """``_lab_f`` with fewer passes, in the same way as ``_srgb_decode_fast``."""
    cube_root = t.clamp_min(_EPSILON).pow_(1 / 3)
    return cube_root.add_(t.clamp_max(_EPSILON), alpha=_KAPPA / 116).sub_(_EPSILON * _KAPPA / 116)


def srgb_decode_lut(like: torch.Tensor) -> torch.Tensor:
    """Linear light of the 256 uint8 sRGB codes (float64 maths, in ``like``'s float dtype and device)."""
    codes = torch.arange(256, dtype=torch.float64) / 255.0
    return _srgb_decode(codes).to(dtype=like.dtype if like.is_floating_point() else torch.float32,
                                  device=like.device)


def srgb_to_lab_tensor(rgb: torch.Tensor) -> torch.Tensor:
    """sRGB (..., 3), float in 0..1 or uint8, -> Lab (..., 3) on the same device; differentiable for float.

    Float input keeps its dtype; uint8 gives float32 and decodes through a 256-entry table (exact).
    """
    if rgb.dtype == torch.uint8:
        linear = srgb_decode_lut(rgb)[rgb.long()]
    else:
        linear = _srgb_decode_fast(rgb)
    f = _lab_f_fast(linear @ _constant(RGB_TO_XYZ / WHITE_XYZ[:, None], linear).T)
    flat = f.reshape(-1, 3)
    lab = torch.addmm(_constant(_LAB_OFFSET, f), flat, _constant(_LAB_FROM_F, f))
    return lab.reshape(f.shape)


def lab_to_linear_rgb_tensor(lab: torch.Tensor) -> torch.Tensor:
    """Lab -> linear-light sRGB, unclipped (values outside 0..1 mean out of gamut)."""
    L, a, b = lab.unbind(-1)
    fy = (L + 16) / 116
    f = torch.stack([fy + a / 500, fy, fy - b / 200], -1)
    return _lab_f_inverse(f) @ _constant(XYZ_TO_RGB * WHITE_XYZ[None, :], lab).T


def lab_to_srgb_tensor(lab: torch.Tensor) -> torch.Tensor:
    """Lab -> encoded sRGB, unclipped."""
    return _srgb_encode(lab_to_linear_rgb_tensor(lab))


def _decode_numpy(channels: np.ndarray) -> np.ndarray:
    """``_srgb_decode`` on float numpy channels in their dtype, fixing the dark ones by index."""
    kind = channels.dtype.type
    linear = channels + kind(0.055)
    linear *= kind(1 / 1.055)
    np.power(linear, kind(2.4), out=linear)
    dark = np.flatnonzero(channels <= 0.04045)
    linear.flat[dark] = channels.flat[dark] * kind(1 / 12.92)
    return linear


_UINT8_TO_LINEAR = srgb_decode_lut(torch.empty(0, dtype=torch.float32)).numpy()


def _srgb_to_lab_numpy(rgb: np.ndarray) -> np.ndarray:
    """The numpy speed path: same maths as ``srgb_to_lab_tensor`` in the input's float dtype (float32 for
    uint8, which is decoded through a 256-entry table of the exact curve).

    Works on a planar (3, N) copy so every pass is over contiguous memory, does the 3x3 matrix product
    as nine scaled adds (a BLAS call on an (N, 3) array is slow and suffers badly on a busy machine), and
    fixes the few pixels on the linear branches by index instead of a full ``where``. Single-threaded.
    """
    channels = np.ascontiguousarray(np.moveaxis(rgb.reshape(-1, 3), -1, 0))
    if rgb.dtype == np.uint8:
        linear = _UINT8_TO_LINEAR[channels]
    else:
        linear = _decode_numpy(channels)
    kind = linear.dtype.type
    matrix = (RGB_TO_XYZ / WHITE_XYZ[:, None]).astype(linear.dtype)
    f = np.empty_like(linear)
    for row in range(3):
        np.multiply(linear[0], matrix[row, 0], out=f[row])
        f[row] += linear[1] * matrix[row, 1]
        f[row] += linear[2] * matrix[row, 2]
    low = np.flatnonzero(f <= _EPSILON)
    low_values = f.flat[low] * kind(_KAPPA / 116) + kind(16 / 116)
    np.cbrt(f, out=f)
    f.flat[low] = low_values
    lab = np.empty((f.shape[1], 3), dtype=linear.dtype)
    lab[:, 0] = f[1] * kind(116) - kind(16)
    lab[:, 1] = (f[0] - f[1]) * kind(500)
    lab[:, 2] = (f[1] - f[2]) * kind(200)
    return lab.reshape(rgb.shape)


def srgb_to_lab(rgb: Array) -> Array:
    """sRGB (..., 3) -> CIELAB (..., 3), D65.

    ``rgb`` is a numpy array or torch tensor, uint8 (0..255) or float (0..1). Returns the same kind
    (numpy in, numpy out), float32 for uint8/float32 input, otherwise the input's float dtype.
    Torch inputs keep their device and gradients.
    """
    t, is_numpy = _as_tensor(rgb, "sRGB input")
    numpy_ready = t.device.type == "cpu" and t.dtype in (torch.uint8, torch.float32, torch.float64)
    if numpy_ready and not (t.requires_grad and torch.is_grad_enabled()):
        lab = _srgb_to_lab_numpy(np.ascontiguousarray(t.detach().numpy()))
        return lab if is_numpy else torch.from_numpy(lab)
    return _hand_back(srgb_to_lab_tensor(t), is_numpy)


def _in_gamut(linear_rgb: torch.Tensor, tolerance: float = 2e-4) -> torch.Tensor:
    """Inside the sRGB cube in linear light; the tolerance absorbs the 4-decimal matrix (Lab white gives
    linear sRGB 0.9998..1.0001) and is below half an 8-bit step except at the very darkest levels."""
    return ((linear_rgb >= -tolerance) & (linear_rgb <= 1 + tolerance)).all(-1)


def _reduce_chroma(lab: torch.Tensor, steps: int = 24) -> torch.Tensor:
    """Largest chroma at the same L* and hue that is inside the sRGB gamut, by bisection on a scale."""
    lab = torch.cat([lab[..., :1].clamp(0, 100), lab[..., 1:]], -1)
    low = torch.zeros(lab.shape[:-1], dtype=lab.dtype, device=lab.device)
    high = torch.ones_like(low)
    inside = _in_gamut(lab_to_linear_rgb_tensor(lab))
    for _ in range(steps):
        mid = (low + high) / 2
        trial = torch.cat([lab[..., :1], lab[..., 1:] * mid[..., None]], -1)
        ok = _in_gamut(lab_to_linear_rgb_tensor(trial))
        low = torch.where(ok, mid, low)
        high = torch.where(ok, high, mid)
    scale = torch.where(inside, torch.ones_like(low), low)
    return torch.cat([lab[..., :1], lab[..., 1:] * scale[..., None]], -1)


def lab_to_srgb(
    lab: Array, gamut: GamutMode = "clip", as_uint8: bool = False, return_out_of_gamut: bool = False
) -> Array | tuple[Array, Array]:
    """CIELAB (..., 3) -> sRGB (..., 3) in 0..1 (or uint8 with ``as_uint8``), same kind as the input.

    Colours outside the sRGB gamut are handled by ``gamut``:
    - ``"clip"`` (default): each channel is clipped to 0..1 (can shift hue; differentiable almost
      everywhere).
    - ``"chroma"``: gamut mapping at constant L* (clamped to 0..100) and hue: chroma is reduced by bisection
      until the colour fits, then tiny numerical residue is clipped. Not differentiable through the search.
    With ``return_out_of_gamut`` the result is ``(rgb, mask)`` where ``mask`` (...,) marks the inputs that
    were outside the gamut before mapping.
    """
    if gamut not in ("clip", "chroma"):
        raise ValueError(f"gamut must be 'clip' or 'chroma', got {gamut!r}")
    t, is_numpy = _as_tensor(lab, "Lab input")
    outside = ~_in_gamut(lab_to_linear_rgb_tensor(t.detach()))
    if gamut == "chroma":
        with torch.no_grad():
            t = _reduce_chroma(t)
    rgb = lab_to_srgb_tensor(t).clamp(0, 1)
    if as_uint8:
        rgb = (rgb * 255).round().to(torch.uint8)
    out = _hand_back(rgb, is_numpy)
    return (out, _hand_back(outside, is_numpy)) if return_out_of_gamut else out
