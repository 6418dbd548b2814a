"""citykit: choose smart-city pilot cities with standard frameworks and transparent, robust rankings."""

__version__ = "0.1.0"
