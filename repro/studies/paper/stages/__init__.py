"""The paper study's stages, one module each (its dvc.yaml stages' commands)."""
