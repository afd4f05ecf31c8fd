"""LaTeX building blocks: escaping, number formatting and macro names.

Every formatter returns LaTeX that is valid in text *and* math mode (a minus sign is
`\\ensuremath{-}`), and writes a missing value (None or NaN) as "n/a" rather than failing,
so one absent statistic does not take the whole paper down with it.
"""

from __future__ import annotations

import math
import re
from typing import Any

NA = "n/a"
MINUS = r"\ensuremath{-}"

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ESCAPE_RE = re.compile("|".join(re.escape(ch) for ch in _ESCAPES))

_ONES = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
]
_TENS = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]


def escape(text: Any) -> str:
    """Escape the ten LaTeX special characters so `text` typesets literally."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], str(text))


def number_word(n: int) -> str:
    """12 -> "Twelve", 47 -> "FortySeven"; past 99, digit by digit (107 -> "OneZeroSeven")."""
    if n < 0:
        raise ValueError(f"number_word needs a non-negative integer, got {n}")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (_ONES[ones] if ones else "")
    return "".join(_ONES[int(d)] for d in str(n))


def macro_name(*parts: Any) -> str:
    """Join parts into a letters-only macro name: ("focus", "f1_weighted") -> "FocusFOneWeighted".

    Each run of letters is capitalised (the rest of the run is kept, so "TP" stays "TP"),
    each run of digits becomes its English word, and everything else separates words.
    """
    words: list[str] = []
    for part in parts:
        for token in re.findall(r"[A-Za-z]+|[0-9]+", str(part)):
            words.append(
                number_word(int(token)) if token.isdigit() else token[0].upper() + token[1:]
            )
    name = "".join(words)
    if not name:
        raise ValueError(f"no letters or digits to build a macro name from {parts!r}")
    return name


def is_missing(x: Any) -> bool:
    """None, NaN and pandas' NA (whose comparisons raise rather than answer)."""
    if x is None:
        return True
    try:
        return bool(x != x)
    except TypeError:
        return True


def _signed_text(text: str, negative: bool, signed: bool) -> str:
    # A value that rounds to zero gets no sign: "+0.00" would claim a direction it lacks.
    if set(text) <= set("0.,"):
        return text
    if negative:
        return MINUS + text
    return "+" + text if signed else text


def fmt_fixed(x: Any, digits: int = 4, *, signed: bool = False) -> str:
    """Fixed decimals: 0.92314 -> "0.9231"; signed=True adds "+" to positive values."""
    if is_missing(x):
        return NA
    x = float(x)
    return _signed_text(f"{abs(x):.{digits}f}", x < 0, signed)


def fmt_signed(x: Any, digits: int = 4) -> str:
    return fmt_fixed(x, digits, signed=True)


def fmt_pp(x: Any, digits: int = 2, *, signed: bool = True) -> str:
    """A difference of proportions in percentage points: 0.0056 -> "+0.56"."""
    return NA if is_missing(x) else fmt_fixed(100.0 * float(x), digits, signed=signed)


def pp_sign(x: Any, digits: int = 2) -> int:
    """Sign of a difference as fmt_pp prints it, so that prose never says "raises" next to
    a printed 0.00: -1, 0 or +1."""
    shown = round(100.0 * float(x), digits)
    return (shown > 0) - (shown < 0)


def fmt_pct_change(new: Any, old: Any, digits: int = 1) -> str:
    """Relative change in percent, signed: (117.1, 109.5) -> "+6.9"."""
    return fmt_signed(pct_change(new, old), digits)


def pct_change(new: Any, old: Any) -> float:
    if is_missing(new) or is_missing(old) or float(old) == 0.0:
        return float("nan")
    return 100.0 * (float(new) - float(old)) / float(old)


def fmt_p(p: Any, digits: int = 3) -> str:
    """A p-value: 0.0397 -> "0.040"; anything below 10^-digits -> "<0.001"."""
    if is_missing(p):
        return NA
    p = float(p)
    floor = 10.0**-digits
    if p < floor:
        return rf"\ensuremath{{<}}{floor:.{digits}f}"
    return f"{p:.{digits}f}"


def fmt_p_stmt(p: Any, digits: int = 3) -> str:
    """A p-value as a statement for prose: "$p=0.040$" or "$p<0.001$" (never "p = <0.001")."""
    if is_missing(p):
        return r"\ensuremath{p}~n/a"
    floor = 10.0**-digits
    if float(p) < floor:
        return rf"\ensuremath{{p<{floor:.{digits}f}}}"
    return rf"\ensuremath{{p={float(p):.{digits}f}}}"


def fmt_small(x: Any) -> str:
    """A small positive number with three significant digits: 0.125, 0.00195, 6.1e-05 -> 10^."""
    if is_missing(x):
        return NA
    x = float(x)
    return f"{x:.3g}" if x >= 1e-4 else fmt_sci(x)


def fmt_int(n: Any) -> str:
    """An integer with thousands separators: 67349 -> "67,349"."""
    if is_missing(n):
        return NA
    return f"{round(float(n)):,}".replace(",", "{,}")


def fmt_sci(x: Any) -> str:
    """A small positive number in scientific notation: 2e-05 -> "$2\\times10^{-5}$"."""
    if is_missing(x):
        return NA
    x = float(x)
    if x == 0:
        return "0"
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10.0**exponent
    if -2 <= exponent <= 3:
        return f"{x:g}".replace("-", MINUS)
    mant = f"{mantissa:.2f}".rstrip("0").rstrip(".")
    mant_tex = "" if mant == "1" else rf"{mant}\times"
    return rf"\ensuremath{{{mant_tex}10^{{{exponent}}}}}"


def fmt_duration(seconds: Any) -> str:
    """Wall time with a unit that suits its size: 42 -> "42\\,s", 1260 -> "21.0\\,min"."""
    if is_missing(seconds):
        return NA
    s = float(seconds)
    if s < 120:
        return rf"{s:.0f}\,s"
    if s < 7200:
        return rf"{s / 60:.1f}\,min"
    return rf"{s / 3600:.1f}\,h"


def fmt_int_list(values: list[int]) -> str:
    """Seeds 42..50 -> "42--50"; a list with gaps is written out: "1, 3, 7"."""
    vals = sorted(int(v) for v in values)
    if not vals:
        return NA
    if len(vals) > 2 and vals == list(range(vals[0], vals[-1] + 1)):
        return f"{vals[0]}--{vals[-1]}"
    return ", ".join(str(v) for v in vals)


def jsonable(x: Any) -> Any:
    """NaN is not JSON; numpy scalars are not JSON-serialisable: normalise both."""
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x
