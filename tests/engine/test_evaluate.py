"""Evaluation: scoring, statistics, the report files (plain and encrypted), the runner on a tiny
model, and the request that the app and the command line make."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from desktop.engine.evaluate import EvalReport, ItemResult, mcnemar, parse_methods, run_eval, wilson
from desktop.engine.evaluate import runner as runner_mod
from desktop.engine.evaluate.scoring import ChoiceScore, KeyPointScorer, normalize_text, option_logprobs
from desktop.errors import EvaluationError
from glossary.model import Concept, Term, TermType
from glossary.testset import HELD_OUT, SEEN, TestItem

torch = pytest.importorskip("torch")


# --- a model whose answers we control ---


class _Out:
    def __init__(self, logits):
        self.logits = logits


class UnigramModel:
    """Every position predicts the same distribution ``probs`` over a vocabulary (no real cache)."""

    config = None

    def __init__(self, probs: list[float]) -> None:
        self.logp = torch.log(torch.tensor(probs))
        self.calls = 0

    def forward(self, input_ids, attention_mask=None, past_key_values=None, use_cache=True, logits_to_keep=0):
        self.calls += 1
        b, t = input_ids.shape
        return _Out(self.logp.expand(b, logits_to_keep or t, -1).clone())

    __call__ = forward


def test_option_logprobs_sums_the_options_tokens_with_padding_and_batches():
    probs = [0.1, 0.5, 0.2, 0.1, 0.1]
    model = UnigramModel(probs)
    options = [[1], [2, 2], [3, 1, 4]]
    sums = option_logprobs(model, [0, 0, 0], options, batch_size=2)
    expected = [sum(math.log(probs[t]) for t in o) for o in options]
    assert sums == pytest.approx(expected, abs=1e-5)
    assert model.calls == 3  # the prompt once, then three options in batches of two


def test_the_likeliest_option_wins_and_length_normalisation_changes_the_winner():
    s = ChoiceScore(logprobs=[-4.0, -3.0], lengths=[40, 5], n_tokens=[8, 2])
    assert s.pick == 1  # the short option has the higher total
    assert s.pick_norm == 0  # but the long one is likelier per character


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from desktop.engine.models import load_model

    return load_model(tiny_model_dir, device="cpu")


def test_the_models_own_greedy_continuation_beats_a_changed_last_token(tiny):
    model = tiny.model
    prompt = tiny.tokenizer("What does CKD-EPI estimate?", add_special_tokens=False)["input_ids"]
    ids = list(prompt)
    with torch.inference_mode():
        for _ in range(3):
            ids.append(int(model(input_ids=torch.tensor([ids])).logits[0, -1].argmax()))
    greedy = ids[len(prompt):]
    others = [greedy[:2] + [(greedy[2] + k) % len(tiny.tokenizer)] for k in (1, 7, 50)]
    sums = option_logprobs(model, prompt, [others[0], greedy, *others[1:], greedy[:2]], batch_size=3)
    assert max(range(4), key=lambda i: sums[i]) == 1

    def full(option):  # one plain forward pass over prompt + option, no cache, no padding
        with torch.inference_mode():
            logp = torch.log_softmax(model(input_ids=torch.tensor([prompt + option])).logits[0].float(), -1)
        return sum(float(logp[len(prompt) - 1 + k, t]) for k, t in enumerate(option))

    assert sums == pytest.approx([full(o) for o in (others[0], greedy, *others[1:], greedy[:2])], abs=1e-4)


# --- free text ---


@pytest.fixture(scope="module")
def scorer():
    af = Concept(id=1, terms=[Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION),
                              Term("心房颤动", lang="zh"), Term("房颤", lang="zh", type=TermType.SYNONYM)])
    egfr = Concept(id=2, terms=[Term("estimated glomerular filtration rate"), Term("eGFR", type=TermType.ABBREVIATION),
                                Term("估算肾小球滤过率", lang="zh")])
    s = KeyPointScorer([af, egfr])
    s.score("预热", ["分词"])  # load jieba's dictionary once, here rather than in a test
    return s


def test_normalisation_folds_width_case_and_punctuation():
    assert normalize_text("Ｅｇｆｒ < 30 mL/min!") == "egfr 30 ml min"


def test_a_synonym_from_the_glossary_meets_a_key_point(scorer):
    r = scorer.score("The patient has AF; anticoagulate.", ["atrial fibrillation", "anticoagulate", "stroke"])
    assert r.met == [True, True, False]
    assert r.matched_by[0] == "AF"
    assert r.coverage == pytest.approx(2 / 3)
    # a word inside another word does not count
    assert not scorer.score("AFTER the visit", ["atrial fibrillation"]).met[0]


def test_chinese_is_compared_after_segmentation(scorer):
    r = scorer.score("患者有房颤，估算肾小球滤过率为25。", ["心房颤动", "估算肾小球滤过率", "25"])
    assert r.met == [True, True, True]
    assert r.matched_by[0] == "房颤"
    # characters that are only part of a word do not count
    assert scorer.score("患者肾小球滤过率下降", ["肾"]).met == [False]


# --- statistics ---


def test_wilson_interval_matches_known_values():
    lo, hi = wilson(8, 10)
    assert (round(lo, 3), round(hi, 3)) == (0.490, 0.943)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0


@pytest.mark.parametrize("k, n", [(0, 1), (1, 1), (3, 7), (8, 10), (17, 45), (44, 45), (120, 200), (0, 30)])
def test_wilson_interval_agrees_with_scipy(k, n):
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_mcnemar_exact_for_few_discordant_pairs_and_chi_square_otherwise():
    small = mcnemar(2, 8)
    assert small.test == "exact binomial"
    assert small.p_value == pytest.approx(2 * (1 + 10 + 45) / 1024)  # 2·P(X≤2), X~Bin(10, ½)
    big = mcnemar(10, 25)
    assert big.test.startswith("chi-square")
    assert big.statistic == pytest.approx((abs(10 - 25) - 1) ** 2 / 35)  # 5.6
    assert big.p_value == pytest.approx(0.01796, abs=1e-4)
    assert mcnemar(0, 0).p_value == 1.0
    # at the switch: 24 discordant pairs are tested exactly, 25 with the approximation
    from scipy.stats import binomtest, chi2

    assert mcnemar(8, 16).p_value == pytest.approx(binomtest(8, 24, 0.5).pvalue)
    assert mcnemar(8, 17).p_value == pytest.approx(chi2.sf((17 - 8 - 1) ** 2 / 25, 1))


# --- report ---


def _result(method, i, correct, **kw):
    base = dict(item_id=f"q{i}", method=method, level="L1" if i % 2 else "L2", subject_field="law",
                lang="en", kind="mc", split=SEEN if i < 5 else HELD_OUT, correct=correct, correct_raw=correct)
    return ItemResult(**{**base, **kw})


def test_report_files_are_written_with_the_table(tmp_path):
    r = EvalReport(meta={"model": "tiny"}, methods=["base", "inject"])
    r.results = [_result("base", i, i < 4) for i in range(10)] + [_result("inject", i, i < 8) for i in range(10)]
    r.summarise()
    assert r.summaries["inject"].vs_base.c == 4 and r.summaries["inject"].vs_base.b == 0
    assert r.group("inject", "split:seen").n == 5 and r.group("inject", "split:held-out").n == 5
    paths = r.write(tmp_path / "rep")
    for key in ("md", "csv", "items", "json", "png"):
        assert paths[key].is_file() and paths[key].stat().st_size > 0
    md = paths["md"].read_text(encoding="utf-8")
    assert "| method | n | accuracy [95% CI]" in md
    assert "| inject | 10 | 0.800 [0.490, 0.943]" in md
    assert "## Seen and held-out concepts" in md
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"
    assert "inject,all,10,8,0.8" in paths["csv"].read_text(encoding="utf-8")


def _small_report() -> EvalReport:
    r = EvalReport(meta={"model": "tiny"}, methods=["base", "inject"])
    r.results = [_result("base", i, i < 4) for i in range(10)] + [_result("inject", i, i < 8) for i in range(10)]
    r.results[3].output = "Mr Example's biopsy result"
    return r.summarise()


def test_a_report_in_the_data_directory_is_encrypted_and_reads_back(termlens_home, tmp_path):
    from desktop.engine.evaluate import load_report

    r = _small_report()
    folder = termlens_home / "reports" / "eval-1"
    paths = r.write(folder)
    for path in paths.values():
        raw = path.read_bytes()
        assert b"biopsy" not in raw and b"TermLens evaluation" not in raw and not raw.startswith(b"\x89PNG")
    again = load_report(folder)
    assert again.markdown() == r.markdown()
    assert again.summaries["inject"].vs_base.c == 4 and again.results[3].output == "Mr Example's biopsy result"
    plain = r.write(tmp_path / "export")  # a folder the person chose, outside the data directory
    assert b"biopsy" in plain["items"].read_bytes()
    assert load_report(tmp_path / "export").markdown() == r.markdown()


def test_a_folder_without_a_report_is_one_sentence(tmp_path):
    from desktop.engine.evaluate import load_report

    with pytest.raises(EvaluationError, match="no evaluation report"):
        load_report(tmp_path)
    (tmp_path / "report.json").write_text('{"methods": 3}', encoding="utf-8")
    with pytest.raises(EvaluationError, match="not a TermLens evaluation report"):
        load_report(tmp_path)


# --- the runner on a tiny model ---


def _glossary():
    return [
        Concept(id=1, terms=[Term("atrial fibrillation"), Term("AF", type=TermType.ABBREVIATION, case_sensitive=True)],
                subject_fields=["medicine"], definitions={"en": "An irregular, often rapid heart rhythm."}),
        Concept(id=2, terms=[Term("tort"), Term("侵权", lang="zh")], subject_fields=["law"],
                definitions={"en": "A civil wrong causing harm.", "zh": "造成损害的民事过错。"}),
        Concept(id=3, terms=[Term("EBITDA")], subject_fields=["finance"],
                definitions={"en": "Earnings before interest, taxes, depreciation and amortization."}),
    ]


def _items():
    return [
        TestItem(id="a", subject_field="medicine", lang="en", level="L1", question="What is AF?",
                 choices=["An irregular heart rhythm.", "A civil wrong."], answer=0, concepts=["atrial fibrillation"]),
        TestItem(id="b", subject_field="law", lang="zh", level="L1", question="什么是侵权？",
                 choices=["民事过错。", "心律失常。", "利润。"], answer=0, concepts=["tort"]),
        TestItem(id="c", subject_field="finance", lang="en", level="L2",
                 question="Why do analysts compare EBITDA across firms?",
                 reference="It ignores financing and accounting choices.", key_points=["financing", "EBITDA"],
                 concept_ids=[3]),
        TestItem(id="d", subject_field="medicine", lang="en", level="L1", question="What is an irregular heartbeat?",
                 choices=["An arrhythmia.", "A contract."], answer=0, concepts=["atrial fibrillation"]),
    ]


def test_end_to_end_on_the_tiny_model(tiny, tmp_path):
    seen: list[tuple[int, int, str]] = []
    settings = runner_mod.EvalSettings(max_new_tokens=6)
    report = run_eval(tiny, _items(), methods="base,inject,oracle,lora", glossary_concepts=_glossary(),
                      on_progress=lambda d, t, m: seen.append((d, t, m)), seed=0, settings=settings)
    assert report.methods == ["base", "inject", "oracle"]
    assert "lora" in report.skipped and "adapter" in report.skipped["lora"]
    assert seen[-1][:2] == (12, 12)
    by = {(r.method, r.item_id): r for r in report.results}
    assert by[("inject", "a")].detection == "found" and by[("inject", "a")].injected == [1]
    assert by[("inject", "d")].detection == "missed" and by[("inject", "d")].injected == []
    assert by[("oracle", "d")].injected == [1]  # the oracle injects what detection missed
    assert by[("base", "a")].injected == []
    # every method is split by what the matcher found, so injection's gain reads like for like
    assert by[("base", "a")].detection == "found" and by[("oracle", "d")].detection == "missed"
    assert report.group("base", "terms:missed").n == 1
    assert by[("base", "c")].kind == "free" and by[("base", "c")].coverage is not None
    assert all(len(r.logprobs) == 2 for r in report.results if r.item_id == "a")
    assert report.summaries["inject"].vs_base is not None and report.summaries["base"].vs_base is None
    assert report.group("inject", "terms:found").n == 3 and report.group("inject", "terms:missed").n == 1
    assert all(r.split == HELD_OUT for r in report.results)
    # the same seed gives the same scores
    again = run_eval(tiny, _items(), methods=["base"], glossary_concepts=_glossary(), settings=settings)
    assert [r.logprobs for r in again.results] == [r.logprobs for r in report.by_method("base")]
    assert [r.output for r in again.results] == [r.output for r in report.by_method("base")]
    paths = report.write(tmp_path / "report")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["methods"] == ["base", "inject", "oracle"]


def test_lora_methods_apply_the_adapter_split_seen_and_restore(tiny, monkeypatch):
    from desktop.engine import adapters

    calls: list[str] = []

    def apply(lm, name):
        calls.append(f"apply {name}")
        lm.adapter = name

    def remove(lm):
        calls.append("remove")
        lm.adapter = None

    monkeypatch.setattr(adapters, "apply_adapter", apply)
    monkeypatch.setattr(adapters, "remove_adapter", remove)
    monkeypatch.setattr(adapters, "read_meta", lambda name: {"name": name, "concept_ids": [1]})
    items = [it for it in _items() if it.kind == "mc"]
    report = run_eval(tiny, items, methods="lora,base", glossary_concepts=_glossary(), adapter="terms")
    assert report.methods == ["base", "lora"]
    assert calls[0] == "apply terms" and calls[-1] == "remove" and tiny.adapter is None
    splits = {r.item_id: r.split for r in report.by_method("lora")}
    assert splits == {"a": SEEN, "b": HELD_OUT, "d": SEEN}
    assert report.group("base", "split:seen").n == 2  # base is split the same way, as the control


def test_cancel_between_items_returns_what_was_scored(tiny):
    n = {"calls": 0}

    def stop():
        n["calls"] += 1
        return n["calls"] > 2

    items = [it for it in _items() if it.kind == "mc"]
    report = run_eval(tiny, items, methods="base,oracle", glossary_concepts=_glossary(), should_stop=stop)
    assert report.stopped and len(report.results) == 2 and report.methods == ["base"]


def test_bad_methods_and_duplicate_ids_are_refused(tiny):
    with pytest.raises(EvaluationError, match="not an evaluation method"):
        parse_methods("base,magic")
    items = _items()[:1] * 2
    with pytest.raises(EvaluationError, match="twice"):
        run_eval(tiny, items, methods="base", glossary_concepts=_glossary())


# --- the request the app and the command line make ---


def test_the_forgetting_check_joins_when_lora_runs_with_an_adapter(tmp_path):
    from desktop.engine.evaluate.request import EvalRequest, collect_items

    concepts = _glossary()
    sample = str(runner_mod.SAMPLE_TESTSET)
    items, names = collect_items(EvalRequest(testsets=[sample], methods=["base", "lora"], adapter="cardio"), concepts)
    assert names == ["sample.jsonl", "general.jsonl"]
    assert sum(i.subject_field == "general" for i in items) >= 45
    for request in (EvalRequest(testsets=[sample], methods=["base", "inject"], adapter="cardio"),
                    EvalRequest(testsets=[sample], methods=["base", "lora"]),
                    EvalRequest(testsets=[sample], methods=["base", "lora"], adapter="cardio", forgetting=False)):
        assert collect_items(request, concepts)[1] == ["sample.jsonl"]
    few, _ = collect_items(EvalRequest(testsets=[sample], methods=["base", "lora"], adapter="x", limit=3), concepts)
    assert len(few) == 6  # the first three of each set


def test_items_from_the_glossary_and_clashing_ids(tmp_path):
    from desktop.engine.evaluate.request import EvalRequest, collect_items, starter_concepts

    concepts = starter_concepts()
    items, names = collect_items(EvalRequest(from_glossary=10, glossary_domain="finance"), concepts)
    assert names == ["glossary"] and len(items) == 10 and {i.subject_field for i in items} == {"finance"}
    sample = str(runner_mod.SAMPLE_TESTSET)
    with pytest.raises(EvaluationError, match="also in another chosen test set"):
        collect_items(EvalRequest(testsets=[sample, sample]), concepts)
    with pytest.raises(EvaluationError, match="Choose a test set"):
        collect_items(EvalRequest(), concepts)


def test_a_real_adapter_seen_and_held_out_and_the_forgetting_check(tiny, termlens_home):
    from desktop.engine.train import TrainConfig, train

    pairs = [{"id": f"p{i}", "concept_id": 1, "kind": "definition", "lang": "en", "status": "accepted",
              "messages": [{"role": "user", "content": "What is AF?"},
                           {"role": "assistant", "content": "An irregular heart rhythm."}]} for i in range(8)]
    train(tiny, pairs, config=TrainConfig(epochs=1, batch_size=4, max_seq_len=64, val_fraction=0.0,
                                          warmup_ratio=0.0), out_name="cardio")
    before = {k: v.clone() for k, v in tiny.model.state_dict().items()}
    general = [TestItem(id=f"g{i}", subject_field="general", lang="en", level="L1", question=f"What is {i} + 1?",
                        choices=[str(i + 1), str(i + 2)], answer=0) for i in range(3)]
    items = [it for it in _items() if it.kind == "mc"] + general
    report = run_eval(tiny, items, methods="base,inject,lora,lora+inject,oracle", glossary_concepts=_glossary(),
                      adapter="cardio")
    assert report.methods == ["base", "inject", "lora", "lora+inject", "oracle"] and not report.skipped
    splits = {r.item_id: r.split for r in report.by_method("lora")}
    assert splits == {"a": SEEN, "b": HELD_OUT, "d": SEEN, "g0": "n/a", "g1": "n/a", "g2": "n/a"}
    assert report.group("lora", "split:seen").n == 2 and report.group("lora", "split:held-out").n == 1
    assert report.forgetting["n"] == 3 and "delta" in report.forgetting
    assert "## Forgetting check (general knowledge)" in report.markdown()
    assert tiny.adapter is None  # the model is given back as it was
    after = tiny.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_free_text_answers_with_term_issues_are_counted_per_method(tiny):
    settings = runner_mod.EvalSettings(max_new_tokens=6)
    report = run_eval(tiny, _items(), methods="base,inject", glossary_concepts=_glossary(), settings=settings)
    for m in ("base", "inject"):
        (free,) = [r for r in report.by_method(m) if r.kind == "free"]
        # the question names EBITDA: an answer that never names it has a "missing" issue
        expected = [] if "ebitda" in free.output.lower() else ["missing"]
        assert free.term_issues == expected
        s = report.summaries[m]
        assert s.n_free == 1 and s.with_term_issues == len(expected)
    assert "Free-text answers with term issues" in report.markdown()


@pytest.fixture
def sent_messages(monkeypatch) -> dict[str, list[dict]]:
    """The messages each method scored each item with, by "method:item id"."""
    seen: dict[str, list[dict]] = {}
    real = runner_mod._score

    def spy(lm, item, method, messages, **kw):
        seen[f"{method}:{item.id}"] = messages
        return real(lm, item, method, messages, **kw)

    monkeypatch.setattr(runner_mod, "_score", spy)
    return seen


def test_inline_injection_reaches_the_question_for_inject_and_oracle(tiny, sent_messages):
    seen = sent_messages
    settings = runner_mod.EvalSettings(max_new_tokens=4, inject_position="inline")
    report = run_eval(tiny, _items()[:1], methods="base,inject,oracle", glossary_concepts=_glossary(),
                      settings=settings)
    assert report.meta["inject_position"] == "inline"
    for m in ("inject", "oracle"):
        assert seen[f"{m}:a"][-1]["content"] == "What is AF [atrial fibrillation: An irregular, often rapid heart rhythm.]?"
        assert "irregular" not in seen[f"{m}:a"][0]["content"]  # the system prompt stays plain
    assert seen["base:a"][-1]["content"] == "What is AF?"


def test_related_concepts_reach_the_system_prompt_in_every_position(tiny, sent_messages):
    seen = sent_messages
    glossary = _glossary()
    glossary[0].related = [3]  # a cross-reference from atrial fibrillation to EBITDA (a test, not medicine)
    for position in ("system", "inline"):
        settings = runner_mod.EvalSettings(max_new_tokens=4, inject_position=position, inject_related=1)
        report = run_eval(tiny, _items()[:1], methods="base,inject,oracle", glossary_concepts=glossary,
                          settings=settings)
        assert report.meta["inject_related"] == 1
        for m in ("inject", "oracle"):
            system, question = seen[f"{m}:a"][0]["content"], seen[f"{m}:a"][-1]["content"]
            assert "Related concepts from the same glossary" in system and "- EBITDA: Earnings before" in system
            assert "EBITDA" not in question
            assert ("[atrial fibrillation:" in question) == (position == "inline")
        assert "EBITDA" not in seen["base:a"][0]["content"]
