"""formcheck: watches glute rehabilitation exercises and says whether the form is right."""

__version__ = "0.1.0"
