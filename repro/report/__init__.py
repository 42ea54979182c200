"""The reporting layer the studies share: rendering (markdown, CSV, LaTeX), plots, statistics and inference, the
published numbers, and the claims check (`repro verify`); each study's own tables and answers live in its folder
(the paper's tables: repro.studies.paper.tables)."""
