"""The code study's smoke world: problems in the release schemas, articles, the target set and the corpus."""
