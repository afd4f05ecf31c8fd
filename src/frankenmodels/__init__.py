"""FrankenModels: layer surgery on transformers, and the workflow that measures it."""

__version__ = "0.1.0"
