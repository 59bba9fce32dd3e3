"""StackGAN building blocks shared by every model: conditioning augmentation, generators,
discriminators, text encoders and losses."""

from ganbench.nn.conditioning import ConditioningAugmentation
from ganbench.nn.discriminators import Discriminator
from ganbench.nn.generators import GeneratorOutput, Stage1Generator, Stage2Generator, TwoStageGenerator
from ganbench.nn.text_encoders import BagOfWordsEncoder, LstmEncoder, build_text_encoder

__all__ = [
    "BagOfWordsEncoder",
    "ConditioningAugmentation",
    "Discriminator",
    "GeneratorOutput",
    "LstmEncoder",
    "Stage1Generator",
    "Stage2Generator",
    "TwoStageGenerator",
    "build_text_encoder",
]
