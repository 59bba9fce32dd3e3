"""The model interface and the registry; the models themselves are plugins (``baselines``, ``restgan``)."""

from ganbench.data.batches import TextPolicy
from ganbench.models.base import GanModel, ModelContext, TrainingPhase
from ganbench.models.registry import available_models, get_model, register_model

__all__ = ["GanModel", "ModelContext", "TextPolicy", "TrainingPhase", "available_models", "get_model",
           "register_model"]
