"""The reporting layer: the paper's tables and plots, the published numbers they compare with, and the claims
check (`repro table`, `repro verify`), all computed from results/<profile>/metrics.json."""
