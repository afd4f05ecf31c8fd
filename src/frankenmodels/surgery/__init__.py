"""Layer surgery: plans as data, executed on BERT-like, GPT-2 and Llama-style models.

Quick use::

    from frankenmodels.surgery import Plan, apply_plan, count_parameters
    plan = Plan.duplicate(num_layers=12, layer=6)      # 0 1 2 3 4 5 6 6 7 8 9 10 11
    new = apply_plan(model, plan)                       # shared weights; `model` unchanged
    unique, effective = count_parameters(new)

See docs/surgery.md for every operation, the memory modes and the command line.
"""

from typing import TYPE_CHECKING

from frankenmodels.lazy import lazy_attributes

# Plans are plain data; only executing them needs torch. The torch-backed names are loaded on
# first use, so planning variants (the Snakefile does it while building the DAG) stays fast
# and works in environments without torch.
from .mergekit import from_mergekit, to_mergekit
from .plan import LayerSource, Plan, PlanError
from .planfile import dump_plan, load_plan, read_plan
from .sweeps import Variant, expand, expand_variants, plan_from_spec, variant_family

_LAZY = {
    "apply_plan": ".apply",
    "LayerStack": ".families",
    "UnsupportedModelError": ".families",
    "find_layer_stack": ".families",
    "count_parameters": ".params",
    "materialize": ".save",
    "save_model": ".save",
}

if TYPE_CHECKING:
    from .apply import apply_plan
    from .families import LayerStack, UnsupportedModelError, find_layer_stack
    from .params import count_parameters
    from .save import materialize, save_model

__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "LayerSource",
    "LayerStack",
    "Plan",
    "PlanError",
    "UnsupportedModelError",
    "Variant",
    "apply_plan",
    "count_parameters",
    "dump_plan",
    "expand",
    "expand_variants",
    "find_layer_stack",
    "from_mergekit",
    "load_plan",
    "materialize",
    "plan_from_spec",
    "read_plan",
    "save_model",
    "to_mergekit",
    "variant_family",
]
