"""madnis-py: a leading-order event generator with MadNIS neural importance sampling."""

__version__ = "0.1.0"
