"""A TermLens adapter converted to a GGUF LoRA and applied by llama.cpp gives the next-token
log-probabilities of transformers + PEFT, and exports in the layout vLLM loads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from desktop.engine import adapters, engines, generate, gguf_lora, gguf_file, models
from desktop.errors import AdapterError
from tests.engine.llama_server import default_gguf, needs_llama

PROMPTS = ["What does eGFR measure?", "Define force majeure.", "Which organ filters the blood?"]
# Tolerance, in nats, on the log-probabilities of transformers' 10 most likely next tokens. The base model
# alone differs by up to ~0.3 nats between the engines (llama.cpp's 8-bit activations in its 4-bit dot
# products); the adapter moves these log-probabilities by several nats, so a wrong conversion fails.
TOL = 0.5


@pytest.fixture(scope="module")
def peft_model(installed_default_model):
    import torch
    from peft import LoraConfig, get_peft_model

    base = models.load_model(installed_default_model, device="cpu", fast=False)
    cfg = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], lora_dropout=0.0,
                     init_lora_weights=False, bias="none", task_type="CAUSAL_LM")
    torch.manual_seed(0)
    pm = get_peft_model(base.model, cfg)
    with torch.no_grad():
        for name, p in pm.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.1)
    pm.eval()
    return base, pm, cfg


def _save(name: str, base, pm, cfg) -> None:
    from peft import get_peft_model_state_dict

    lora_cfg = pm.peft_config["default"].to_dict()
    adapters.save_adapter(name, weights=get_peft_model_state_dict(pm), lora_config=lora_cfg,
                          meta={"base_model": base.info.name, "base_fingerprint": base.fingerprint})


def _torch_logprobs(base, pm, ids: list[int], *, adapter: bool) -> np.ndarray:
    import torch

    with torch.inference_mode():
        if adapter:
            logits = pm(input_ids=torch.tensor([ids])).logits[0, -1]
        else:
            with pm.disable_adapter():
                logits = pm(input_ids=torch.tensor([ids])).logits[0, -1]
    return torch.log_softmax(logits.double(), dim=-1).numpy()


def test_llama_cpp_with_the_converted_adapter_matches_transformers_and_peft(peft_model, installed_default_model,
                                                                            termlens_home):
    needs_llama()
    default_gguf(installed_default_model)
    base, pm, cfg = peft_model
    _save("kidney", base, pm, cfg)
    lm = engines.load(installed_default_model, device="cpu")
    try:
        adapters.apply_adapter(lm, "kidney")
        assert lm.adapter == "kidney"
        header = gguf_file.read_header(termlens_home / "adapters" / "kidney" / gguf_lora.GGUF_FILE)
        assert header.is_adapter and header.get("adapter.type") == "lora" and header.get("adapter.lora.alpha") == 16
        worst_adapted, shift = 0.0, 0.0
        for q in PROMPTS:
            ids = generate.prepare(lm.tokenizer, [{"role": "user", "content": q}], context_length=2048,
                                   max_new_tokens=8).input_ids
            ref = _torch_logprobs(base, pm, ids, adapter=True)
            plain = _torch_logprobs(base, pm, ids, adapter=False)
            got = lm.model.next_token_logprobs(ids)
            top = np.argsort(-ref)[:10]
            worst_adapted = max(worst_adapted, float(np.abs(got[top] - ref[top]).max()))
            shift = max(shift, float(np.abs(plain[top] - ref[top]).max()))
            assert int(np.argmax(got)) == int(np.argmax(ref))
        assert worst_adapted <= TOL, worst_adapted
        assert shift > 4 * TOL, shift  # the adapter really changes the model: the comparison can fail
        adapters.remove_adapter(lm)
        assert lm.adapter is None
        ids = generate.prepare(lm.tokenizer, [{"role": "user", "content": PROMPTS[0]}], context_length=2048,
                               max_new_tokens=8).input_ids
        plain = _torch_logprobs(base, pm, ids, adapter=False)
        top = np.argsort(-plain)[:10]
        assert float(np.abs(lm.model.next_token_logprobs(ids)[top] - plain[top]).max()) <= TOL
    finally:
        models.unload(lm)


def test_an_adapter_for_another_model_is_refused_with_a_sentence(peft_model, installed_default_model, termlens_home):
    needs_llama()
    base, pm, cfg = peft_model
    _save("other", base, pm, cfg)
    meta_file = termlens_home / "adapters" / "other" / adapters.META_FILE
    meta = json.loads(meta_file.read_text())
    meta["base_fingerprint"] = "0" * 16
    meta_file.write_text(json.dumps(meta))
    lm = engines.load(installed_default_model, device="cpu")
    try:
        with pytest.raises(AdapterError, match="was made for .* not for the loaded model"):
            adapters.apply_adapter(lm, "other")
        assert lm.adapter is None
    finally:
        models.unload(lm)


def test_export_for_vllm_is_the_peft_layout(peft_model, tmp_path, termlens_home):
    from safetensors import safe_open

    base, pm, cfg = peft_model
    _save("contracts", base, pm, cfg)
    out = gguf_lora.export_for_server("contracts", tmp_path / "export", base_model="Qwen2.5-7B-Instruct")
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA" and config["r"] == 8 and config["base_model_name_or_path"] == "Qwen2.5-7B-Instruct"
    assert sorted(config["target_modules"]) == ["k_proj", "o_proj", "q_proj", "v_proj"]
    with safe_open(str(out / "adapter_model.safetensors"), framework="np") as f:
        keys = list(f.keys())
    # vLLM's LoRA loader: base_model.model.<module>.lora_A.weight / lora_B.weight
    assert keys and all(k.startswith("base_model.model.model.layers.") and
                        k.endswith((".lora_A.weight", ".lora_B.weight")) for k in keys)
    with pytest.raises(Exception, match="not empty"):
        gguf_lora.export_for_server("contracts", out)
