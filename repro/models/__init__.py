"""Model families: what differs between them (heads, saving an encoder, embeddings, FLOPs) behind one small
set of module-level names. The encoder family now; a decoder family is one module listed here."""

from __future__ import annotations

from types import ModuleType

from repro.models import encoder

FAMILIES: dict[str, ModuleType] = {encoder.NAME: encoder}


def of(model_params) -> ModuleType:
    """The family module of a profile's `model` params."""
    return FAMILIES[model_params.family]
