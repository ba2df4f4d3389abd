"""Results KG: UN Women results reports as a validated, published knowledge graph."""

__version__ = "0.1.0"
