"""The LLM runtime: finding, checking and loading local models, streaming generation,
LoRA training and evaluation. Uses torch, transformers and peft; never Qt.

Importing this package first sets the offline environment (see ``offline``), before
any Hugging Face library is imported.
"""

from desktop.engine import offline as _offline  # noqa: F401  (must run before transformers)

import logging as _logging

# torchao (8-bit weights) tries to load its CUDA kernels on import, through transformers
# too, and warns when they do not fit this torch build; that is expected and not news
# for the person using the app.
for _name in ("torchao", "torch.utils._pytree"):
    _logging.getLogger(_name).setLevel(_logging.ERROR)
