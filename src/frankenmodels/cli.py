"""Command line: ``python -m frankenmodels <command> ...``.

Each command is a (register, run) pair in COMMANDS; adding one means writing those two
functions and adding a line there.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


def _add_surgery(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "surgery",
        help="apply a layer plan to a model and save the result",
        description=(
            "Apply a layer plan (this library's YAML, one op spec, or a mergekit passthrough "
            "config) to a local model folder and write a checkpoint transformers can load."
        ),
    )
    parser.add_argument("--model", required=True, help="local model folder (the base model)")
    parser.add_argument("--plan", required=True, help="plan YAML file")
    parser.add_argument("--out", help="output folder for the new checkpoint")
    parser.add_argument("--gguf-file", help="GGUF file name inside --model")
    parser.add_argument("--donor", help="second model folder, for cross-model plans")
    parser.add_argument("--donor-gguf-file", help="GGUF file name inside --donor")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the layer list and parameter counts only"
    )
    return parser


def _run_surgery(args: argparse.Namespace) -> int:
    # Imported here so `--help` and other commands do not pay for importing torch.
    from .surgery.command import SurgeryRequest, run_surgery

    if not args.dry_run and not args.out:
        print("error: --out is required unless --dry-run", file=sys.stderr)
        return 2
    run_surgery(
        SurgeryRequest(
            model=args.model,
            plan=args.plan,
            out=args.out,
            gguf_file=args.gguf_file,
            donor=args.donor,
            donor_gguf_file=args.donor_gguf_file,
            dry_run=args.dry_run,
        )
    )
    return 0


def _add_lab(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "lab",
        help="measure single surgery experiments on a causal LM (the lab's quick/full modes)",
        description=(
            "Measure the unchanged model and each experiment (perplexity, self-report probes "
            "against factual controls, arithmetic) as the workflow's lab jobs do; print a table."
        ),
    )
    parser.add_argument("--model", required=True, help="local model folder")
    parser.add_argument("--gguf-file", help="GGUF file name inside --model")
    parser.add_argument("--plan", action="append", default=[], help="plan YAML file (repeatable)")
    parser.add_argument(
        "--experiment",
        action="append",
        default=[],
        help="a catalogue name scaled to the model's depth: del5, dup3, reverse_all (repeatable)",
    )
    parser.add_argument("--mode", choices=("quick", "full"), default="quick")
    parser.add_argument("--corpus", required=True, help="CSV file of neutral texts")
    parser.add_argument("--text-column", default="text", help="the corpus's text column")
    parser.add_argument("--documents", type=int, default=8, help="perplexity documents")
    parser.add_argument("--max-tokens", type=int, default=128, help="tokens scored per document")
    parser.add_argument("--math-items", type=int, default=20, help="arithmetic questions")
    parser.add_argument("--math-digits", type=int, default=1, help="digits of each operand")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    return parser


def _run_lab(args: argparse.Namespace) -> int:
    from .lab.command import LabRequest, run_lab

    run_lab(
        LabRequest(
            model=args.model,
            gguf_file=args.gguf_file,
            plans=args.plan,
            experiments=args.experiment,
            mode=args.mode,
            corpus=args.corpus,
            text_column=args.text_column,
            documents=args.documents,
            max_tokens=args.max_tokens,
            math_items=args.math_items,
            math_digits=args.math_digits,
            device=args.device,
        )
    )
    return 0


Register = Callable[[argparse._SubParsersAction], argparse.ArgumentParser]
COMMANDS: dict[str, tuple[Register, Callable[[argparse.Namespace], int]]] = {
    "surgery": (_add_surgery, _run_surgery),
    "lab": (_add_lab, _run_lab),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frankenmodels", description="FrankenModels: layer surgery on transformer models."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for register, run in COMMANDS.values():
        register(sub).set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ValueError as err:  # PlanError included: report it as one line, not a traceback
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
