"""The multilingual study's stages, one module each (its dvc.yaml stages' commands)."""
