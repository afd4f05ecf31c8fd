"""The study's four text sets, and the summarisation slice, read once by the data rules.

Language texts (LM fine-tuning, perplexity) and labelled texts (classification training and
test) are cleaned, deduplicated and sent to the role their salted hash bucket names
(:mod:`.partitions`); a language text may only serve a language role and a labelled text only a
classification role. As the bucket depends on the text alone, one text can never land in two
roles, whether the two corpora are one file (offline IMDb) or two. Each role then keeps the
texts with the smallest seeded hashes, so the sets do not depend on how the files are sorted.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pandas as pd

from frankenmodels.compress.partitions import ROLES, check_fractions, role_of, text_key
from frankenmodels.data import DataError, canonicalise, read_table
from frankenmodels.lab.corpus import check_token_budget, clean, raw_texts, select_documents

PURPOSES = {"lm_train": "language", "perplexity": "language"}
PURPOSES.update(cls_train="classification", cls_test="classification")
COUNTS = {
    "lm_train": ("lm_training", "texts"),
    "perplexity": ("perplexity", "documents"),
    "cls_train": ("classification", "train_examples"),
    "cls_test": ("classification", "test_examples"),
}


def _clean(text: str) -> str:
    """``lab.corpus.clean`` until nothing changes, so cleaning again (select_documents does)
    returns the very same string."""
    while (cleaned := clean(text)) != text:
        text = cleaned
    return text


@contextlib.contextmanager
def _hub(purpose: str, spec: dict[str, Any]):
    """A hub that cannot be reached fails the job with the config key to change."""
    try:
        yield
    except DataError:
        raise
    except Exception as error:  # the hub raises many kinds; all mean the same to the user
        raise DataError(
            f"compress.data.{purpose}: hub {spec['hub']['path']} could not be loaded "
            f"({type(error).__name__}: {error}); without internet, set "
            f"compress.data.{purpose}.source: local"
        ) from error


def language_texts(language: dict[str, Any]) -> list[str]:
    """The language corpus's distinct, non-empty cleaned texts."""
    with _hub("language", language) if language["source"] == "hub" else contextlib.nullcontext():
        texts = raw_texts(language)
    return sorted({t for t in map(_clean, texts) if t})


def labelled_texts(classification: dict[str, Any]) -> pd.DataFrame:
    """``text``/``label`` rows of the classification corpus, cleaned, one row per distinct
    text; a text seen with two different labels is dropped rather than given either."""
    source = classification["source"]
    spec = classification[source]
    if source == "local":
        frame, origin = read_table(spec["path"]), spec["path"]
    elif source == "hub":
        import datasets  # only the hub path needs it

        origin = f"hub {spec['path']}/{spec.get('name') or ''} split {spec['split']}"
        with _hub("classification", classification):
            loaded = datasets.load_dataset(spec["path"], spec.get("name"), split=spec["split"])
        frame = loaded.to_pandas()
    else:
        raise DataError(f"compress.data.classification.source must be local or hub: {source!r}")
    frame = canonicalise(
        frame,
        origin=str(origin),
        text_column=spec["text_column"],
        label_column=spec["label_column"],
        num_labels=2,
        label_map=classification.get("label_map"),
    )
    frame = frame.assign(text=frame["text"].map(_clean))
    frame = frame[frame["text"] != ""]
    consistent = frame.groupby("text")["label"].transform("nunique") == 1
    return frame[consistent].drop_duplicates("text").reset_index(drop=True)


def _select(role: str, pool: list[str], cfg: dict[str, Any]) -> list[str]:
    """The role's texts with the smallest hashes (salted by role), or a DataError saying
    which key to change."""
    section, key = COUNTS[role]
    wanted = cfg[section][key]
    minimum = cfg["perplexity"]["min_characters"] if role == "perplexity" else 0
    eligible = [t for t in pool if len(t) >= minimum]
    if len(eligible) < wanted:
        longer, also = "", ""
        if minimum:
            longer = f" of at least {minimum} characters"
            also = " (or compress.perplexity.min_characters)"
        share = f"compress.data.fractions.{role}"
        raise DataError(
            f"compress.{section}.{key}: {wanted} texts requested, but only {len(eligible)} "
            f"texts{longer} of the {PURPOSES[role]} corpus fall in the {role} share ({share} = "
            f"{cfg['data']['fractions'].get(role, 0)}); lower compress.{section}.{key}{also}, "
            f"raise {share} or use a larger corpus"
        )
    salt = f"{cfg['data']['salt']}/{role}"
    return select_documents(eligible, documents=wanted, min_characters=minimum, seed=salt)


def _check_labels(role: str, table: pd.DataFrame) -> None:
    labels = sorted(set(table["label"]))
    if len(labels) < 2:
        section, key = COUNTS[role]
        raise DataError(
            f"compress.{section}.{key}: every {role} example has label {labels}; a classifier "
            "needs both labels (check compress.data.classification.label_column and label_map)"
        )


def overlap(tables: dict[str, pd.DataFrame]) -> int:
    """How many texts (or doc ids) appear in more than one role."""
    seen = pd.concat(
        [t[["doc", "text"]].drop_duplicates().assign(role=r) for r, t in tables.items()]
    )
    shared = {c: seen.groupby(c)["role"].nunique() for c in ("text", "doc")}
    return int(max((counts > 1).sum() for counts in shared.values()))


def check_disjoint(tables: dict[str, pd.DataFrame]) -> None:
    """Raise where any text or doc id serves two roles (training on what is tested)."""
    shared = overlap(tables)
    if shared:
        raise DataError(f"{shared} texts appear in more than one of {sorted(tables)}")


def build_data(cfg: dict[str, Any], tokenizer) -> tuple[dict[str, pd.DataFrame], dict]:
    """The four tables (``doc``, ``text``, + ``label`` for cls_*) and ``partitions.json``."""
    data = cfg["data"]
    salt, fractions = data["salt"], data["fractions"]
    check_fractions(fractions)
    labels = labelled_texts(data["classification"]).set_index("text")["label"]
    corpora = {"language": language_texts(data["language"]), "classification": list(labels.index)}
    pools: dict[str, list[str]] = {role: [] for role in ROLES}
    for purpose, texts in corpora.items():
        for text in texts:
            role = role_of(text, fractions, salt)
            if role is not None and PURPOSES[role] == purpose:
                pools[role].append(text)
    tables = {}
    for role in ROLES:
        texts = _select(role, pools[role], cfg)
        table = pd.DataFrame({"doc": [text_key(t) for t in texts], "text": texts})
        if PURPOSES[role] == "classification":
            table["label"] = labels.loc[texts].to_numpy().astype("int64")
            _check_labels(role, table)
        tables[role] = table
    check_disjoint(tables)
    ppl = cfg["perplexity"]
    try:
        scored = check_token_budget(
            tokenizer,
            tables["perplexity"]["text"].tolist(),
            max_tokens=ppl["max_tokens"],
            window=ppl["window"],
            stride=ppl["stride"],
            minimum=ppl["min_total_tokens"],
        )
    except ValueError as error:  # its message names the lab's keys; these are the study's
        raise DataError(str(error).replace("lab.perplexity", "compress.perplexity")) from error
    info = {
        "salt": salt,
        "fractions": dict(fractions),
        "counts": {role: len(table) for role, table in tables.items()},
        "candidates": {role: len(pool) for role, pool in pools.items()},
        "texts": {purpose: len(texts) for purpose, texts in corpora.items()},
        "sources": {p: data[p].get("name", data[p]["source"]) for p in corpora},
        "perplexity_tokens": scored,
        "overlap": overlap(tables),
    }
    return tables, info


SUMMARY_COLUMNS = ["doc", "article", "reference"]


def load_summaries(summarisation: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The first ``articles`` rows of the summarisation split (``doc``, ``article``,
    ``reference``) and ``summaries.json``. Without a source, or where the hub cannot be
    reached, the table is empty and the info says why: ROUGE-L is then skipped, never faked."""
    hub, count = summarisation.get("hub") or {}, summarisation["articles"]
    name = summarisation.get("name") or hub.get("path") or "summarisation data"
    empty = pd.DataFrame({column: pd.Series(dtype=str) for column in SUMMARY_COLUMNS})

    def unavailable(reason: str) -> tuple[pd.DataFrame, dict[str, Any]]:
        return empty, {"available": False, "reason": reason, "name": name, "articles": 0}

    if summarisation["source"] == "none":
        return unavailable(
            "no summarisation data: compress.summarisation.source is none (offline config)"
        )
    try:
        import datasets  # only the hub path needs it

        split = f"{hub['split']}[:{count}]"  # a fixed slice: the split's first rows
        frame = datasets.load_dataset(hub["path"], hub.get("name"), split=split).to_pandas()
    except Exception as error:  # offline, gated, renamed: all mean "not here", none is fatal
        message = (str(error).strip().splitlines() or [""])[0][:300]
        return unavailable(
            f"{name} could not be loaded ({type(error).__name__}: {message}); run the "
            "compress_summaries_data rule on a machine with internet to score ROUGE-L"
        )
    columns = {"article": hub["text_column"], "reference": hub["summary_column"]}
    missing = [c for c in columns.values() if c not in frame.columns]
    if missing:
        raise DataError(
            f"compress.summarisation.hub: column {missing[0]!r} not in {list(frame.columns)}; "
            "set text_column and summary_column"
        )
    table = pd.DataFrame({key: frame[c].astype(str) for key, c in columns.items()})
    table.insert(0, "doc", table["article"].map(text_key))
    info = {"available": True, "reason": None, "name": name, "articles": len(table)}
    return table.reset_index(drop=True), info
