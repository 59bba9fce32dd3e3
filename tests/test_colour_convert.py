"""Conversions and colour differences agree with colour-science and with the published CIEDE2000 data."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _asserts import raises_naming

from colorspace import delta_e, lab_to_srgb, srgb_to_lab
from colorspace.convert import srgb_to_lab_tensor
from colorspace.reference import delta_e_reference, lab_to_srgb_reference, srgb_to_lab_reference

# Sharma, Wu & Dalal (2005), Table 1: L1 a1 b1 L2 a2 b2 dE00 (34 pairs).
SHARMA_PAIRS = np.array([
    [50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425],
    [50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615],
    [50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412],
    [50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000],
    [50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000],
    [50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000],
    [50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669],
    [50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195],
    [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195],
    [50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045],
    [50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045],
    [50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461],
    [50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065],
    [50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492],
    [50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977],
    [50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030],
    [50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535],
    [50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000],
    [50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000],
    [50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000],
    [50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000],
    [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
    [63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630],
    [61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731],
    [35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645],
    [22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373],
    [36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146],
    [90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441],
    [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
    [6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377],
    [2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082],
])  # fmt: skip


def test_sharma_pairs_numpy_match_published_values():
    ours = delta_e(SHARMA_PAIRS[:, :3], SHARMA_PAIRS[:, 3:6])
    assert ours.shape == (34,)
    # The table is rounded to 4 decimals, so a correct value is within 5e-5 of it.
    np.testing.assert_allclose(ours, SHARMA_PAIRS[:, 6], atol=1e-4, rtol=0)
    np.testing.assert_allclose(ours, delta_e_reference(SHARMA_PAIRS[:, :3], SHARMA_PAIRS[:, 3:6]), atol=1e-9)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_sharma_pairs_torch(dtype):
    lab = torch.tensor(SHARMA_PAIRS, dtype=dtype)
    ours = delta_e(lab[:, :3], lab[:, 3:6])
    assert isinstance(ours, torch.Tensor) and ours.dtype == dtype
    np.testing.assert_allclose(ours.double().numpy(), SHARMA_PAIRS[:, 6], atol=1e-4, rtol=0)


def test_delta_e_is_symmetric_and_zero_on_identity():
    a, b = SHARMA_PAIRS[:, :3], SHARMA_PAIRS[:, 3:6]
    np.testing.assert_allclose(delta_e(a, b), delta_e(b, a), atol=1e-9)
    np.testing.assert_array_equal(delta_e(a, a), np.zeros(34))


def test_delta_e_broadcasts_and_cie76():
    colours = np.array([[50.0, 10.0, -10.0], [20.0, 0.0, 0.0], [90.0, -5.0, 30.0]])
    matrix = delta_e(colours[:, None], colours[None, :], method="cie76")
    assert matrix.shape == (3, 3)
    np.testing.assert_allclose(matrix[0, 1], np.linalg.norm(colours[0] - colours[1]))
    np.testing.assert_allclose(matrix, delta_e_reference(colours[:, None], colours[None, :], "cie76"))


def test_delta_e_rejects_bad_input_with_a_sentence():
    with raises_naming(ValueError, "method", "'cie94'", "ciede2000"):
        delta_e(np.zeros(3), np.zeros(3), method="cie94")
    with raises_naming(ValueError, "lab1", "(4,)"):
        delta_e(np.zeros(4), np.zeros(3))


def test_torch_delta_e_gradients_are_finite_even_for_identical_and_grey_colours():
    rng = np.random.default_rng(3)
    lab1 = rng.uniform([0, -80, -80], [100, 80, 80], (64, 3))
    lab2 = lab1 + rng.normal(0, 5, (64, 3))
    lab1[:4] = lab2[:4]  # identical pairs
    lab1[4:8, 1:] = 0.0  # achromatic colours (hue undefined)
    lab2[8:10] = [50.0, 0.0, 0.0]
    for method in ("ciede2000", "cie76"):
        x = torch.tensor(lab1, requires_grad=True)
        y = torch.tensor(lab2, requires_grad=True)
        delta_e(x, y, method=method).sum().backward()
        assert torch.isfinite(x.grad).all() and torch.isfinite(y.grad).all()
        assert x.grad[10:].abs().sum() > 0


def test_srgb_to_lab_matches_colour_science_over_many_random_colours():
    rgb = np.random.default_rng(0).random((200_000, 3))
    reference = srgb_to_lab_reference(rgb)
    ours = srgb_to_lab(rgb.astype(np.float32))
    assert isinstance(ours, np.ndarray) and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-3
    # The differentiable torch implementation (taken when gradients are needed) agrees as well.
    ours_torch = srgb_to_lab_tensor(torch.from_numpy(rgb).float())
    assert np.abs(ours_torch.numpy() - reference).max() < 1e-3
    with_grad = srgb_to_lab(torch.from_numpy(rgb[:1000]).float().requires_grad_(True))
    assert isinstance(with_grad, torch.Tensor) and with_grad.requires_grad
    assert np.abs(with_grad.detach().numpy() - reference[:1000]).max() < 1e-3


def test_uint8_input_is_scaled_and_known_anchors():
    rgb = np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0]], dtype=np.uint8)
    lab = srgb_to_lab(rgb)
    # White is (100, 0, 0) up to the 4-decimal IEC matrix (colour-science gives the same ~0.008 a*).
    np.testing.assert_allclose(lab[0], [100, 0, 0], atol=1e-2)
    np.testing.assert_allclose(lab[1], [0, 0, 0], atol=1e-3)
    np.testing.assert_allclose(lab, srgb_to_lab_reference(rgb / 255.0), atol=1e-3)
    tensor_lab = srgb_to_lab(torch.from_numpy(rgb))
    assert isinstance(tensor_lab, torch.Tensor) and tensor_lab.dtype == torch.float32
    half = srgb_to_lab(torch.from_numpy(rgb).to(torch.bfloat16) / 255)
    assert half.dtype == torch.bfloat16 and abs(float(half[0, 0]) - 100) < 1


def test_lab_to_srgb_round_trip_and_reference():
    rgb = np.random.default_rng(1).random((5000, 3))
    back = lab_to_srgb(srgb_to_lab(rgb))
    np.testing.assert_allclose(back, rgb, atol=1e-6)
    lab = srgb_to_lab_reference(rgb)
    np.testing.assert_allclose(lab_to_srgb(lab), lab_to_srgb_reference(lab).clip(0, 1), atol=1e-3)
    as_bytes = lab_to_srgb(torch.from_numpy(lab), as_uint8=True)
    assert isinstance(as_bytes, torch.Tensor) and as_bytes.dtype == torch.uint8


def test_out_of_gamut_is_clipped_or_chroma_mapped_and_flagged():
    lab = np.array([[50.0, 120.0, -120.0], [60.0, 10.0, 10.0], [100.0, 0.0, 0.0]])
    clipped, outside = lab_to_srgb(lab, return_out_of_gamut=True)
    assert outside.tolist() == [True, False, False]
    assert clipped.min() >= 0 and clipped.max() <= 1
    mapped = lab_to_srgb(lab, gamut="chroma")
    mapped_lab = srgb_to_lab(mapped)
    # Chroma mapping keeps L* and hue of the out-of-gamut colour, and leaves in-gamut colours alone.
    assert abs(mapped_lab[0, 0] - 50.0) < 0.5
    hue = np.degrees(np.arctan2(mapped_lab[0, 2], mapped_lab[0, 1]))
    assert abs(hue - (-45.0)) < 1.0
    np.testing.assert_allclose(mapped[1:], clipped[1:], atol=1e-6)
    with raises_naming(ValueError, "gamut", "'wrap'"):
        lab_to_srgb(lab, gamut="wrap")


def test_conversion_rejects_wrong_shapes_and_dtypes():
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 3\)"):
        srgb_to_lab(np.zeros((4, 4)))
    with raises_naming(ValueError, "int64"):
        srgb_to_lab(np.zeros((4, 3), dtype=np.int64))
    with raises_naming(ValueError, "Lab", "uint8"):
        lab_to_srgb(np.zeros((4, 3), dtype=np.uint8))


def test_conversion_gradients_are_finite_at_branch_points():
    rgb = torch.tensor([[0.0, 0.0, 0.0], [0.04045, 0.5, 1.0], [1.0, 1.0, 1.0]], requires_grad=True)
    lab = srgb_to_lab(rgb)
    lab.sum().backward()
    assert torch.isfinite(rgb.grad).all() and rgb.grad.abs().sum() > 0
    lab_in = torch.tensor([[0.0, 0.0, 0.0], [50.0, 20.0, -20.0], [100.0, 0.0, 0.0]], requires_grad=True)
    lab_to_srgb(lab_in).sum().backward()
    assert torch.isfinite(lab_in.grad).all()
