"""The paper study (repro.studies): its study module, stages and report."""
