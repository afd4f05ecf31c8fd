"""A layer plan as plain data: which source layer sits at each position of the new stack.

A plan never touches a model. It is an ordered tuple of :class:`LayerSource` entries; the
code in :mod:`frankenmodels.surgery.apply` executes it. Ranges are half-open everywhere
(``start`` included, ``end`` excluded), like Python slices and mergekit's ``layer_range``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["block", "ffn"]
MODELS = ("base", "donor")
SCOPES = ("block", "ffn")
SKIP_PATTERNS = ("every_n", "even", "odd", "first_half", "second_half")


class PlanError(ValueError):
    """An invalid plan or plan specification; the message is one line naming the culprit."""


@dataclass(frozen=True)
class LayerSource:
    """One position of the new stack.

    ``index`` is the source layer: its weights (or, for an averaged group, the weights that
    are not averaged) and its per-layer config entries (e.g. ``layer_types``) are used.
    ``average`` lists the layers whose weights are averaged into this position; empty means
    a plain copy or reuse of ``index``. ``scope`` says which weights are averaged:
    ``"block"`` (the whole layer) or ``"ffn"`` (only the feed-forward sublayer).
    """

    index: int
    model: str = "base"
    average: tuple[int, ...] = ()
    scope: Scope = "block"

    def __post_init__(self) -> None:
        # One canonical form per meaning, so equal plans compare equal and text round-trips:
        # a plain source has no scope, a whole-block average is named by its first layer.
        object.__setattr__(self, "average", tuple(self.average))
        if not self.average:
            object.__setattr__(self, "scope", "block")
        elif self.scope == "block":
            object.__setattr__(self, "index", self.average[0])

    @property
    def is_averaged(self) -> bool:
        return len(self.average) > 0

    def to_token(self) -> str:
        """Short text form used in ``Plan.layers_string``: ``3``, ``donor:3``, ``avg(2,3)``."""
        prefix = "" if self.model == "base" else f"{self.model}:"
        if not self.is_averaged:
            return f"{prefix}{self.index}"
        group = ",".join(str(i) for i in self.average)
        if self.scope == "block":
            return f"{prefix}avg({group})"
        return f"{prefix}{self.index}+ffn({group})"

    def to_data(self) -> int | dict[str, Any]:
        """YAML/JSON form: a bare int for the common case, a mapping otherwise."""
        if self.model == "base" and not self.is_averaged:
            return self.index
        data: dict[str, Any] = {"layer": self.index}
        if self.model != "base":
            data["model"] = self.model
        if self.is_averaged:
            data["average"] = list(self.average)
            data["scope"] = self.scope
        return data

    @classmethod
    def from_data(cls, data: Any, where: str = "layer") -> LayerSource:
        if _is_int(data):
            return cls(index=int(data))
        if not isinstance(data, dict):
            raise PlanError(f"{where}: expected an int or a mapping, got {data!r}")
        unknown = set(data) - {"layer", "model", "average", "scope"}
        if unknown:
            raise PlanError(f"{where}: unknown key(s) {sorted(unknown)}")
        average = tuple(_int_list(data.get("average", []), f"{where}.average"))
        if "layer" in data:
            index = _int(data["layer"], f"{where}.layer")
        elif average:
            index = average[0]
        else:
            raise PlanError(f"{where}: needs 'layer' or 'average'")
        scope = data.get("scope", "block")
        source = cls(
            index=index, model=str(data.get("model", "base")), average=average, scope=scope
        )
        source.check_form(where)
        return source

    def check_form(self, where: str) -> None:
        """Checks that need no model: known model role and scope, a sane group."""
        if self.model not in MODELS:
            raise PlanError(f"{where}: model must be one of {MODELS}, got {self.model!r}")
        if self.scope not in SCOPES:
            raise PlanError(f"{where}: scope must be one of {SCOPES}, got {self.scope!r}")
        if self.index < 0 or any(i < 0 for i in self.average):
            raise PlanError(f"{where}: negative layer index in {self.to_token()}")
        if self.is_averaged and len(self.average) < 2:
            raise PlanError(f"{where}: an averaged group needs at least 2 layers")
        if self.is_averaged and len(set(self.average)) != len(self.average):
            raise PlanError(f"{where}: repeated layer in averaged group {list(self.average)}")
        if self.is_averaged and self.scope == "ffn" and self.index not in self.average:
            # Keeping attention from a layer outside the group is legal but almost surely a typo.
            raise PlanError(f"{where}: ffn-averaged layer {self.index} is not in its group")


_TOKEN = re.compile(
    r"^(?:(?P<model>base|donor):)?"
    r"(?:avg\((?P<blk>[\d,]+)\)|(?P<idx>\d+)(?:\+ffn\((?P<ffn>[\d,]+)\))?)$"
)


def _parse_token(token: str) -> LayerSource:
    match = _TOKEN.match(token)
    if match is None:
        raise PlanError(f"cannot read layer token {token!r}")
    model = match["model"] or "base"
    if match["blk"]:
        group = tuple(int(x) for x in match["blk"].split(","))
        return LayerSource(index=group[0], model=model, average=group, scope="block")
    if match["ffn"]:
        group = tuple(int(x) for x in match["ffn"].split(","))
        return LayerSource(index=int(match["idx"]), model=model, average=group, scope="ffn")
    return LayerSource(index=int(match["idx"]), model=model)


@dataclass(frozen=True)
class Plan:
    """An ordered list of layer sources; build one with the named constructors below."""

    sources: tuple[LayerSource, ...]
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if len(self.sources) == 0:
            raise PlanError("empty plan: the new stack would have no layers")
        for position, source in enumerate(self.sources):
            source.check_form(f"position {position}")

    def __repr__(self) -> str:
        return f"Plan({self.layers_string()!r})"

    # ----- views -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.sources)

    @property
    def depth(self) -> int:
        return len(self.sources)

    @property
    def uses_donor(self) -> bool:
        return any(s.model == "donor" for s in self.sources)

    @property
    def has_averages(self) -> bool:
        return any(s.is_averaged for s in self.sources)

    def layers_string(self) -> str:
        """Space separated tokens, e.g. ``"0 1 2 2 3"``; round-trips via ``from_string``."""
        return " ".join(s.to_token() for s in self.sources)

    def is_identity(self, num_layers: int) -> bool:
        return self.sources == tuple(LayerSource(i) for i in range(num_layers))

    def referenced(self, model: str) -> set[int]:
        """Every layer index of ``model`` that the plan reads."""
        out: set[int] = set()
        for s in self.sources:
            if s.model == model:
                out.add(s.index)
                out.update(s.average)
        return out

    def validate(
        self, num_layers: int, donor_layers: int | None = None, check_donor: bool = True
    ) -> None:
        """Raise PlanError if an index is out of range or a donor is needed but missing.

        ``check_donor=False`` checks base indices only: for plans read before the donor is
        loaded (apply_plan checks the donor's indices).
        """
        roles = [("base", num_layers)] + ([("donor", donor_layers)] if check_donor else [])
        for role, count in roles:
            used = self.referenced(role)
            if not used:
                continue
            if count is None:
                raise PlanError(f"the plan uses donor layers {sorted(used)} but no donor was given")
            bad = sorted(i for i in used if i >= count)
            if bad:
                raise PlanError(
                    f"{role} layer index {bad[0]} out of range: the {role} model has "
                    f"{count} layers (valid 0..{count - 1})"
                )

    # ----- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"layers": [s.to_data() for s in self.sources]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        if not isinstance(data, dict) or "layers" not in data:
            raise PlanError("a plan mapping needs a 'layers' list")
        layers = data["layers"]
        if isinstance(layers, str):
            return cls.from_string(layers)
        if not isinstance(layers, list):
            raise PlanError("'layers' must be a list or a space separated string")
        return cls(tuple(LayerSource.from_data(x, f"layers[{i}]") for i, x in enumerate(layers)))

    @classmethod
    def from_string(cls, text: str) -> Plan:
        return cls(tuple(_parse_token(t) for t in text.split()))

    # ----- named constructors ----------------------------------------------------------------
    @classmethod
    def from_indices(cls, indices: Iterable[int], description: str = "") -> Plan:
        return cls(tuple(LayerSource(int(i)) for i in indices), description)

    @classmethod
    def identity(cls, num_layers: int) -> Plan:
        return cls.from_indices(range(_positive(num_layers, "num_layers")), "identity")

    @classmethod
    def duplicate(cls, num_layers: int, layer: int) -> Plan:
        """Layer ``layer`` runs twice in a row (inserted again right after itself)."""
        return cls.repeat(num_layers, layer, 2)

    @classmethod
    def repeat(cls, num_layers: int, layer: int, count: int) -> Plan:
        """Layer ``layer`` runs ``count`` times in a row (count 1 is the identity)."""
        _check_index(layer, num_layers, "layer")
        if not _is_int(count) or count < 1:
            raise PlanError(f"repeat count must be an int >= 1, got {count!r}")
        seq = [i for i in range(num_layers) for _ in range(count if i == layer else 1)]
        return cls.from_indices(seq, f"repeat layer {layer} x{count}")

    @classmethod
    def delete(cls, num_layers: int, layers: Iterable[int]) -> Plan:
        gone = set(_check_indices(layers, num_layers, "layers"))
        return cls.from_indices([i for i in range(num_layers) if i not in gone], "delete")

    @classmethod
    def delete_window(cls, num_layers: int, start: int, end: int) -> Plan:
        """Delete the half-open window ``[start, end)``."""
        _check_range(start, end, num_layers)
        return cls.delete(num_layers, range(start, end))

    @classmethod
    def keep_only(cls, num_layers: int, layers: Iterable[int]) -> Plan:
        """Keep exactly these layers, in the order given (repeats allowed)."""
        return cls.from_indices(_check_indices(layers, num_layers, "layers"), "keep only")

    @classmethod
    def reverse(cls, num_layers: int, start: int, end: int) -> Plan:
        """Reverse the order of layers in ``[start, end)``."""
        _check_range(start, end, num_layers)
        seq = list(range(num_layers))
        seq[start:end] = seq[start:end][::-1]
        return cls.from_indices(seq, f"reverse {start}..{end}")

    @classmethod
    def skip(cls, num_layers: int, pattern: str, n: int = 2, offset: int = 0) -> Plan:
        """Keep a regular subset: ``every_n`` (i % n == offset), even, odd, first/second half.

        Halves split at ``num_layers // 2``: the first half is ``[0, L//2)``.
        """
        _positive(num_layers, "num_layers")
        half = num_layers // 2
        if pattern == "every_n":
            if not _is_int(n) or n < 1:
                raise PlanError(f"skip every_n needs n >= 1, got {n!r}")
            if not _is_int(offset) or not 0 <= offset < n:
                raise PlanError(f"skip every_n offset must be in [0, {n}), got {offset!r}")
            keep = [i for i in range(num_layers) if i % n == offset]
        elif pattern == "even":
            keep = list(range(0, num_layers, 2))
        elif pattern == "odd":
            keep = list(range(1, num_layers, 2))
        elif pattern == "first_half":
            keep = list(range(half))
        elif pattern == "second_half":
            keep = list(range(half, num_layers))
        else:
            raise PlanError(f"unknown skip pattern {pattern!r}; expected one of {SKIP_PATTERNS}")
        return cls.from_indices(keep, f"skip {pattern}")

    @classmethod
    def custom(cls, layers: Sequence[int], num_layers: int | None = None) -> Plan:
        """Any sequence of source layer indices, repeats allowed."""
        if num_layers is not None:
            _check_indices(layers, num_layers, "layers")
        return cls.from_indices([_int(x, "layers") for x in layers], "custom")

    @classmethod
    def merge(cls, num_layers: int, start: int, n: int, scope: Scope = "ffn") -> Plan:
        """Average layers ``[start, start+n)`` and put the average in each of the n places."""
        group = _group(num_layers, start, n)
        seq = [
            LayerSource(i, average=group, scope=scope) if i in group else LayerSource(i)
            for i in range(num_layers)
        ]
        return cls(tuple(seq), f"merge {start}..{start + n} ({scope})")

    @classmethod
    def compress(cls, num_layers: int, start: int, n: int, scope: Scope = "ffn") -> Plan:
        """Replace layers ``[start, start+n)`` by one averaged layer (depth drops by n-1).

        With ``scope="ffn"`` the new layer keeps layer ``start``'s attention.
        """
        group = _group(num_layers, start, n)
        seq = [LayerSource(i) for i in range(start)]
        seq.append(LayerSource(start, average=group, scope=scope))
        seq += [LayerSource(i) for i in range(start + n, num_layers)]
        return cls(tuple(seq), f"compress {start}..{start + n} ({scope})")

    @classmethod
    def splice(cls, segments: Sequence[tuple[str, int, int]]) -> Plan:
        """Cross-model stack from ``(model, start, end)`` half-open segments, in order.

        ``Plan.splice([("donor", 0, 6), ("base", 6, 12)])`` puts the donor's first six layers
        under the base model's last six.
        """
        seq: list[LayerSource] = []
        for k, (model, start, end) in enumerate(segments):
            if not (_is_int(start) and _is_int(end)) or not 0 <= start < end:
                raise PlanError(f"segment {k}: need 0 <= start < end, got [{start}, {end})")
            seq += [LayerSource(i, model=model) for i in range(start, end)]
        return cls(tuple(seq), "splice")


# ----- small checks shared by the constructors -----------------------------------------------
def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _int(x: Any, what: str) -> int:
    if not _is_int(x):
        raise PlanError(f"{what}: expected an int, got {x!r}")
    return int(x)


def _int_list(xs: Any, what: str) -> list[int]:
    if not isinstance(xs, (list, tuple, range)):
        raise PlanError(f"{what}: expected a list of ints, got {xs!r}")
    return [_int(x, what) for x in xs]


def _positive(n: Any, what: str) -> int:
    if not _is_int(n) or n < 1:
        raise PlanError(f"{what} must be an int >= 1, got {n!r}")
    return n


def _check_index(i: Any, num_layers: int, what: str) -> int:
    i = _int(i, what)
    if not 0 <= i < num_layers:
        raise PlanError(
            f"{what} {i} out of range for {num_layers} layers (valid 0..{num_layers - 1})"
        )
    return i


def _check_indices(xs: Any, num_layers: int, what: str) -> list[int]:
    return [_check_index(x, num_layers, what) for x in _int_list(xs, what)]


def _check_range(start: Any, end: Any, num_layers: int) -> None:
    start, end = _int(start, "start"), _int(end, "end")
    if not 0 <= start < end <= num_layers:
        raise PlanError(
            f"range [{start}, {end}) invalid for {num_layers} layers: need 0 <= start < end <= "
            f"{num_layers} (end is exclusive)"
        )


def _group(num_layers: int, start: Any, n: Any) -> tuple[int, ...]:
    if not _is_int(n) or n < 2:
        raise PlanError(f"an averaged group needs n >= 2 layers, got n={n!r}")
    _check_range(start, _int(start, "start") + n, num_layers)
    return tuple(range(start, start + n))
