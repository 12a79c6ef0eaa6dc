"""The package version, in a leaf module the surfaces may read without importing the face."""

__version__ = "0.1.0"
