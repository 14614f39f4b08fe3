"""emploi: budget and target tracker for public employment programmes."""

__version__ = "0.1.0"
