"""Reference conversions through colour-science (slow, float64, the ground truth for tests).

We call ``colour.sRGB_to_XYZ`` / ``colour.XYZ_to_Lab`` explicitly: ``colour.convert`` returns Lab scaled
to 0..1 and needs networkx. White point: D65, CIE 1931 2 degree observer (colour-science's defaults).
"""

from __future__ import annotations

import numpy as np

D65_XY = np.array([0.3127, 0.3290])


def _colour():
    import colour  # imported lazily: colour-science takes ~1 s to import

    return colour


def srgb_to_lab_reference(rgb: np.ndarray) -> np.ndarray:
    """sRGB in 0..1 (..., 3) -> CIELAB (..., 3), float64, via colour-science."""
    colour = _colour()
    xyz = colour.sRGB_to_XYZ(np.asarray(rgb, dtype=np.float64), illuminant=D65_XY)
    return colour.XYZ_to_Lab(xyz, illuminant=D65_XY)


def lab_to_srgb_reference(lab: np.ndarray) -> np.ndarray:
    """CIELAB (..., 3) -> sRGB in 0..1 (..., 3), float64, unclipped, via colour-science."""
    colour = _colour()
    xyz = colour.Lab_to_XYZ(np.asarray(lab, dtype=np.float64), illuminant=D65_XY)
    return colour.XYZ_to_sRGB(xyz, illuminant=D65_XY)


def delta_e_reference(lab1: np.ndarray, lab2: np.ndarray, method: str = "ciede2000") -> np.ndarray:
    """Colour difference via ``colour.delta_E`` ("ciede2000" -> "CIE 2000", "cie76" -> "CIE 1976")."""
    names = {"ciede2000": "CIE 2000", "cie76": "CIE 1976"}
    if method not in names:
        raise ValueError(f"method must be one of {sorted(names)}, got {method!r}")
    return _colour().delta_E(np.asarray(lab1, float), np.asarray(lab2, float), method=names[method])


def hex_to_srgb(hex_code: str) -> np.ndarray:
    """'#RRGGBB' -> sRGB floats in 0..1."""
    code = hex_code.strip().lstrip("#")
    if len(code) != 6:
        raise ValueError(f"expected a colour as '#RRGGBB', got {hex_code!r}")
    return np.array([int(code[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])
