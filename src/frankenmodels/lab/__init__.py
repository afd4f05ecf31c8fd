"""The decoder surgery lab (seed 002): what breaks, what survives, and does the model notice."""
