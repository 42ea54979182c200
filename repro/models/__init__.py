"""Model families: what differs between them (heads, saving an encoder, embeddings, FLOPs; a decoder's loading,
generation and LoRA) behind one small set of module-level names. A new family is one module registered here."""

from __future__ import annotations

from types import ModuleType

from repro.registry import Registry

FAMILIES = Registry("model family", {"encoder": "repro.models.encoder", "decoder": "repro.models.decoder"})


def of(model_params) -> ModuleType:
    """The family module of a profile's `model` params."""
    return FAMILIES[model_params.family]


def family(name: str) -> ModuleType:
    """The family module of a family name (encoder, decoder)."""
    return FAMILIES[name]
