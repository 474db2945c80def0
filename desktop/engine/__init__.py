"""The LLM runtime: finding, checking and loading local models, streaming generation,
LoRA training and evaluation. Uses torch, transformers and peft; never Qt.

Importing this package first sets the offline environment (see ``offline``), before
any Hugging Face library is imported.
"""

from desktop.engine import offline as _offline  # noqa: F401  (must run before transformers)
