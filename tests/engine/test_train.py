"""LoRA training: answer-only loss, packing, checkpoints, cancel and resume on a tiny model;
the default model learning a small glossary; adapters refused, applied and merged."""

from __future__ import annotations

import json

import pytest
import torch

from desktop.engine import adapters
from desktop.engine.models import load_model
from desktop.engine.train import TrainConfig, checkpoint, check_config, pairs_hash, train
from desktop.engine.train.data import IGNORE, collate, encode_pair, pack, select_pairs
from desktop.engine.train.loss import liger_kernels, plain_loss, token_loss
from desktop.errors import AdapterError, StorageError, TrainingError


def make_pairs(n: int = 24) -> list[dict]:
    out = []
    for i in range(n):
        out.append({
            "id": f"p{i}", "concept_id": i % 6, "kind": "definition", "lang": "en", "status": "accepted",
            "messages": [{"role": "user", "content": f"What does term {i} mean?"},
                         {"role": "assistant", "content": f"Term {i} is the rate of fox {i % 6}."}],
        })
    return out


FAST = dict(batch_size=4, max_seq_len=128, lr=5e-3, val_fraction=0.2, warmup_ratio=0.0)


@pytest.fixture(scope="module")
def lm(tmp_path_factory):
    from tests.tiny import make_tiny_model

    folder = make_tiny_model(tmp_path_factory.mktemp("train") / "tiny")
    return load_model(folder, device="cpu")


def test_only_answer_tokens_are_targets(lm):
    msgs = make_pairs(1)[0]["messages"]
    ex = encode_pair(lm.tokenizer, msgs, max_seq_len=256)
    targets = [ex.input_ids[t + 1] for t, lab in enumerate(ex.labels) if lab != IGNORE]
    text = lm.tokenizer.decode(targets)
    assert text.startswith("Term 0 is the rate of fox 0.")
    assert text.endswith("<|im_end|>")  # the model learns to stop
    assert "What does" not in text


def test_packed_loss_equals_per_example_loss(lm):
    examples = [encode_pair(lm.tokenizer, p["messages"], max_seq_len=256) for p in make_pairs(5)]
    rows = pack(examples, max_seq_len=256)
    assert len(rows) < len(examples)  # several examples share a row
    ids, labels, pos = collate(rows, pad_id=lm.tokenizer.pad_token_id, device="cpu")
    with torch.no_grad():
        packed, n = token_loss(lm.model, ids, labels, pos)
        single = sum(plain_loss(lm.model, *collate([r], pad_id=0, device="cpu"))[0]
                     for r in pack(examples, max_seq_len=256, packing=False))
    assert int(n) == sum(e.n_targets for e in examples)
    assert torch.allclose(packed, single, rtol=1e-5), (packed, single)


def test_training_lowers_loss_saves_adapter_and_leaves_model_usable(lm):
    before = {k: v.clone() for k, v in lm.model.state_dict().items()}
    seen = []
    result = train(lm, make_pairs(), config=TrainConfig(epochs=4, **FAST), out_name="fox",
                   on_progress=seen.append, glossary_version=7)
    assert not result.stopped and result.steps == result.total_steps == len(seen)
    assert seen[-1].step == seen[-1].total and seen[-1].fraction == 1.0 and seen[-1].epoch == seen[-1].epochs == 4
    assert seen[-1].val_losses == result.val_losses and seen[-1].val_loss == result.val_loss
    assert [p.step for p in seen] == list(range(1, len(seen) + 1)) and all(p.tokens_per_s > 0 for p in seen)
    first, last = sum(result.losses[:3]) / 3, sum(result.losses[-3:]) / 3
    assert last < first
    assert result.val_loss is not None and len(result.val_losses) == 4
    meta = adapters.read_meta("fox")
    assert meta["base_fingerprint"] == lm.fingerprint and meta["glossary_version"] == 7
    assert meta["config"]["rank"] == 16 and meta["metrics"]["train_loss"] == pytest.approx(result.train_loss)
    assert set(meta["concept_ids"]) <= set(range(6)) and meta["data_hash"]
    assert not checkpoint.checkpoint_dir("fox").exists()
    # the LoRA layers are gone again: same modules, same weights
    after = lm.model.state_dict()
    assert after.keys() == before.keys()
    assert all(torch.equal(after[k], before[k]) for k in before)
    assert not lm.model.training


def test_cancel_then_resume_continues_from_checkpoint(lm):
    pairs, cfg = make_pairs(), TrainConfig(epochs=3, **FAST)
    calls = []

    def stop_after_4() -> bool:
        return len(calls) >= 4

    first = train(lm, pairs, config=cfg, out_name="resume-me", on_progress=lambda *a: calls.append(a),
                  should_stop=stop_after_4)
    assert first.stopped and first.steps == 4 and first.adapter_dir is None
    meta = json.loads((checkpoint.checkpoint_dir("resume-me") / "state.json").read_text())
    assert meta["step"] == 4 and meta["data_hash"] == pairs_hash(pairs[:0] or first_train_pairs(pairs, cfg))
    steps = []
    second = train(lm, pairs, config=cfg, out_name="resume-me", on_progress=steps.append)
    assert second.resumed_from_step == 4 and steps[0].step == 5 and second.steps == second.total_steps
    assert steps[0].history == first.losses and steps[1].history == []  # the curve can be drawn whole
    assert second.adapter_dir and adapters.read_meta("resume-me")["metrics"]["resumed_from_step"] == 4
    assert second.losses[:4] == first.losses
    # the same run without a break ends on the same weights
    straight = train(lm, pairs, config=cfg, out_name="straight", resume=False)
    from safetensors.torch import load_file

    a = load_file(str(adapters.adapter_dir("resume-me") / adapters.WEIGHTS_FILE))
    b = load_file(str(adapters.adapter_dir("straight") / adapters.WEIGHTS_FILE))
    assert straight.steps == second.steps
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def first_train_pairs(pairs, cfg):
    from desktop.engine.train.data import split

    return split(pairs, val_fraction=cfg.val_fraction, seed=cfg.seed)[0]


def test_resume_ignores_a_checkpoint_made_from_other_data(lm):
    cfg = TrainConfig(epochs=2, **FAST)
    train(lm, make_pairs(), config=cfg, out_name="other", should_stop=lambda: True)
    assert checkpoint.read_meta("other")["step"] == 0
    result = train(lm, make_pairs(20), config=cfg, out_name="other")
    assert result.resumed_from_step == 0 and result.adapter_dir


def test_bad_requests_are_refused_in_a_sentence(lm):
    with pytest.raises(TrainingError, match="no training pairs"):
        train(lm, [], out_name="x")
    with pytest.raises(TrainingError, match="no training pairs"):
        train(lm, [dict(p, status="rejected") for p in make_pairs(3)], out_name="x")
    with pytest.raises(Exception, match="cannot be an adapter name"):
        train(lm, make_pairs(), out_name="../evil")
    with pytest.raises(TrainingError, match="no layers named dense_h_to_4h"):
        train(lm, make_pairs(), config=TrainConfig(target_modules=("dense_h_to_4h",), **FAST), out_name="x")
    assert not any(type(m).__name__.startswith("Lora") for m in lm.model.modules())
    for bad, words in ((dict(lr=0.0), "learning rate"), (dict(dropout=1.0), "dropout"),
                       (dict(epochs=0), "at least one epoch"), (dict(val_fraction=0.9), "held-out"),
                       (dict(target_modules=()), "target layer")):
        with pytest.raises(TrainingError, match=words):
            check_config(TrainConfig(**bad))


def test_rejected_pairs_never_train_and_accepted_ones_are_chosen_once_any_is():
    pairs = make_pairs(4)
    pairs[0]["status"], pairs[1]["status"], pairs[2]["status"] = "rejected", "pending", "accepted"
    assert [p["id"] for p in select_pairs(pairs)] == ["p2", "p3"]
    plain = [{"messages": p["messages"]} for p in make_pairs(3)]  # a hand-written file without marks
    assert select_pairs(plain) == plain


def quick_adapter(lm, name: str) -> None:
    train(lm, make_pairs(12), config=TrainConfig(epochs=1, **FAST), out_name=name)


def _weights(lm) -> dict:
    return {k: v.clone() for k, v in lm.model.state_dict().items()}


def test_an_adapter_for_another_base_model_is_refused_and_the_model_is_untouched(lm):
    quick_adapter(lm, "fox")
    foreign = adapters.adapter_dir("fox").with_name("for-qwen7b")
    import shutil

    shutil.copytree(adapters.adapter_dir("fox"), foreign)
    meta_path = foreign / adapters.META_FILE
    meta = json.loads(meta_path.read_text())
    meta.update(base_model="Qwen2.5-7B-Instruct", base_fingerprint="0123456789abcdef")
    meta_path.write_text(json.dumps(meta))
    before = _weights(lm)
    with pytest.raises(AdapterError, match="made for Qwen2.5-7B-Instruct, not for the loaded model"):
        adapters.apply_adapter(lm, "for-qwen7b")
    assert lm.adapter is None and all(torch.equal(v, before[k]) for k, v in lm.model.state_dict().items())


def test_an_adapter_with_pickle_weights_is_refused(lm):
    quick_adapter(lm, "fox")
    folder = adapters.adapter_dir("fox")
    (folder / "adapter_model.bin").write_bytes(b"\x80\x02}q\x00.")
    listed = {a.name: a for a in adapters.list_adapters()}
    assert not listed["fox"].usable and "pickle" in listed["fox"].problem
    with pytest.raises(AdapterError, match="pickle weights .*adapter_model.bin"):
        adapters.apply_adapter(lm, "fox")
    assert lm.adapter is None


def test_merging_writes_a_model_folder_that_answers_like_the_adapter(lm, tmp_path):
    quick_adapter(lm, "fox")
    ids = torch.tensor([lm.tokenizer("What does term 3 mean?")["input_ids"]])
    adapters.apply_adapter(lm, "fox")
    with torch.no_grad():
        expected = lm.model(input_ids=ids).logits
    adapters.remove_adapter(lm)
    out = adapters.merge_to_folder(lm, "fox", tmp_path / "models" / "tiny-fox")
    assert lm.adapter is None  # the loaded model is as it was
    merged = load_model(out, device="cpu")
    with torch.no_grad():
        got = merged.model(input_ids=ids).logits
    assert torch.allclose(got, expected, atol=1e-4)
    assert json.loads((out / adapters.MERGED_FILE).read_text())["adapter"]["name"] == "fox"
    with pytest.raises(StorageError, match="not empty"):
        adapters.merge_to_folder(lm, "fox", out)


def small_glossary():
    from glossary.model import Concept, Term, TermType

    rows = [
        ("zorblatt index", "ZBI", "A score from 0 to 9 that grades how quickly a surgical wound closes."),
        ("quiet ventricular crossover", "QVC", "A harmless pause between two heartbeats seen on a long ECG."),
        ("ferrant clause", "", "A contract term that moves the risk of lost cargo to the buyer at the port."),
        ("lumen drift", "", "The slow widening of a stent after it has been placed in an artery."),
    ]
    out = []
    for i, (term, abbr, definition) in enumerate(rows, start=1):
        terms = [Term(term)] + ([Term(abbr, type=TermType.ABBREVIATION)] if abbr else [])
        out.append(Concept(terms=terms, definitions={"en": definition}, id=i))
    return out


@pytest.mark.slow
def test_default_model_learns_a_small_glossary_with_cancel_and_resume(default_model_dir):
    from desktop.engine import generate
    from glossary import dataset

    lm = load_model(default_model_dir, device="cpu")
    # one pair per concept: a single packed row of about 240 tokens, so each step is one short pass on a CPU
    pairs = [dict(p, status="accepted")
             for p in dataset.build_pairs(small_glossary(), langs=("en",), per_concept=1)]
    assert {p["concept_id"] for p in pairs} == {1, 2, 3, 4}
    cfg = TrainConfig(epochs=4, batch_size=2, max_seq_len=256, lr=3e-3, warmup_ratio=0.0, val_fraction=0.0)
    question = [{"role": "user", "content": "What does “zorblatt index” mean?"}]
    settings = generate.GenerationSettings(max_new_tokens=16)
    base_answer = generate.generate(lm, question, settings=settings).text

    reports = []
    first = train(lm, pairs, config=cfg, out_name="glossary", on_progress=reports.append,
                  should_stop=lambda: len(reports) >= 2, glossary_version=12)
    assert first.stopped and first.steps == 2 and first.adapter_dir is None
    second = train(lm, pairs, config=cfg, out_name="glossary", on_progress=reports.append, glossary_version=12)
    assert second.resumed_from_step == 2 and second.steps == second.total_steps == 4
    losses = second.losses
    assert losses[:2] == first.losses and losses[-1] < losses[0] * 0.8, losses  # the loss goes down

    meta = adapters.read_meta("glossary")
    assert meta["base_model"] == "SmolLM2-135M-Instruct" and meta["base_fingerprint"] == lm.fingerprint
    assert meta["glossary_version"] == 12 and meta["concept_ids"] == [1, 2, 3, 4]
    assert meta["data_hash"] == pairs_hash(first_train_pairs(pairs, cfg)) and meta["n_pairs"] == second.n_train_pairs
    assert meta["config"]["rank"] == 16 and meta["metrics"]["resumed_from_step"] == 2
    assert (adapters.adapter_dir("glossary") / adapters.WEIGHTS_FILE).stat().st_size > 100_000

    adapters.apply_adapter(lm, "glossary")
    assert lm.adapter == "glossary"
    adapted_answer = generate.generate(lm, question, settings=settings).text
    assert adapted_answer != base_answer, adapted_answer
    adapters.remove_adapter(lm)
    assert generate.generate(lm, question, settings=settings).text == base_answer


@pytest.mark.cuda
def test_fused_kernels_match_plain_loss_on_gpu():
    pytest.importorskip("liger_kernel")
    from transformers import AutoModelForCausalLM, Qwen2Config

    cfg = Qwen2Config(vocab_size=4096, hidden_size=256, intermediate_size=512, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16)
    lens = [100, 37, 250, 64]
    ids = torch.randint(0, 4096, (1, sum(lens)), device="cuda")
    pos = torch.cat([torch.arange(n) for n in lens]).view(1, -1).cuda()
    labels = ids.clone()
    labels[0, :-1] = ids[0, 1:]
    ends = torch.tensor(lens).cumsum(0) - 1
    labels[0, ends.cuda()] = IGNORE
    with torch.no_grad():
        ref, n_ref = plain_loss(model, ids, labels, pos)
        with liger_kernels(model, enabled=True) as on:
            assert on
            fused, n = token_loss(model, ids, labels, pos, fused=True)
    assert n == n_ref
    assert abs(float(fused) - float(ref)) / float(ref) < 2e-2
    assert all("forward" not in m.__dict__ for m in model.modules())  # the kernels were taken out again


@pytest.mark.cuda
def test_training_on_gpu_uses_fused_path(tmp_path):
    from tests.tiny import make_tiny_model

    gpu = load_model(make_tiny_model(tmp_path / "tiny", hidden=128), device="cuda")
    result = train(gpu, make_pairs(), config=TrainConfig(epochs=2, **FAST), out_name="gpu")
    assert result.adapter_dir and all(x == x for x in result.losses)
    try:
        import liger_kernel  # noqa: F401

        assert result.fused
    except ImportError:
        assert not result.fused
    adapters.apply_adapter(gpu, "gpu")
    adapters.remove_adapter(gpu)
