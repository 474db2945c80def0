"""Streaming generation with cancel, for a list of chat messages.

``stream(lm, messages, settings=...)`` renders the messages through the model's chat
template, drops the oldest turns when the history does not fit the context window
(never the system prompt or the current question), and yields text deltas as tokens
are decoded. The stop flag is checked every token. Token ids come from a decoder:
the plain one here (eager steps over a dynamic KV cache, any device) or a fast one
attached to the model (``lm.fast``, CUDA graphs over a static cache), which is used
when present and falls back to the plain one, with a log line, if it fails.

Runs on whatever thread calls it (the model thread in the app); knows nothing of Qt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol, Sequence

from desktop import log
from desktop.engine import offline as _offline  # noqa: F401
from desktop.engine import speculate
from desktop.engine.models import LoadedModel
from desktop.errors import GenerationError, OutOfGpuMemory

_log = log.get("generate")

Message = dict  # {"role": "system" | "user" | "assistant", "content": str}


@dataclass
class GenerationSettings:
    max_new_tokens: int = field(default=512, metadata={"help": "Longest answer, in tokens."})
    temperature: float = field(default=0.0, metadata={"help": "0 is greedy (repeatable); higher is more varied."})
    top_p: float = field(default=0.9, metadata={"help": "Sample only from the most likely tokens that add up to p."})
    seed: int | None = field(default=None, metadata={"help": "Fixes sampling, so an answer can be reproduced."})
    repetition_penalty: float = field(default=1.0, metadata={
        "help": "Above 1, tokens the answer already used become less likely, which stops an answer from "
                "looping (1.0: none). Only the answer's own tokens count, never the question or the glossary."})
    no_repeat_ngram_size: int = field(default=0, metadata={
        "help": "Never repeat a run of this many tokens within the answer (0: off; decodes on the plain path)."})


@dataclass
class PreparedPrompt:
    input_ids: list[int]
    messages: list[Message]  # the messages the model received, after dropping turns
    text: str  # the rendered prompt, exactly as the model saw it
    dropped_turns: int


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    new_tokens: int = 0
    ttft_s: float = 0.0
    tok_s: float = 0.0
    total_s: float = 0.0
    dropped_turns: int = 0
    finish_reason: str = ""  # "eos", "length" or "stopped"
    path: str = "plain"  # which decoder produced the tokens


class Decoder(Protocol):
    """Produces token ids one at a time for a prompt; the fast path implements this too."""

    name: str

    def decode(self, prompt_ids: Sequence[int], *, settings: GenerationSettings, eos_ids: set[int],
               should_stop: Callable[[], bool]) -> Iterator[int]: ...


def _render(tokenizer, messages: list[Message], *, continuing: bool = False) -> str:
    if continuing:  # the last message is an answer cut short: the model goes on inside it
        return tokenizer.apply_chat_template(messages, tokenize=False, continue_final_message=True)
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def prepare(tokenizer, messages: list[Message], *, context_length: int, max_new_tokens: int) -> PreparedPrompt:
    """Render ``messages`` and fit them into the context window, dropping the oldest turns first.

    When the last message is an answer (after its question), the model continues that answer
    (Continue, for an answer that stopped at the token limit)."""
    continuing = (len(messages) >= 2 and messages[-1].get("role") == "assistant"
                  and messages[-2].get("role") == "user")
    if not messages or (messages[-1].get("role") != "user" and not continuing):
        raise GenerationError.of("There is no question to answer.")
    system = [m for m in messages[:1] if m.get("role") == "system"]
    tail = messages[-2:] if continuing else messages[-1:]
    history = list(messages[len(system):-len(tail)])
    budget = max(16, context_length - max_new_tokens)
    dropped = 0
    while True:
        kept = system + history + tail
        text = _render(tokenizer, kept, continuing=continuing)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) <= budget or not history:
            break
        # drop the oldest exchange (a user turn and the answer that followed it)
        cut = 2 if len(history) >= 2 and history[1].get("role") == "assistant" else 1
        history = history[cut:]
        dropped += cut
    if len(ids) > budget:
        raise GenerationError.of(
            "The question and instructions take {tokens:,} tokens, more than this model's window allows "
            "({budget:,} with room for the answer). Shorten the question or lower the term-block budget.",
            tokens=len(ids), budget=budget)
    if dropped:
        _log.info("dropped %d earlier messages to fit the context window (%d tokens)", dropped, context_length)
    return PreparedPrompt(input_ids=list(ids), messages=kept, text=text, dropped_turns=dropped)


def eos_token_ids(lm: LoadedModel) -> set[int]:
    ids: set[int] = set()
    gen_eos = getattr(getattr(lm.model, "generation_config", None), "eos_token_id", None)
    for value in (gen_eos, lm.tokenizer.eos_token_id):
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, (list, tuple)):
            ids.update(int(v) for v in value)
    return ids


def sample_next(logits, settings: GenerationSettings, generator=None):
    """The next token id as a 1-element tensor, on the logits' device (no host sync)."""
    import torch

    if settings.temperature <= 0:
        return torch.argmax(logits, dim=-1)
    probs = torch.softmax(logits.float() / settings.temperature, dim=-1)
    if 0 < settings.top_p < 1:
        sorted_p, idx = torch.sort(probs, descending=True)
        cum = torch.cumsum(sorted_p, dim=-1)
        sorted_p = torch.where(cum - sorted_p > settings.top_p, torch.zeros_like(sorted_p), sorted_p)
        choice = torch.multinomial(sorted_p, 1, generator=generator)
        return idx.gather(-1, choice).squeeze(-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


def make_generator(device: str, seed: int | None):
    import torch

    if seed is None:
        return None
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return g


def cache_kwarg(model) -> str:
    """The forward() keyword for the KV cache: ``cache`` in newer transformers, ``past_key_values`` before."""
    import inspect

    params = inspect.signature(model.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def logits_processors(settings: GenerationSettings):
    """transformers' processors for the settings' repetition controls, or None when there are none.

    They are called with the answer's token ids only (not the prompt's), so the terms of the
    question and of the injected glossary block keep their full weight."""
    from transformers import LogitsProcessorList, NoRepeatNGramLogitsProcessor, RepetitionPenaltyLogitsProcessor

    out = LogitsProcessorList()
    if settings.repetition_penalty and settings.repetition_penalty != 1.0:
        out.append(RepetitionPenaltyLogitsProcessor(float(settings.repetition_penalty)))
    if settings.no_repeat_ngram_size and settings.no_repeat_ngram_size > 0:
        out.append(NoRepeatNGramLogitsProcessor(int(settings.no_repeat_ngram_size)))
    return out or None


def settings_from(chat, **overrides) -> GenerationSettings:
    """The chat's generation settings from the app's ``Settings`` (``desktop.storage.config``),
    then ``overrides`` (those that are not None): one place, so the window and ``ask`` agree."""
    values = dict(max_new_tokens=chat.max_new_tokens, temperature=chat.temperature, top_p=chat.top_p,
                  repetition_penalty=chat.repetition_penalty, no_repeat_ngram_size=chat.no_repeat_ngram_size)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return GenerationSettings(**values)


class PlainDecoder:
    """Eager one-token steps over a dynamic KV cache: works on any device and model."""

    name = "plain"

    def __init__(self, model, device: str) -> None:
        self.model = model
        self.device = device
        self.speculate = speculate.enabled_by_default()  # prompt-lookup drafts when greedy (same tokens)
        self.spec_stats: speculate.SpecStats | None = None

    def decode(self, prompt_ids, *, settings, eos_ids, should_stop):
        import torch
        from transformers import DynamicCache

        gen = make_generator(self.device, settings.seed)
        processors = logits_processors(settings)
        answer: list[int] = []
        with torch.inference_mode():
            ids = torch.tensor([list(prompt_ids)], device=self.device)
            kw = {cache_kwarg(self.model): DynamicCache(config=self.model.config), "use_cache": True}
            out = self.model(input_ids=ids, logits_to_keep=1, **kw)
            cache = kw[cache_kwarg(self.model)]
            if self.speculate and speculate.applies(settings) and speculate.can_cut_back(cache):
                first = int(sample_next(out.logits[:, -1, :], settings, gen).item())
                tokens, self.spec_stats = speculate.plain_tokens(
                    self.model, first, cache=cache, cache_kw=cache_kwarg(self.model), prompt_ids=prompt_ids,
                    max_new=settings.max_new_tokens, eos_ids=eos_ids, should_stop=should_stop, processors=processors)
                yield from tokens
                return
            for _ in range(settings.max_new_tokens):
                logits = out.logits[:, -1, :]
                if processors is not None and answer:
                    logits = processors(torch.tensor([answer], device=self.device), logits.float())
                nxt = sample_next(logits, settings, gen)
                token = int(nxt.item())
                answer.append(token)
                yield token
                if token in eos_ids or should_stop():
                    return
                out = self.model(input_ids=nxt.view(1, 1), **kw)  # the cache object is updated in place


class Generation:
    """One answer being generated: iterate it for text deltas; ``stats`` is set when it ends."""

    def __init__(self, lm: LoadedModel, messages: list[Message], *, settings: GenerationSettings,
                 should_stop: Callable[[], bool] | None = None) -> None:
        self.lm = lm
        self.settings = settings
        self.should_stop = should_stop or (lambda: False)
        self.prompt = prepare(lm.tokenizer, messages, context_length=lm.context_length,
                              max_new_tokens=settings.max_new_tokens)
        self.text = ""
        self.token_ids: list[int] = []
        self.stats = GenerationStats(prompt_tokens=len(self.prompt.input_ids), dropped_turns=self.prompt.dropped_turns)

    def _decoders(self) -> list[Decoder]:
        if getattr(self.lm, "engine", "transformers") != "transformers":  # llama.cpp brings its own decoder
            return [self.lm.model.decoder()]
        plain = PlainDecoder(self.lm.model, self.lm.device)
        return [self.lm.fast, plain] if self.lm.fast is not None else [plain]

    def __iter__(self) -> Iterator[str]:
        import torch

        eos = eos_token_ids(self.lm)
        t0 = time.perf_counter()
        first = None
        reason = "length"
        decoders = self._decoders()
        for i, decoder in enumerate(decoders):
            self.stats.path = decoder.name
            try:
                for token in decoder.decode(self.prompt.input_ids, settings=self.settings, eos_ids=eos,
                                            should_stop=self.should_stop):
                    if first is None:
                        first = time.perf_counter()
                    if token in eos:
                        reason = "eos"
                        break
                    self.token_ids.append(token)
                    delta = self._delta()
                    if delta:
                        yield delta
                    if self.should_stop():
                        reason = "stopped"
                        break
                break
            except torch.cuda.OutOfMemoryError as exc:
                torch.cuda.empty_cache()
                raise OutOfGpuMemory.of("The GPU ran out of memory while answering; the answer was cut short. "
                                        "Lower 'max new tokens' or the term-block budget.") from exc
            except Exception as exc:  # noqa: BLE001
                if i + 1 < len(decoders) and not self.token_ids:
                    _log.warning("fast decode path failed (%s: %s); using the plain path", type(exc).__name__, exc)
                    continue
                raise GenerationError.of("Generation failed: {detail}", detail=f"{type(exc).__name__}: {exc}") from exc
        tail = self._delta(final=True)
        if tail:
            yield tail
        end = time.perf_counter()
        n = len(self.token_ids)
        self.stats.new_tokens = n
        self.stats.ttft_s = (first or end) - t0
        self.stats.total_s = end - t0
        decode_time = end - (first or end)
        self.stats.tok_s = (n - 1) / decode_time if n > 1 and decode_time > 0 else 0.0
        self.stats.finish_reason = reason

    def _delta(self, final: bool = False) -> str:
        text = self.lm.tokenizer.decode(self.token_ids, skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):  # an incomplete multi-byte character: wait for the rest
            return ""
        if not text.startswith(self.text):  # the tokenizer re-segmented a prefix; emit nothing backwards
            self.text = text
            return ""
        delta = text[len(self.text):]
        self.text = text
        return delta


def stream(lm: LoadedModel, messages: list[Message], *, settings: GenerationSettings | None = None,
           should_stop: Callable[[], bool] | None = None) -> Generation:
    """A ``Generation`` to iterate for text deltas."""
    if getattr(lm, "engine", "") == "server":  # the server renders and decodes (desktop.engine.server_backend)
        return lm.model.stream(messages, settings=settings or GenerationSettings(), should_stop=should_stop)
    return Generation(lm, messages, settings=settings or GenerationSettings(), should_stop=should_stop)


def prefill(lm: LoadedModel, messages: list[Message], *, max_new_tokens: int,
            should_stop: Callable[[], bool] | None = None) -> int:
    """Decode the prompt of ``messages`` into the engine's cache before it is sent, so that the
    answer's first token comes at once; the number of prompt tokens now cached (0: this engine
    keeps no cache between calls, or nothing was done).

    Only llama.cpp keeps its cache from one call to the next (the prompt's longest cached
    prefix is reused); the same rendering as the answer's (``prepare``) makes the tokens match."""
    fill = getattr(lm.model, "prefill", None)  # only llama.cpp's runtime has one
    if fill is None:
        return 0
    prompt = prepare(lm.tokenizer, messages, context_length=lm.context_length, max_new_tokens=max_new_tokens)
    return fill(prompt.input_ids, should_stop=should_stop or (lambda: False))


def generate(lm: LoadedModel, messages: list[Message], *, settings: GenerationSettings | None = None,
             on_token: Callable[[str], None] | None = None,
             should_stop: Callable[[], bool] | None = None) -> Generation:
    """Run a generation to the end, calling ``on_token`` with each text delta; returns it."""
    g = stream(lm, messages, settings=settings, should_stop=should_stop)
    for delta in g:
        if on_token:
            on_token(delta)
    return g
