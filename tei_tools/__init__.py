"""tei-tools: validate, build and deposit a scholarly TEI edition."""

__version__ = "1.9.0"
