"""torch-fidelity feature extractors: the attribute classifier, and Inception-v3 from a local weights file.

The classifier is registered with torch-fidelity as ``"ganbench-attributes"`` (once per process; a second
registration would raise inside torch-fidelity). It provides ``"pooled"`` (the classifier's pooled
feature, used for FID / KID) and ``"logits_<head>"`` per attribute head (pre-softmax logits, used for the
per-attribute Inception Scores). torch-fidelity builds it from ``feature_extractor_weights_path`` (the
``classifier.pt`` file), so ``torch_fidelity.calculate_metrics(feature_extractor="ganbench-attributes",
feature_extractor_weights_path=...)`` works too; ganbench itself instantiates it with the loaded net.

Inception-v3 is torch-fidelity's ``"inception-v3-compat"``, built only from a weights file the user gives
(``--inception-weights``): without one it is never created, so nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch_fidelity import FeatureExtractorBase, FeatureExtractorInceptionV3
from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY, register_feature_extractor

from ganbench.eval.attributes import ATTRIBUTES
from ganbench.eval.evalnet import EvalNet, file_hash, load_eval_net

CLASSIFIER_EXTRACTOR = "ganbench-attributes"
INCEPTION_EXTRACTOR = "inception-v3-compat"
POOLED = "pooled"
INCEPTION_POOLED = "2048"
INCEPTION_FEATURES = ("64", "192", "768", "2048")


def logits_feature(head: str) -> str:
    """Name of the logits feature of ``head`` (``"logits_type"``)."""
    return f"logits_{head}"


class AttributeFeatureExtractor(FeatureExtractorBase):
    """The evaluation network as a torch-fidelity feature extractor (uint8 B x 3 x H x W in)."""

    def __init__(
        self,
        name: str,
        features_list: list[str],
        feature_extractor_weights_path: str | None = None,
        eval_net: EvalNet | None = None,
        **kwargs,
    ) -> None:
        super().__init__(name, features_list)
        if eval_net is None:
            if feature_extractor_weights_path is None:
                raise ValueError(
                    f"feature extractor {name!r} needs feature_extractor_weights_path: the "
                    "classifier.pt file of a trained evaluation network (ganbench eval-net train)"
                )
            eval_net = load_eval_net(Path(feature_extractor_weights_path))
        absent = [
            f for f in features_list if f != POOLED and f.removeprefix("logits_") not in eval_net.classes
        ]
        if absent:
            raise ValueError(
                f"evaluation network has no head for {absent}; its heads are {list(eval_net.classes)}"
            )
        self.classifier = eval_net.model
        self.weights_hash = eval_net.weights_hash

    @staticmethod
    def get_provided_features_list() -> tuple[str, ...]:
        return (POOLED, *(logits_feature(a) for a in ATTRIBUTES))

    @staticmethod
    def get_default_feature_layer_for_metric(metric: str) -> str:
        return {"isc": logits_feature("type"), "fid": POOLED, "kid": POOLED, "prc": POOLED}[metric]

    @staticmethod
    def can_be_compiled() -> bool:
        return False

    @staticmethod
    def get_dummy_input_for_compile() -> torch.Tensor:
        return torch.zeros(1, 3, 64, 64, dtype=torch.uint8)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        if not (torch.is_tensor(x) and x.dtype == torch.uint8 and x.dim() == 4 and x.shape[1] == 3):
            raise ValueError(
                f"expected uint8 images B x 3 x H x W, got {getattr(x, 'dtype', type(x))} "
                f"{tuple(getattr(x, 'shape', ()))}"
            )
        pooled, logits = self.classifier(x)
        named = {POOLED: pooled, **{logits_feature(h): out for h, out in logits.items()}}
        return tuple(named[f].float() for f in self.features_list)


def register_extractors() -> None:
    """Register the classifier with torch-fidelity; safe to call any number of times."""
    existing = FEATURE_EXTRACTORS_REGISTRY.get(CLASSIFIER_EXTRACTOR)
    if existing is None:
        register_feature_extractor(CLASSIFIER_EXTRACTOR, AttributeFeatureExtractor)
    elif existing is not AttributeFeatureExtractor:
        raise RuntimeError(
            f"torch-fidelity feature extractor {CLASSIFIER_EXTRACTOR!r} is registered by "
            f"{existing.__module__}.{existing.__name__}, not by ganbench"
        )


def classifier_extractor(
    eval_net: EvalNet, features: list[str], device: str | torch.device = "cpu"
) -> AttributeFeatureExtractor:
    """The classifier extractor for ``features`` on ``device``, in eval mode."""
    register_extractors()
    extractor = AttributeFeatureExtractor(CLASSIFIER_EXTRACTOR, features, eval_net=eval_net)
    return extractor.to(device).eval().requires_grad_(False)


def inception_extractor(
    weights_path: str | Path, device: str | torch.device = "cpu", feature: str = INCEPTION_POOLED
) -> tuple[FeatureExtractorInceptionV3, str]:
    """torch-fidelity's Inception-v3 from a local weights file, and the file's hash.

    ``feature`` is one of torch-fidelity's Inception layers "64", "192", "768", "2048" (default: the
    2048-d pool feature of standard FID; the smaller ones suit small sample counts and stop the network
    early). The file is a ``state_dict`` of ``FeatureExtractorInceptionV3`` (torch-fidelity's converted
    TF weights, ``weights-inception-2015-12-05-6726825d.pth``, downloaded by the user beforehand).
    """
    if feature not in INCEPTION_FEATURES:
        raise ValueError(f"Inception feature must be one of {INCEPTION_FEATURES}, got {feature!r}")
    path = Path(weights_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Inception-v3 weights file {path} does not exist; give the path of "
            "torch-fidelity's weights-inception-2015-12-05-6726825d.pth (never downloaded)"
        )
    try:
        extractor = FeatureExtractorInceptionV3(
            INCEPTION_EXTRACTOR, [feature], feature_extractor_weights_path=str(path), verbose=False
        )
    except Exception as error:  # torch.load / load_state_dict raise many types for a wrong file
        raise ValueError(
            f"{path} is not an Inception-v3 state_dict torch-fidelity can load: {error}"
        ) from error
    return extractor.to(device).eval().requires_grad_(False), file_hash(path)
