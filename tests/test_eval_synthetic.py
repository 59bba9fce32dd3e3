"""Colour fidelity on the real synthetic catalog: its photos scored against their own colour terms."""

import numpy as np
import pytest
import torch

import colorspace
from ganbench.data.synth import synthesise
from ganbench.eval.colour import colour_differences, term_labs


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return synthesise(tmp_path_factory.mktemp("eval_synth") / "catalog", 16, seed=3, workers=1)


def test_catalog_photos_are_close_to_their_own_colour_terms(catalog):
    images = torch.from_numpy(catalog.images(64)).permute(0, 3, 1, 2)
    labs = term_labs(colorspace.default_lookup())
    terms = [item["colour"] for item in catalog.items]
    own = colour_differences(images, terms, labs)
    # photos are painted with a jittered Lab of their term and shaded, so "near 0" is a few dE00
    assert np.isfinite(own).all()
    assert np.median(own) < 5 and np.mean(own) < 6
    shuffled = colour_differences(images, terms[5:] + terms[:5], labs)
    assert np.mean(shuffled) > 3 * np.mean(own)
