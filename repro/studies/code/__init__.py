"""The code study (repro.studies): its study module, stages and report."""
