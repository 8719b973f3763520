"""The package version (a foundation module: anything may import it)."""

__version__ = "0.1.0"
