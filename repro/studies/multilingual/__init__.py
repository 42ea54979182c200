"""The multilingual study (repro.studies): its study module, stages and report."""
