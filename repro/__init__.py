"""repro: the reproduction artifact for Phang et al. 2020 (X-STILTs)."""

__version__ = "0.1.0"
