"""llama.cpp in-process: the engine for GGUF models and for the default model on a CPU.

``llama-cpp-python`` runs the GGUF's quantised weights directly (4-bit blocks with
vectorised CPU kernels), which on a 2-core machine decodes the default model about six
times faster than transformers on the same weights de-quantised to float32. This module
puts it behind the same interface as the transformers engine: ``load_gguf`` returns a
``LoadedModel`` whose ``tokenizer`` renders the chat template and counts tokens like a
Hugging Face tokenizer, and whose ``model`` offers a decoder (``generate.Decoder``) and
option log-likelihoods for evaluation. ``generate.stream`` then streams, checks the stop
flag every token and counts tokens and the time to the first one exactly as before.

Transformers + PEFT stay the engine for training and for safetensors models on a GPU;
``desktop.engine.engines`` chooses between them. Knows nothing of Qt or torch.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from desktop import log
from desktop.engine.gguf_file import GGUFHeader, read_header
from desktop.engine.models import LoadedModel, ModelInfo, free_memory
from desktop.errors import ModelLoadError, phrase

_log = log.get("llama")

ENGINE = "llama.cpp"
MAX_CONTEXT = 8192  # the KV cache is allocated for the whole window up front
SPIN_ROUNDS = "100000"  # GOMP_SPINCOUNT for llama.cpp's threads (see _import_llama)
# a prompt is decoded 64 tokens at a time (0.2 s here; "stop" is asked between two): 8% slower than
# one batch of 480 tokens, 10% faster than 32 at a time (benchmarks/bench_llama_options.py)
PREFILL_CHUNK = 64


def _import_llama():
    """``llama_cpp``, its OpenMP threads told to spin a bounded while, then sleep, when they wait.

    llama.cpp's threads meet at a barrier after every operation, hundreds of times per token.
    Measured on this 2-core machine (``benchmarks/bench_llama_threads.py``; decode tokens/s of the
    default model, idle / with two busy processes on the cores): spinning until work comes
    (``OMP_WAIT_POLICY=ACTIVE``) 78 / –, libgomp's default 80 / 9, sleeping at once
    (``PASSIVE``) 27 / 27, spinning for 100,000 rounds then sleeping 83 / 30. The last keeps the
    idle speed and loses least when other programs want the cores. Set before the library
    loads (libgomp reads it once); a value the person set is kept. torch's OpenMP runtime is a
    separate library and is not affected."""
    os.environ.setdefault("GOMP_SPINCOUNT", SPIN_ROUNDS)
    import llama_cpp

    return llama_cpp


def unavailable() -> str:
    """Why llama.cpp cannot run here, in a sentence; empty when it can."""
    try:
        _import_llama()
    except Exception as exc:  # noqa: BLE001 - a broken native library fails in many ways
        return phrase("llama.cpp is not installed ({detail}); TermLens uses transformers instead, which is "
                      "several times slower on a CPU. Install it with: pip install llama-cpp-python",
                      detail=type(exc).__name__)
    return ""


def find_gguf(folder: Path) -> Path | None:
    """The model GGUF kept in a model folder (the default model keeps the file it was converted from)."""
    if not folder.is_dir():
        return None
    for p in sorted(folder.glob("*.gguf")):
        try:
            if not read_header(p).is_adapter:
                return p
        except ModelLoadError:
            continue
    return None


def gguf_info(header: GGUFHeader, *, folder: Path | None = None, context_length: int | None = None) -> ModelInfo:
    """A ``ModelInfo`` for a GGUF model (sizes from its header; the dtype is its quantisation)."""
    hidden = int(header.arch_key("embedding_length", 0) or 0)
    heads = int(header.arch_key("attention.head_count", 1) or 1)
    kv = header.arch_key("attention.head_count_kv", heads)
    kv = int(kv if isinstance(kv, int) else heads)
    key_len = int(header.arch_key("attention.key_length", 0) or 0)
    ctx = int(header.arch_key("context_length", 2048) or 2048)
    return ModelInfo(
        path=folder or header.path,
        name=(folder.name if folder else header.path.stem),
        model_type=header.architecture,
        architecture=header.architecture,
        n_params=header.n_params,
        weights_dtype=header.quantization,
        size_bytes=header.size_bytes,
        context_length=min(ctx, context_length or MAX_CONTEXT),
        n_layers=int(header.arch_key("block_count", 0) or 0),
        hidden_size=hidden,
        n_kv_heads=kv,
        head_dim=key_len or (hidden // heads if hidden else 0),
        has_chat_template=bool(header.chat_template),
        weight_files=[header.path.name],
    )


def needed_bytes(info: ModelInfo) -> int:
    """The GGUF's weights (memory-mapped) and a 16-bit KV cache for the whole window, plus 10%."""
    return int((info.size_bytes + info.kv_bytes_per_token(2) * info.context_length) * 1.10)


class ChatTokenizer:
    """The GGUF's own vocabulary and chat template, shaped like a Hugging Face tokenizer
    (``apply_chat_template``, ``__call__``, ``decode``), for ``generate`` and ``evaluate``."""

    def __init__(self, llm: Any, header: GGUFHeader) -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._llm = llm
        self.chat_template = header.chat_template or None
        vocab = llm._model.vocab  # noqa: SLF001 - the public API has no vocabulary handle
        import llama_cpp

        def piece(token: int) -> str:
            return llm.detokenize([token], special=True).decode("utf-8", errors="replace") if token >= 0 else ""

        self.eos_token_id = int(llm.token_eos())
        self.bos_token_id = int(llm.token_bos())
        self.eos_token, self.bos_token = piece(self.eos_token_id), piece(self.bos_token_id)
        pad = header.get("tokenizer.ggml.padding_token_id")
        self.pad_token_id = int(pad) if isinstance(pad, int) else self.eos_token_id
        self.end_ids = [t for t in range(llm.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)]
        self._pieces: dict[bool, dict[int, bytes]] = {False: {}, True: {}}  # token -> bytes, per ``special``
        self._formatter = (Jinja2ChatFormatter(self.chat_template, eos_token=self.eos_token, bos_token=self.bos_token)
                           if self.chat_template else None)

    def apply_chat_template(self, messages: list[dict], *, tokenize: bool = False,
                            add_generation_prompt: bool = True) -> str:
        if self._formatter is None:
            raise ModelLoadError.of("This GGUF file has no chat template, so TermLens cannot format a conversation "
                                    "for it.")
        self._formatter.add_generation_prompt = add_generation_prompt
        return self._formatter(messages=messages).prompt

    def __call__(self, text: str, *, add_special_tokens: bool = False) -> dict[str, list[int]]:
        ids = self._llm.tokenize(text.encode("utf-8"), add_bos=add_special_tokens, special=True) if text else []
        return {"input_ids": ids}

    def decode(self, ids: Sequence[int], *, skip_special_tokens: bool = True) -> str:
        """The text of ``ids``, from each token's bytes kept after its first use.

        ``generate`` decodes the whole answer after every token (so that a character split
        across tokens comes out whole); llama-cpp-python's ``detokenize`` makes one call
        into the library per token each time, which made that quadratic in calls."""
        special = not skip_special_tokens
        pieces = self._pieces[special]
        missing = [t for t in set(ids) if t not in pieces]
        for t in missing:
            pieces[t] = self._llm.detokenize([t], special=special)
        data = b"".join(pieces[t] for t in ids)
        if ids and ids[0] == self.bos_token_id and data[:1] == b" ":  # as llama.cpp's own detokenize does
            data = data[1:]
        return data.decode("utf-8", errors="replace")


class _EndIds:
    """What ``generate.eos_token_ids`` reads: every end-of-generation token of the vocabulary."""

    def __init__(self, ids: list[int]) -> None:
        self.eos_token_id = ids


class LlamaRuntime:
    """The ``model`` of a llama.cpp ``LoadedModel``: the ``Llama`` object, its decoder and its scorer."""

    engine = ENGINE

    def __init__(self, llm: Any, end_ids: list[int]) -> None:
        self.llm = llm
        self.generation_config = _EndIds(end_ids)
        self.lora: Any = None  # the applied adapter (desktop.engine.gguf_lora)
        self._whole = 0  # the cached tokens decoded in ``prefill``'s pieces (the rest one by one)

    def decoder(self) -> LlamaDecoder:
        return LlamaDecoder(self)

    def close(self) -> None:
        self.llm.close()

    def apply_adapter(self, lm: LoadedModel, name: str) -> None:
        from desktop.engine import gguf_lora

        gguf_lora.apply(lm, name)

    def remove_adapter(self, lm: LoadedModel) -> None:
        from desktop.engine import gguf_lora

        gguf_lora.remove(lm)

    def prefill(self, prompt_ids: Sequence[int], *, should_stop: Callable[[], bool] = lambda: False,
                chunk: int = PREFILL_CHUNK) -> int:
        """Decode ``prompt_ids`` into the KV cache: before every answer, and ahead of it while the
        question is typed. Returns how many of the prompt's tokens the cache then holds.

        A prompt is always decoded in the same pieces, ``chunk`` tokens from position 0
        (0-63, 64-127, ...), and ``should_stop`` is asked between two. llama.cpp's arithmetic
        depends on how many tokens a batch holds, so this is what makes an answer the same
        token for token whether its prompt was decoded while it was typed, as it grew, or at
        once when it was sent, and whether a follow-up's history was cached or not: only the
        cached tokens decoded in these pieces are kept (``_whole``), from the last piece
        boundary before the first token that differs. ``llm.generate`` then finds the whole
        prompt cached and samples the first token at once."""
        llm = self.llm
        ids = [int(t) for t in prompt_ids]
        if not ids:
            return 0
        held = llm._input_ids.tolist()  # noqa: SLF001 - the tokens the KV cache holds
        same = 0
        for a, b in zip(held[:self._whole], ids):
            if a != b:
                break
            same += 1
        if same == len(ids) == len(held):
            return same
        # from the piece holding the first token to decode again (the last one at least: the first
        # answer token is sampled from its logits)
        llm.n_tokens = self._whole = min(same, len(ids) - 1) // chunk * chunk
        while llm.n_tokens < len(ids) and not should_stop():
            llm.eval(ids[llm.n_tokens:min(len(ids), (llm.n_tokens // chunk + 1) * chunk)])
            self._whole = llm.n_tokens
        return llm.n_tokens

    def option_logprobs(self, prompt_ids: Sequence[int], options_ids: Sequence[Sequence[int]]) -> list[float]:
        """The summed log-probability of each option's tokens after ``prompt_ids`` (evaluation).

        The prompt is decoded once; each option is then decoded after it in one batch that
        asks for the logits of every position, and the option's KV entries are dropped again.
        """
        import numpy as np

        llm = self.llm
        ctx, batch = llm._ctx, llm._batch  # noqa: SLF001 - the high-level API keeps only the last logits
        p = len(prompt_ids)
        if p == 0:
            raise ValueError("the prompt is empty")
        if any(len(o) == 0 for o in options_ids):
            raise ValueError("an option has no tokens")
        n_vocab = llm.n_vocab()
        llm.reset()
        self._whole = 0
        llm.eval(list(prompt_ids))
        first = _log_softmax(np.ctypeslib.as_array(ctx.get_logits_ith(-1), shape=(n_vocab,)).astype(np.float64))
        sums: list[float] = []
        try:
            for option in options_ids:
                total = float(first[option[0]])
                if len(option) > 1:
                    ctx.kv_cache_seq_rm(-1, p, -1)
                    head = list(option[:-1])
                    batch.set_batch(batch=head, n_past=p, logits_all=True)
                    ctx.decode(batch)
                    rows = np.ctypeslib.as_array(ctx.get_logits(), shape=(len(head), n_vocab)).astype(np.float64)
                    for i, tok in enumerate(option[1:]):
                        total += float(_log_softmax(rows[i])[tok])
                sums.append(total)
        finally:
            llm.reset()  # the next answer decodes its prompt afresh
        return sums


    def next_token_logprobs(self, ids: Sequence[int]):
        """Log-probabilities of every vocabulary token after ``ids`` (a numpy vector)."""
        import numpy as np

        llm = self.llm
        llm.reset()
        self._whole = 0
        llm.eval(list(ids))
        logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),))  # noqa: SLF001
        out = _log_softmax(logits.astype(np.float64))
        llm.reset()
        return out


def _log_softmax(x):
    import numpy as np

    m = x.max()
    return x - m - np.log(np.exp(x - m).sum())


class LlamaDecoder:
    """Token ids from llama.cpp's sampler for one prompt (``generate.Decoder``).

    Greedy at temperature 0; otherwise temperature and top-p as in the transformers path
    (no top-k, no min-p), with the settings' seed or a fresh one. A repetition penalty
    maps to llama.cpp's ``repeat_penalty``. The prompt's longest cached prefix is reused,
    so a follow-up question decodes only what is new."""

    name = ENGINE

    def __init__(self, runtime: LlamaRuntime) -> None:
        self.runtime = runtime

    def decode(self, prompt_ids, *, settings, eos_ids, should_stop) -> Iterator[int]:
        llm = self.runtime.llm
        temp = float(settings.temperature or 0.0)
        llm.set_seed(settings.seed if settings.seed is not None else random.randrange(1 << 31))
        kwargs = dict(temp=max(temp, 0.0), top_k=0, min_p=0.0, top_p=settings.top_p if temp > 0 else 1.0,
                      repeat_penalty=float(getattr(settings, "repetition_penalty", 1.0) or 1.0))
        produced = 0
        self.runtime.prefill(prompt_ids, should_stop=should_stop)  # in the same pieces as a prompt decoded ahead
        if should_stop():
            return
        gen = llm.generate(list(prompt_ids), **kwargs)
        try:
            for token in gen:
                yield int(token)
                produced += 1
                if token in eos_ids or produced >= settings.max_new_tokens or should_stop():
                    return
        finally:
            gen.close()


def threads() -> int:
    """Physical cores: llama.cpp's kernels gain nothing from hyper-threads."""
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:
        return max(1, os.cpu_count() or 1)


def load_gguf(path: str | os.PathLike, *, folder: Path | None = None, fingerprint: str | None = None,
              on_progress: Callable[[float, str], None] | None = None, reason: str = "",
              n_ctx: int | None = None) -> LoadedModel:
    """Load a GGUF model into llama.cpp on the CPU; ``folder`` is the model folder it belongs to
    (its name and fingerprint are the model's, so adapters trained on the folder apply)."""
    why = unavailable()
    if why:
        raise ModelLoadError(why)
    from llama_cpp import Llama

    report = on_progress or (lambda _f, _s: None)
    gguf = Path(path).expanduser()
    report(0.05, phrase("Checking the model file"))
    header = read_header(gguf)
    if header.is_adapter:
        raise ModelLoadError.of("{name} is a LoRA adapter, not a model; load its base model, then the adapter.",
                                name=gguf.name)
    info = gguf_info(header, folder=folder, context_length=n_ctx)
    if not info.has_chat_template:
        raise ModelLoadError.of("{name} has no chat template, so TermLens cannot format a conversation for it.",
                                name=info.name)
    need, free = needed_bytes(info), free_memory("cpu")
    if free is not None and need > free:
        raise ModelLoadError.of(
            "{name} needs about {needed:.1f} GB on {device}, but only {free:.1f} GB is free. "
            "Close other programs or choose a smaller model.", name=info.name, needed=need / 1e9, device="cpu",
            free=free / 1e9)
    t0 = time.perf_counter()
    report(0.3, phrase("Loading {n:,.0f}M parameters onto {device}", n=info.n_params / 1e6, device="cpu (llama.cpp)"))
    try:
        # flash attention: prompts decode about 27% faster, answers with a short context about 12% and
        # the same from 700 tokens of context (2 cores, default model; benchmarks/bench_llama_options.py)
        llm = Llama(model_path=str(gguf), n_ctx=info.context_length, n_threads=threads(), n_batch=512,
                    verbose=False, logits_all=False, flash_attn=True)
    except Exception as exc:  # noqa: BLE001 - llama.cpp reports a bad file as a ValueError or RuntimeError
        raise ModelLoadError.of("{name} could not be loaded by llama.cpp: {detail}", name=info.name,
                                detail=str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__) from exc
    tokenizer = ChatTokenizer(llm, header)
    lm = LoadedModel(model=LlamaRuntime(llm, tokenizer.end_ids), tokenizer=tokenizer, info=info, device="cpu",
                     dtype=info.weights_dtype, load_s=time.perf_counter() - t0,
                     fingerprint=fingerprint or header.fingerprint())
    lm.engine, lm.engine_reason = ENGINE, reason
    report(1.0, phrase("Model ready"))
    _log.info("llama.cpp: %s (%s, %d threads, context %d) in %.2f s", gguf.name, info.weights_dtype, threads(),
              info.context_length, lm.load_s)
    return lm
