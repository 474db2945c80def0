"""Errors of the desktop app, each with a sentence a clinician or lawyer can act on."""

from __future__ import annotations

from glossary.errors import GlossaryError, GlossaryImportError, TermLensError, phrase, set_translator, translated

__all__ = [
    "TermLensError",
    "GlossaryError",
    "GlossaryImportError",
    "ModelLoadError",
    "ModelFetchError",
    "OutOfGpuMemory",
    "GenerationError",
    "AdapterError",
    "TrainingError",
    "EvaluationError",
    "StorageError",
    "ServerError",
    "phrase",
    "set_translator",
    "translated",
]


class ModelLoadError(TermLensError):
    """A model folder cannot be used (missing files, pickle weights, unknown architecture)."""


class ModelFetchError(TermLensError):
    """The default model could not be fetched, checked or converted."""


class OutOfGpuMemory(TermLensError):
    """The GPU ran out of memory; the job ended and its memory was released."""


class GenerationError(TermLensError):
    """Generation failed for a reason other than memory."""


class AdapterError(TermLensError):
    """A LoRA adapter cannot be used with the current model, or its folder is unsafe."""


class TrainingError(TermLensError):
    """Training could not start or continue."""


class EvaluationError(TermLensError):
    """An evaluation could not run (bad test set, missing adapter)."""


class StorageError(TermLensError):
    """Data could not be written or read (full disk, damaged database, locked directory)."""


class ServerError(TermLensError):
    """A model server on the user's network could not be used (down, refused the key, no such model)."""
