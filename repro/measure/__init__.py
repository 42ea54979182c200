"""Measuring and pricing: `repro bench` (a short measured training), `repro plan` (GPU-hours per stage)."""
