"""Fine-tuning: the loop, the order it reads the data in, and the state it resumes from."""

from frankenmodels.training.loop import TrainingSettings, finetune
from frankenmodels.training.order import epoch_order
from frankenmodels.training.resume import resume_file

__all__ = ["TrainingSettings", "epoch_order", "finetune", "resume_file"]
