"""Fine-tuning: the loop, the methods it trains with, the order it reads the data in, the state
it resumes from, and the healing of a FrankenModel."""

from typing import TYPE_CHECKING

from frankenmodels.lazy import lazy_attributes
from frankenmodels.training.loop import finetune
from frankenmodels.training.order import epoch_order
from frankenmodels.training.resume import resume_file
from frankenmodels.training.settings import LoraSettings, SelectiveSettings, TrainingSettings

# Loaded on first use: a fine-tuning job does not list the healing code among its inputs, so an
# edit there does not retrain the base models.
_LAZY = {
    "copy_sources": ".healing",
    "heal": ".healing",
    "inserted_copies": ".healing",
}

if TYPE_CHECKING:
    from .healing import copy_sources, heal, inserted_copies

__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "LoraSettings",
    "SelectiveSettings",
    "TrainingSettings",
    "copy_sources",
    "epoch_order",
    "finetune",
    "heal",
    "inserted_copies",
    "resume_file",
]
