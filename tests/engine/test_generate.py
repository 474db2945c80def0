"""Streaming generation: deltas, stop flag, limits, sampling and the context window."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.engine import generate, models
from desktop.errors import GenerationError


@pytest.fixture(scope="module")
def tiny_lm(tiny_model_dir: Path):
    return models.load_model(tiny_model_dir, device="cpu")


def _q(text: str) -> list[dict]:
    return [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]


def test_stream_yields_deltas_that_make_the_answer(tiny_lm) -> None:
    g = generate.stream(tiny_lm, _q("What is AF?"), settings=generate.GenerationSettings(max_new_tokens=12))
    deltas = list(g)
    assert "".join(deltas) == g.text
    assert g.stats.new_tokens == 12 and g.stats.finish_reason == "length"
    assert g.stats.prompt_tokens == len(g.prompt.input_ids) > 5


def test_greedy_is_repeatable_and_matches_transformers(tiny_lm) -> None:
    import torch

    s = generate.GenerationSettings(max_new_tokens=10, temperature=0)
    a = generate.generate(tiny_lm, _q("What is a tort?"), settings=s)
    b = generate.generate(tiny_lm, _q("What is a tort?"), settings=s)
    assert a.token_ids == b.token_ids
    ids = torch.tensor([a.prompt.input_ids])
    ref = tiny_lm.model.generate(ids, max_new_tokens=10, do_sample=False, eos_token_id=None, pad_token_id=0)
    assert a.token_ids == ref[0, ids.shape[1]:].tolist()


def test_stop_flag_ends_within_one_token(tiny_lm) -> None:
    seen: list[str] = []
    g = generate.stream(tiny_lm, _q("Tell me everything."), settings=generate.GenerationSettings(max_new_tokens=200),
                        should_stop=lambda: len(seen) >= 3)
    for d in g:
        seen.append(d)
    assert g.stats.finish_reason == "stopped"
    assert g.stats.new_tokens <= 4


def test_sampling_with_seed_is_reproducible_and_differs_from_greedy(tiny_lm) -> None:
    s = generate.GenerationSettings(max_new_tokens=16, temperature=1.5, top_p=0.95, seed=7)
    a = generate.generate(tiny_lm, _q("EBITDA?"), settings=s)
    b = generate.generate(tiny_lm, _q("EBITDA?"), settings=s)
    greedy = generate.generate(tiny_lm, _q("EBITDA?"), settings=generate.GenerationSettings(max_new_tokens=16))
    assert a.token_ids == b.token_ids
    assert a.token_ids != greedy.token_ids


def test_long_history_drops_oldest_turns_but_keeps_system_and_question(tiny_lm) -> None:
    history = []
    for i in range(40):
        history += [{"role": "user", "content": f"question {i} " + "word " * 20},
                    {"role": "assistant", "content": f"answer {i} " + "word " * 20}]
    msgs = [{"role": "system", "content": "SYSTEM-RULES"}, *history, {"role": "user", "content": "LAST-QUESTION"}]
    g = generate.stream(tiny_lm, msgs, settings=generate.GenerationSettings(max_new_tokens=8))
    list(g)
    assert g.prompt.dropped_turns > 0
    assert g.prompt.messages[0]["content"] == "SYSTEM-RULES"
    assert g.prompt.messages[-1]["content"] == "LAST-QUESTION"
    assert "question 39" in g.prompt.text and "question 0 " not in g.prompt.text
    assert len(g.prompt.input_ids) <= tiny_lm.context_length - 8


def test_a_question_longer_than_the_window_is_a_sentence(tiny_lm) -> None:
    with pytest.raises(GenerationError, match="Shorten the question"):
        generate.stream(tiny_lm, _q("word " * 5000), settings=generate.GenerationSettings(max_new_tokens=8))


def test_odd_characters_are_handled(tiny_lm) -> None:
    text = "AF\u200b\u202eevil\u202c 🫀 \x00 心房颤动?"
    g = generate.generate(tiny_lm, _q(text), settings=generate.GenerationSettings(max_new_tokens=4))
    assert g.stats.new_tokens == 4


def test_default_model_gives_a_real_answer(default_model_dir: Path) -> None:
    lm = models.load_model(default_model_dir)
    g = generate.generate(lm, [{"role": "user", "content": "Explain in two sentences what the kidneys do."}],
                          settings=generate.GenerationSettings(max_new_tokens=40))
    assert g.stats.new_tokens >= 10
    assert any(w in g.text.lower() for w in ("waste", "blood", "urine", "filter"))


def test_injected_definition_changes_the_default_models_answer(default_model_dir: Path) -> None:
    lm = models.load_model(default_model_dir)
    definition = ("Glossary: CKD-EPI: an equation that estimates the glomerular filtration rate (eGFR) "
                  "from serum creatinine, age and sex.")
    g = generate.generate(lm, [{"role": "system", "content": definition},
                               {"role": "user", "content": "What does CKD-EPI estimate?"}],
                          settings=generate.GenerationSettings(max_new_tokens=40))
    assert "glomerular filtration" in g.text.lower()
