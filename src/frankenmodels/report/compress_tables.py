"""The merge/compress section's tables, as LaTeX tabular bodies built from the study's summary:
quality per variant, cost per variant, and each variant's greedy continuation of one prompt.

A missing value prints "n/a", a metric the run could not measure (ROUGE-L without
summarisation data) "--", so a reader can tell "not available" from "not computed".
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from frankenmodels.report.latex import escape, fmt_fixed, is_missing

DASH = "--"
SAMPLE_CHARACTERS = 160  # a continuation beyond this is cut: the table is a first look


def _name(variant: str) -> str:
    return r"\texttt{" + escape(variant) + "}"


def _table(columns: str, header: str, lines: list[str]) -> str:
    width = header.count("&") + 1
    body = "\n".join(lines) if lines else rf"\multicolumn{{{width}}}{{c}}{{(none)}} \\"
    return (
        rf"\begin{{tabular}}{{{columns}}}"
        "\n\\toprule\n" + header + " \\\\\n\\midrule\n" + body + "\n\\bottomrule\n\\end{tabular}\n"
    )


def _ms(x) -> str:
    """Milliseconds with three or so significant figures: 0.84, 12.3, 251."""
    if is_missing(x):
        return "n/a"
    x = float(x)
    return fmt_fixed(x, 2 if x < 10 else 1 if x < 100 else 0)


def _iqr(row: pd.Series, stem: str, median: str = "_median") -> str:
    """ "median [p25, p75]" of a stem's columns (a speed-up's median column is the stem itself)."""
    return f"{_ms(row[stem + median])} [{_ms(row[f'{stem}_p25'])}, {_ms(row[f'{stem}_p75'])}]"


def _ppl(x) -> str:
    """A perplexity in the table: two decimals below 100, fewer above (a random model's
    30,000 with its interval would not fit the page)."""
    if is_missing(x):
        return "n/a"
    return fmt_fixed(x, 2 if x < 100 else 1 if x < 1000 else 0)


def quality_table(variants: pd.DataFrame) -> str:
    """Depth, parameters, perplexity before (CI over documents) and after fine-tuning (mean
    over seeds), IMDb accuracy and F1 (means over seeds), ROUGE-L F where measured."""
    lines = []
    for _, row in variants.iterrows():
        low, high = row.perplexity_before_low, row.perplexity_before_high
        ppl = f"{_ppl(row.perplexity_before)} [{_ppl(low)}, {_ppl(high)}]"
        rouge = DASH if is_missing(row.rougeL_f) else fmt_fixed(row.rougeL_f, 3)
        cells = [
            _name(row.variant),
            str(int(row.depth)),
            fmt_fixed(row.params_unique / 1e6, 1),
            ppl,
            _ppl(row.perplexity_after_mean),
            "n/a" if is_missing(row.accuracy_mean) else fmt_fixed(100 * row.accuracy_mean, 1),
            fmt_fixed(row.f1_mean, 3),
            rouge,
        ]
        lines.append(" & ".join(cells) + r" \\")
    header = (
        r"Variant & Depth & Params (M) & PPL before [CI] & PPL after & Acc.\ \% & F1 & "
        r"ROUGE-L"
    )
    return _table("lrrlrrrr", header, lines)


def cost_table(variants: pd.DataFrame) -> str:
    """Forward-pass and per-token latency and both paired speed-ups (median [IQR]), peak
    memory."""
    lines = [
        " & ".join(
            [
                _name(row.variant),
                _iqr(row, "forward_ms"),
                _iqr(row, "token_ms"),
                _iqr(row, "speedup_forward", median=""),
                _iqr(row, "speedup_token", median=""),
                fmt_fixed(row.peak_memory_mb, 0),
            ]
        )
        + r" \\"
        for _, row in variants.iterrows()
    ]
    header = r"Variant & Forward ms & ms/token & Speed-up fwd & Speed-up token & Peak MB"
    return _table("lllrrr", header, lines)


def plain_text(text: str, limit: int = SAMPLE_CHARACTERS) -> str:
    """Model output made safe for pdflatex: whitespace runs to one space, accents decomposed
    to their ASCII letter, any other non-ASCII character shown as "?", cut at ``limit``
    characters with an ellipsis, then escaped."""
    flat = " ".join(str(text).split())
    chars = []
    for ch in flat:
        if ch.isascii():
            chars.append(ch if ch.isprintable() else "?")
        else:
            ascii_part = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            chars.append(ascii_part or "?")
    flat = "".join(chars)
    cut = len(flat) > limit
    return escape(flat[:limit].rstrip()) + (r"\ldots" if cut else "")


def samples_table(samples: pd.DataFrame) -> str:
    """Each variant's greedy continuation of the first prompt."""
    if samples.empty:
        return _table("lp{0.6\\textwidth}", "Variant & Continuation", [])
    prompt = samples["prompt"].iloc[0]
    rows = samples[samples["prompt"] == prompt]
    lines = [
        f"{_name(row.variant)} & {plain_text(row.continuation)} \\\\" for row in rows.itertuples()
    ]
    return _table("lp{0.6\\textwidth}", "Variant & Continuation", lines)
