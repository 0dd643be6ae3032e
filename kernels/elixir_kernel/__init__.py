"""A Jupyter kernel for Elixir: Python speaks the Jupyter protocol, a BEAM child evaluates."""

__version__ = "0.1.0"
