"""The model zoo: the registry, the interface and ReStGAN."""

from ganbench.models.base import GanModel, ModelContext
from ganbench.models.registry import available_models, get_model, register_model

__all__ = ["GanModel", "ModelContext", "available_models", "get_model", "register_model"]
