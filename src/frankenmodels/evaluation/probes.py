"""Binary self-report probes: the next-token distribution after a yes/no question.

A probe is scored on the first answer token only, the distribution greedy generation would
start from (same prompt formatting, left padding and positions as ``generate()``, through the
KV cache). Three tidy tables per experiment (column names are the lab's contract):

- ``tokens``: the logit and full-softmax probability of every answer word variant;
- ``answers``: P(yes), P(no) and P(yes) / (P(yes) + P(no)) per probe;
- ``top``: the ``top_k`` most likely next tokens, to see what a damaged model says instead.

P(yes) sums only the plain Yes/yes/YES variants (with and without a leading space) and P(no)
only No/no/NO, as the seed did, so the numbers stay comparable with it. Synonyms (Yeah, Nope,
Correct, ...) and hedges (Maybe, Fine, ...) are polarity "other": kept in the token table for
analysis, never summed, since which of them count as "yes" would be a judgement call.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from scipy.special import expit

from frankenmodels.batching import pad_id
from frankenmodels.evaluation.probe_set import GROUPS, PROBES, Probe
from frankenmodels.evaluation.prompting import encode_prompts, left_padded

__all__ = [
    "ANSWER_WORDS",
    "GROUPS",
    "PROBES",
    "Probe",
    "answer_tokens",
    "probe_groups",
    "score_probes",
]

_PLAIN = {"yes": ("Yes", "yes", "YES"), "no": ("No", "no", "NO")}
_OTHER = (
    "Yeah", "Yep", "Sure", "Absolutely", "Correct", "True",
    "Nah", "Nope", "Never", "Incorrect", "False", "Wrong",
    "Maybe", "Normal", "Fine", "Okay", "Not", "I",
)  # fmt: skip

# (word, polarity): yes/no first, so an uncased tokenizer's shared id keeps the plain word.
ANSWER_WORDS: tuple[tuple[str, str], ...] = (
    *((prefix + word, polarity) for polarity, words in _PLAIN.items()
      for word in words for prefix in ("", " ")),
    *((prefix + word, "other") for word in _OTHER for prefix in ("", " ")),
)  # fmt: skip

_MODES = {"quick": ("self_blind", "control"), "full": GROUPS}


def probe_groups(mode: str) -> tuple[str, ...]:
    """The probe groups a lab mode runs: quick skips the informed self-report variants."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {tuple(_MODES)}, not {mode!r}")
    return _MODES[mode]


def answer_tokens(tokenizer) -> pd.DataFrame:
    """The answer words this tokenizer writes as exactly one token (token, token_id, polarity).

    A word split into several tokens cannot be scored from one next-token distribution, and
    one that becomes the unknown token is not that word; both are left out. Words sharing an
    id (an uncased tokenizer's Yes and yes, a WordPiece tokenizer's " yes") keep the first.
    """
    unknown = getattr(tokenizer, "unk_token_id", None)
    rows, seen = [], set()
    for word, polarity in ANSWER_WORDS:
        ids = tokenizer.encode(word, add_special_tokens=False)
        if len(ids) != 1 or ids[0] == unknown or ids[0] in seen:
            continue
        seen.add(ids[0])
        rows.append((word, int(ids[0]), polarity))
    table = pd.DataFrame(rows, columns=["token", "token_id", "polarity"])
    for polarity in ("yes", "no"):
        if not (table["polarity"] == polarity).any():
            words = [w for w, p in ANSWER_WORDS if p == polarity]
            raise ValueError(
                f"no {polarity}-polarity answer word is a single token for this tokenizer "
                f"(tried {words}); P({polarity}) cannot be read from one next-token step"
            )
    return table


@torch.inference_mode()
def score_probes(
    model,
    tokenizer,
    probes: Sequence[Probe],
    *,
    experiment: str,
    batch_size: int = 16,
    top_k: int = 20,
    chat: bool | None = None,
) -> dict[str, pd.DataFrame]:
    """The ``tokens``, ``answers`` and ``top`` tables of ``probes`` on ``model``.

    Probabilities are a float32 softmax over the model's whole output vocabulary (computed as
    exp(log_softmax), so tiny ones do not underflow to a wrong zero early). p_yes_norm is
    computed from log-sums, so it is defined even where P(yes) and P(no) are both ~0.
    Top tokens are written as ``tokenizer.decode([id])`` (leading space and all: " Yes"),
    more readable than ``convert_ids_to_tokens`` ("ĠYes"); special tokens are kept.
    """
    probes = list(probes)
    if not probes:
        raise ValueError("score_probes needs at least one probe")
    answers = answer_tokens(tokenizer)
    device = next(model.parameters()).device
    answer_ids = torch.tensor(answers["token_id"].to_numpy(), device=device)
    is_yes = torch.tensor((answers["polarity"] == "yes").to_numpy(), device=device)
    is_no = torch.tensor((answers["polarity"] == "no").to_numpy(), device=device)
    encoded = encode_prompts(tokenizer, [probe.text for probe in probes], chat=chat)
    pad = pad_id(tokenizer)
    # Only the last position's logits are needed; the vocabulary projection of every other
    # position would cost more than a small model's layers (generate() skips it the same way).
    takes = "logits_to_keep" in inspect.signature(model.forward).parameters
    last_only = {"logits_to_keep": 1} if takes else {}

    logits_out, logp_out, lse_out, top_logp, top_ids = [], [], [], [], []
    for start in range(0, len(probes), batch_size):
        batch = left_padded(encoded[start : start + batch_size], pad)
        batch = {name: tensor.to(device) for name, tensor in batch.items()}
        logits = model(**batch, **last_only, use_cache=True).logits[:, -1, :].float()
        log_probs = torch.log_softmax(logits, dim=-1)
        chosen = log_probs[:, answer_ids]
        logits_out.append(logits[:, answer_ids].cpu())
        logp_out.append(chosen.cpu())
        lse_out.append(
            torch.stack(
                [
                    chosen.masked_fill(~is_yes, -torch.inf).logsumexp(-1),
                    chosen.masked_fill(~is_no, -torch.inf).logsumexp(-1),
                ],
                dim=-1,
            ).cpu()
        )
        best = torch.topk(log_probs, k=min(top_k, log_probs.shape[-1]), dim=-1)
        top_logp.append(best.values.cpu())
        top_ids.append(best.indices.cpu())

    return {
        "tokens": _tokens_table(experiment, probes, answers, logits_out, logp_out),
        "answers": _answers_table(experiment, probes, torch.cat(lse_out).double().numpy()),
        "top": _top_table(experiment, probes, tokenizer, top_logp, top_ids),
    }


def _probe_columns(experiment: str, probes: Sequence[Probe], repeat: int) -> dict[str, object]:
    return {
        "experiment": experiment,
        "probe": np.repeat([p.id for p in probes], repeat),
        "group": np.repeat([p.group for p in probes], repeat),
    }


def _tokens_table(experiment, probes, answers, logits_out, logp_out) -> pd.DataFrame:
    n = len(answers)
    return pd.DataFrame(
        {
            **_probe_columns(experiment, probes, n),
            "token": np.tile(answers["token"].to_numpy(), len(probes)),
            "token_id": np.tile(answers["token_id"].to_numpy(), len(probes)),
            "polarity": np.tile(answers["polarity"].to_numpy(), len(probes)),
            "logit": torch.cat(logits_out).reshape(-1).double().numpy(),
            "prob": torch.cat(logp_out).reshape(-1).double().exp().numpy(),
        }
    )


def _answers_table(experiment, probes, log_sums: np.ndarray) -> pd.DataFrame:
    log_yes, log_no = log_sums[:, 0], log_sums[:, 1]
    return pd.DataFrame(
        {
            **_probe_columns(experiment, probes, 1),
            "expected": [p.expected for p in probes],
            "p_yes": np.exp(log_yes),
            "p_no": np.exp(log_no),
            "p_yes_norm": expit(log_yes - log_no),  # P(yes | yes or no), no 0/0
        }
    )


def _top_table(experiment, probes, tokenizer, top_logp, top_ids) -> pd.DataFrame:
    ids = torch.cat(top_ids)
    k = ids.shape[1]
    flat = ids.reshape(-1).tolist()
    return pd.DataFrame(
        {
            "experiment": experiment,
            "probe": np.repeat([p.id for p in probes], k),
            "rank": np.tile(np.arange(1, k + 1), len(probes)),
            "token_id": flat,
            "token": [tokenizer.decode([i]) for i in flat],
            "prob": torch.cat(top_logp).reshape(-1).double().exp().numpy(),
        }
    )
