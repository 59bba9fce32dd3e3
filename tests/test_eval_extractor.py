"""torch-fidelity feature extractors: the registered classifier and Inception-v3 from a local file."""

import pytest
import torch
import torch_fidelity
from _asserts import raises_naming
from _eval_helpers import make_inception_weights, random_images

from ganbench.eval.evalnet import AttributeClassifier, EvalNetOptions, load_eval_net, save_eval_net
from ganbench.eval.extractor import (
    CLASSIFIER_EXTRACTOR,
    POOLED,
    classifier_extractor,
    inception_extractor,
    logits_feature,
    register_extractors,
)
from ganbench.eval.features import ImageTensorDataset, extract_features, inception_score

CLASSES = {"type": ["jeans", "pants", "shorts"], "gender": ["men's", "women's"]}


@pytest.fixture
def eval_net(tmp_path):
    torch.manual_seed(0)
    model = AttributeClassifier(CLASSES, image_size=16, width=4).eval()
    return save_eval_net(model, EvalNetOptions(image_size=16, width=4), "k", tmp_path / "net", {}, {})


def test_classifier_extractor_gives_pooled_features_and_logits(eval_net):
    extractor = classifier_extractor(eval_net, [POOLED, logits_feature("type"), logits_feature("gender")])
    features = extract_features(random_images(10, 24), extractor, batch_size=4)
    assert features[POOLED].shape == (10, 32)
    assert features[logits_feature("type")].shape == (10, 3)
    assert features[logits_feature("gender")].shape == (10, 2)


def test_asking_for_a_head_the_net_lacks_is_a_clear_error(eval_net):
    with raises_naming(ValueError, "fit"):
        classifier_extractor(eval_net, [logits_feature("fit")])


def test_registering_twice_is_safe():
    register_extractors()
    register_extractors()
    assert CLASSIFIER_EXTRACTOR in torch_fidelity.registry.FEATURE_EXTRACTORS_REGISTRY


def test_torch_fidelity_calculate_metrics_accepts_the_registered_classifier(eval_net):
    """Through torch-fidelity's own entry point (weights by path) the IS equals ours on extracted logits."""
    register_extractors()
    images = random_images(20, 16, seed=1)
    theirs = torch_fidelity.calculate_metrics(
        input1=ImageTensorDataset(images),
        isc=True,
        feature_extractor=CLASSIFIER_EXTRACTOR,
        feature_layer_isc=logits_feature("type"),
        feature_extractor_weights_path=str(eval_net.path),
        cuda=False,
        cache=False,
        verbose=False,
        save_cpu_ram=True,
        isc_splits=2,
    )
    logits = extract_features(
        images, classifier_extractor(load_eval_net(eval_net.path), [logits_feature("type")])
    )
    ours = inception_score(logits[logits_feature("type")], seed=2020, splits=2, min_split_size=1)
    assert ours["mean"] == pytest.approx(theirs[torch_fidelity.KEY_METRIC_ISC_MEAN], rel=1e-5)


@pytest.fixture(scope="module")
def inception_weights(tmp_path_factory):
    return make_inception_weights(tmp_path_factory.mktemp("inception") / "inception.pth")


def test_inception_path_loads_a_local_weights_file(inception_weights):
    # the early "192" layer keeps the test fast; the weights file is loaded whole either way
    extractor, weights_hash = inception_extractor(inception_weights, feature="192")
    features = extract_features(random_images(2, 32), extractor, batch_size=2)
    assert features["192"].shape == (2, 192)
    assert bool(torch.isfinite(features["192"]).all()) and float(features["192"].std()) > 0
    assert len(weights_hash) == 16
    with raises_naming(ValueError, "'1000'"):
        inception_extractor(inception_weights, feature="1000")


def test_inception_path_rejects_a_missing_or_wrong_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloaded"):
        inception_extractor(tmp_path / "absent.pth")
    wrong = tmp_path / "wrong.pth"
    torch.save({"fc.weight": torch.zeros(2, 2)}, wrong)
    with raises_naming(ValueError, wrong):
        inception_extractor(wrong)
