"""llama.cpp in-process on the default model's GGUF, behind the transformers engine's interface."""

from __future__ import annotations

import math

import pytest

from desktop.engine import engines, generate, llama_engine, models
from desktop.errors import ModelLoadError
from tests.engine.llama_server import default_gguf, needs_llama

QUESTION = [{"role": "system", "content": "You are a careful assistant."},
            {"role": "user", "content": "What does the kidney do?"}]


@pytest.fixture(scope="module")
def llama_lm(installed_default_model):
    needs_llama()
    default_gguf(installed_default_model)
    lm = engines.load(installed_default_model, device="cpu")
    yield lm
    models.unload(lm)


@pytest.fixture(scope="module")
def torch_lm(installed_default_model):
    lm = models.load_model(installed_default_model, device="cpu")
    yield lm
    models.unload(lm)


def test_the_default_model_runs_on_llama_cpp_on_a_cpu_and_says_why(installed_default_model) -> None:
    needs_llama()
    choice = engines.choose(installed_default_model, device="cpu")
    assert choice.engine == "llama.cpp" and "faster than transformers" in choice.reason
    assert engines.choose(installed_default_model, device="cuda").engine == "transformers"
    assert engines.choose(installed_default_model, device="cpu", engine="transformers").engine == "transformers"


def test_a_folder_without_a_gguf_stays_on_transformers(tiny_model_dir) -> None:
    choice = engines.choose(tiny_model_dir, device="cpu")
    assert choice.engine == "transformers" and "safetensors weights only" in choice.reason
    with pytest.raises(ModelLoadError, match="holds no GGUF file"):
        engines.choose(tiny_model_dir, engine="llama.cpp")


def test_the_loaded_model_keeps_the_folders_identity(llama_lm, installed_default_model) -> None:
    assert llama_lm.engine == "llama.cpp" and llama_lm.dtype == "Q4_1" and llama_lm.device == "cpu"
    assert llama_lm.fingerprint == models.fingerprint(installed_default_model)  # adapters trained on it apply
    assert llama_lm.info.name == installed_default_model.name


def test_prompts_render_and_tokenize_exactly_as_transformers(llama_lm, torch_lm) -> None:
    a = generate.prepare(llama_lm.tokenizer, QUESTION, context_length=2048, max_new_tokens=64)
    b = generate.prepare(torch_lm.tokenizer, QUESTION, context_length=2048, max_new_tokens=64)
    assert a.text == b.text and a.input_ids == b.input_ids


def test_an_answer_streams_with_counts_and_first_token_time(llama_lm) -> None:
    g = generate.stream(llama_lm, QUESTION, settings=generate.GenerationSettings(max_new_tokens=40))
    deltas = list(g)
    assert len(deltas) > 5 and "".join(deltas) == g.text and g.text.strip()
    assert g.stats.path == "llama.cpp" and g.stats.new_tokens >= len(deltas)
    assert g.stats.finish_reason in ("eos", "length") and 0 < g.stats.ttft_s < g.stats.total_s
    assert g.stats.tok_s > 0


def test_decoding_an_answer_token_by_token_gives_llama_cpps_own_text(llama_lm) -> None:
    """The per-token byte cache changes no character: accents, emoji split across tokens, CJK,
    and special tokens shown only when asked for."""
    tok, llm = llama_lm.tokenizer, llama_lm.model.llm
    ids = tok("Créatinine 😀 — eGFR <|im_end|> 中文 text")["input_ids"] * 3
    for skip in (True, False):
        for n in range(1, len(ids) + 1):
            expected = llm.detokenize(ids[:n], special=not skip).decode("utf-8", errors="replace")
            assert tok.decode(ids[:n], skip_special_tokens=skip) == expected
    assert "<|im_end|>" in tok.decode(ids, skip_special_tokens=False)
    assert "<|im_end|>" not in tok.decode(ids) and "中文" in tok.decode(ids)


def test_stop_is_checked_every_token(llama_lm) -> None:
    seen = []
    g = generate.stream(llama_lm, QUESTION, settings=generate.GenerationSettings(max_new_tokens=200),
                        should_stop=lambda: len(seen) >= 3)
    for d in g:
        seen.append(d)
    assert g.stats.finish_reason == "stopped" and g.stats.new_tokens == 3


def test_greedy_answers_repeat_and_sampling_with_a_seed_repeats(llama_lm) -> None:
    greedy = generate.GenerationSettings(max_new_tokens=16)
    assert generate.generate(llama_lm, QUESTION, settings=greedy).text == \
        generate.generate(llama_lm, QUESTION, settings=greedy).text
    seeded = generate.GenerationSettings(max_new_tokens=16, temperature=0.9, seed=7)
    assert generate.generate(llama_lm, QUESTION, settings=seeded).text == \
        generate.generate(llama_lm, QUESTION, settings=seeded).text


def test_a_prompt_decoded_ahead_gives_the_same_answer_and_its_first_token_at_once(llama_lm) -> None:
    """What the window does while a question is typed: each pause decodes the prompt so far into
    llama.cpp's cache. The answer is token for token the one of a question sent at once (llama.cpp's
    arithmetic depends on the batch, so this holds only because prompts are decoded in the same
    pieces), and nothing is left to decode when it is sent."""
    system = {"role": "system", "content": "You are a careful assistant. Definitions: " + "eGFR is estimated "
              "glomerular filtration rate, computed from serum creatinine, age and sex. " * 8}
    question = "What does the kidney do when eGFR falls below sixty, and why does creatinine rise?"
    messages = [system, {"role": "user", "content": question}]
    settings = generate.GenerationSettings(max_new_tokens=24, repetition_penalty=1.3)
    llama_lm.model.llm.reset()
    cold = generate.generate(llama_lm, messages, settings=settings)
    ids = generate.prepare(llama_lm.tokenizer, messages, context_length=llama_lm.context_length,
                           max_new_tokens=24).input_ids
    assert len(ids) > 2 * llama_engine.PREFILL_CHUNK
    for n in (5, 30, len(question) - 10, len(question) + 8, len(question)):  # typed, a pause each time
        draft = (question + " And the liver?")[:n]
        generate.prefill(llama_lm, [system, {"role": "user", "content": draft}], max_new_tokens=24)
    assert llama_lm.model.llm._input_ids.tolist() == ids  # noqa: SLF001
    warm = generate.generate(llama_lm, messages, settings=settings)
    assert warm.token_ids == cold.token_ids and warm.text == cold.text
    # a follow-up reuses the cached history and still answers as from a cold cache
    follow = [*messages, {"role": "assistant", "content": warm.text}, {"role": "user", "content": "And sodium?"}]
    cached = generate.generate(llama_lm, follow, settings=settings)
    llama_lm.model.llm.reset()
    assert generate.generate(llama_lm, follow, settings=settings).token_ids == cached.token_ids


def test_decoding_ahead_stops_between_chunks_and_keeps_what_it_decoded(llama_lm) -> None:
    llama_lm.model.llm.reset()
    asked = []

    def stop_after_two() -> bool:
        asked.append(1)
        return len(asked) > 2

    ids = generate.prepare(llama_lm.tokenizer, QUESTION, context_length=llama_lm.context_length,
                           max_new_tokens=24).input_ids
    done = llama_lm.model.prefill(ids, should_stop=stop_after_two, chunk=8)
    assert done == 16 < len(ids) and llama_lm.model.llm.n_tokens == 16
    settings = generate.GenerationSettings(max_new_tokens=24)
    half = generate.generate(llama_lm, QUESTION, settings=settings)
    llama_lm.model.llm.reset()
    assert half.token_ids == generate.generate(llama_lm, QUESTION, settings=settings).token_ids


def test_only_llama_cpp_decodes_ahead(torch_lm) -> None:
    assert generate.prefill(torch_lm, QUESTION, max_new_tokens=24) == 0


def test_option_log_likelihoods_match_transformers(llama_lm, torch_lm) -> None:
    from desktop.engine.evaluate.scoring import score_choices

    prompt = generate.prepare(torch_lm.tokenizer, [{"role": "user", "content": "What is the capital of France?"}],
                              context_length=2048, max_new_tokens=16)
    choices = ["Paris", "The capital of France is Berlin.", "London", "I do not know."]
    a = score_choices(llama_lm.model, llama_lm.tokenizer, prompt.input_ids, choices)
    b = score_choices(torch_lm.model, torch_lm.tokenizer, prompt.input_ids, choices)
    assert a.n_tokens == b.n_tokens
    # the same 4-bit weights; llama.cpp rounds activations to 8 bits in its dot products, which moves a
    # token's log-probability by up to about 0.3 nats on this model (measured): 0.4 per option token allowed
    for x, y, n in zip(a.logprobs, b.logprobs, a.n_tokens):
        assert math.isfinite(x) and abs(x - y) <= 0.4 * n, (a.logprobs, b.logprobs)
    assert a.pick == b.pick and a.pick_norm == b.pick_norm


def test_a_model_file_that_is_not_gguf_is_a_sentence(tmp_path) -> None:
    needs_llama()
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a gguf at all")
    with pytest.raises(ModelLoadError, match="broken.gguf is not a GGUF file"):
        engines.load(bad)


def test_8bit_weights_choose_transformers_and_are_refused_for_a_gguf_file(installed_default_model) -> None:
    needs_llama()
    choice = engines.choose(installed_default_model, device="cpu", weights="int8")
    assert choice.engine == "transformers" and "8-bit weights" in choice.reason
    with pytest.raises(ModelLoadError, match="already quantised"):
        engines.load(default_gguf(installed_default_model), device="cpu", weights="int8")


def test_unavailable_names_the_fallback(monkeypatch) -> None:
    import builtins

    real = builtins.__import__

    def no_llama(name, *a, **k):
        if name == "llama_cpp":
            raise ImportError("no llama_cpp")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_llama)
    assert "transformers instead" in llama_engine.unavailable()
