"""vitaalkg: a semantic knowledge base for Dutch crisis management and vital infrastructure."""

__version__ = "0.1.0"
