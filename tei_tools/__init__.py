"""tei-tools: validate, build and deposit a scholarly TEI edition."""

__version__ = "0.1.0"
