"""Time one seed of the paper configuration (config/config.yaml) through the library's GPU path.

    python benchmarks/paper_config_gpu.py --data DIR --tokenizer DIR --out DIR [--train-subset N]
        [--layers L] [--epochs E] [--device auto|cpu|cuda] [--task sst2|mrpc] [--methods M,...]

DIR of --data holds the GLUE SST-2 TSVs (train.tsv, dev.tsv); --tokenizer a bert-base-uncased
WordPiece tokenizer. Without internet the model is BERT-base built from its architecture
(BertConfig's defaults) with random weights: it times like the pretrained one, but its
accuracies mean nothing. Stages, as the workflow runs them: prepare the data (load_splits,
carve_splits), fine-tune seed 42 (as workflow/scripts/finetune.py, resume file included),
evaluate base + dup0..dup11 in one pass (evaluate_sweep), then measure_variant for base and the
focus variant. Prints a JSON summary: seconds per stage, examples/s, peak GPU memory, accuracies.

--task mrpc: DIR of --data holds the original MRPC TSVs (config/local-mrpc.yaml's columns), all
3,668 training pairs; the same random BERT-base is fine-tuned once per method of --methods
(full, lora, layer_selective; MRPC_TRAINING, same seed and data order), each evaluated on the
408 dev pairs (base plan only). Prints per method: wall seconds, examples/s, trainable
parameters, peak GPU memory, accuracy and F1 of the positive class. The first method of a
process pays the first-use cost of every batch width (about 18 s on an H100): compare methods
from two runs in opposite orders, or discard the first.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import logging
import time
from pathlib import Path

import torch
import transformers
import yaml

from frankenmodels.data import carve_splits, load_splits
from frankenmodels.efficiency import measure_variant
from frankenmodels.evaluation import evaluate_sweep
from frankenmodels.io import write_parquet
from frankenmodels.models import load_classifier
from frankenmodels.runtime import (
    device_name,
    enable_fast_math,
    seed_everything,
    select_device,
    set_threads,
)
from frankenmodels.surgery import expand_variants
from frankenmodels.training import TrainingSettings, finetune, resume_file

ROOT = Path(__file__).resolve().parents[1]
SEED = 42
SPLIT_SEED = 20250418  # the schema's default for data.split_seed
# MRPC (issue 10): the loop's settings common to every method, then each method's own.
MRPC_TRAINING = {"epochs": 3, "batch_size": 32, "max_length": 128, "warmup_ratio": 0.06}
LORA = {"r": 8, "alpha": 16, "dropout": 0.1, "target_modules": ["query", "value"]}
MRPC_METHODS = {
    "full": {"learning_rate": 2e-5},
    "lora": {"learning_rate": 5e-4, "lora": LORA},
    "layer_selective": {
        "learning_rate": 5e-4,
        "lora": LORA,
        "selective": {
            "mode": "lora",
            "top_k": 2,
            "score": "block_influence",
            "score_examples": 512,
        },
    },
}


def main() -> None:
    args = _parse()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.task == "mrpc":
        _mrpc(args)
    else:
        _sst2(args)


def _sst2(args: argparse.Namespace) -> None:
    config = yaml.safe_load(args.config.read_text())
    data_cfg, out = config["data"], args.out
    set_threads(args.threads)
    device = select_device(args.device)
    enable_fast_math(device)
    times, peaks = {}, {}

    def stage(name: str, started: float) -> None:
        times[name] = round(time.perf_counter() - started, 2)
        if device.type == "cuda":
            peaks[name] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
            torch.cuda.reset_peak_memory_stats(device)
        print(f"== {name}: {times[name]} s", flush=True)

    started = time.perf_counter()
    local = {"dir": str(args.data), "train": "train.tsv", "validation": "dev.tsv"}
    splits = carve_splits(
        **load_splits({**data_cfg, "source": "local", "local": local}),
        train_subset=args.train_subset or data_cfg["train_subset"],
        selection_size=data_cfg["selection_size"],
        seed=data_cfg.get("split_seed", SPLIT_SEED),
    )
    validation = out / "data" / "validation.parquet"
    write_parquet(splits["validation"], validation)
    stage("prepare_data", started)

    started = time.perf_counter()
    pretrained = out / "pretrained"  # what download_model would leave in resources/
    architecture = transformers.BertConfig(
        num_hidden_layers=args.layers, num_labels=data_cfg["num_labels"]
    )
    torch.manual_seed(0)
    transformers.BertForSequenceClassification(architecture).save_pretrained(pretrained)
    transformers.AutoTokenizer.from_pretrained(args.tokenizer).save_pretrained(pretrained)
    stage("build_model", started)

    started = time.perf_counter()  # as workflow/scripts/finetune.py
    training = {k: v for k, v in config["training"].items() if k != "seeds"}
    training["epochs"] = args.epochs or training["epochs"]
    training["compile"] = args.compile
    settings = TrainingSettings(**training, max_length=data_cfg["max_length"])
    seed_everything(SEED)
    tokenizer, model = load_classifier(pretrained, data_cfg["num_labels"])
    resume = resume_file(out / ".resume", SEED, settings, str(pretrained))
    history, summary = finetune(model, tokenizer, splits["train"], settings, SEED, device, resume)
    finetuned = out / "finetune" / f"seed{SEED}"
    model.save_pretrained(finetuned)
    tokenizer.save_pretrained(finetuned)
    resume.unlink(missing_ok=True)
    del model
    stage("finetune", started)
    steps = history["seconds"].diff()
    after_save = history["step"] % settings.resume_every_steps == 1
    resume_overhead = float((steps[after_save] - steps[~after_save].median()).sum())
    half = len(history) // 2  # the second half: every shape seen, every kernel chosen by then
    late_seconds = history["seconds"].iloc[-1] - history["seconds"].iloc[half - 1]
    late_rate = (len(history) - half) * settings.batch_size / float(late_seconds)

    started = time.perf_counter()
    plans = expand_variants(config["variants"], args.layers)
    outputs = {n: (out / "eval" / n / "metrics.json", out / "eval" / n / "p.csv") for n in plans}
    metrics = evaluate_sweep(
        finetuned,
        validation,
        {name: plan.to_dict() for name, plan in plans.items()},
        outputs,
        split="validation",
        seed=SEED,
        num_labels=data_cfg["num_labels"],
        batch_size=config["evaluation"]["batch_size"],
        max_length=data_cfg["max_length"],
        device=args.device,
    )
    stage("evaluate_sweep", started)

    efficiency, focus = {}, config["stats"]["focus_variant"]
    for name in ("base", focus if focus in plans else list(plans)[-1]):
        started = time.perf_counter()
        record = measure_variant(
            pretrained,
            validation,
            plans[name].to_dict(),
            name,
            settings=config["efficiency"],
            max_length=data_cfg["max_length"],
            num_labels=data_cfg["num_labels"],
            device=args.device,
        )
        efficiency[name] = {k: v for k, v in record.items() if k != "environment"}
        stage(f"efficiency_{name}", started)

    report = {
        "device": device_name(device),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "cuda": torch.version.cuda,
        "layers": args.layers,
        "train_examples": len(splits["train"]),
        "validation_examples": len(splits["validation"]),
        "epochs": settings.epochs,
        "seconds": times,
        "peak_gpu_memory_mb": peaks,
        "finetune": {k: v for k, v in summary.items() if k != "environment"},
        "resume_save_overhead_seconds": round(resume_overhead, 2),
        "steady_examples_per_second": round(late_rate, 1),
        "accuracy": {name: round(m["accuracy"], 4) for name, m in metrics.items()},
        "efficiency": efficiency,
    }
    (out / "summary.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


def _mrpc(args: argparse.Namespace) -> None:
    """Fine-tune the same random BERT-base on MRPC once per method; evaluate each on dev."""
    data_cfg = {
        **yaml.safe_load((ROOT / "config" / "mrpc-cpu.yaml").read_text())["data"],
        **yaml.safe_load((ROOT / "config" / "local-mrpc.yaml").read_text())["data"],
    }
    local = {"dir": str(args.data), "train": "train.tsv", "validation": "dev.tsv"}
    out, num_labels = args.out, data_cfg["num_labels"]
    set_threads(args.threads)
    device = select_device(args.device)
    enable_fast_math(device)
    splits = carve_splits(
        **load_splits({**data_cfg, "local": local}),
        train_subset=args.train_subset,
        selection_size=0,
        seed=SPLIT_SEED,
    )
    validation = out / "data" / "validation.parquet"
    write_parquet(splits["validation"], validation)

    pretrained = out / "pretrained"
    architecture = transformers.BertConfig(num_hidden_layers=args.layers, num_labels=num_labels)
    torch.manual_seed(0)
    transformers.BertForSequenceClassification(architecture).save_pretrained(pretrained)
    transformers.AutoTokenizer.from_pretrained(args.tokenizer).save_pretrained(pretrained)
    base_plan = expand_variants([], args.layers)["base"].to_dict()

    results = {}
    for method in args.methods.split(","):
        training = {**MRPC_TRAINING, **MRPC_METHODS[method], "method": method}
        training["epochs"] = args.epochs or training["epochs"]
        settings = TrainingSettings(**training, compile=args.compile)
        seed_everything(SEED)
        tokenizer, model = load_classifier(pretrained, num_labels)
        _, summary = finetune(model, tokenizer, splits["train"], settings, SEED, device)
        finetuned = out / "finetune" / method
        model.save_pretrained(finetuned)
        tokenizer.save_pretrained(finetuned)
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()
        metrics = evaluate_sweep(
            finetuned,
            validation,
            {"base": base_plan},
            {"base": (out / "eval" / method / "metrics.json", out / "eval" / method / "p.csv")},
            split="validation",
            seed=SEED,
            num_labels=num_labels,
            batch_size=64,
            max_length=settings.max_length,
            device=args.device,
        )["base"]
        results[method] = {
            "learning_rate": settings.learning_rate,
            **{k: v for k, v in summary.items() if k not in ("environment", "method")},
            "accuracy": metrics["accuracy"],
            "f1_binary": metrics["f1_binary"],
        }
        print(f"== {method}: {json.dumps(results[method])}", flush=True)

    report = {
        "task": "MRPC",
        "device": device_name(device),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": importlib.metadata.version("peft"),
        "cuda": torch.version.cuda,
        "layers": args.layers,
        "train_examples": len(splits["train"]),
        "validation_examples": len(splits["validation"]),
        "settings": MRPC_TRAINING,
        "methods": results,
    }
    (out / "summary.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    header = "method           wall_s   ex/s  trainable     %   peak_MB  trained  accuracy   F1"
    print(header)
    for method, r in results.items():
        print(
            f"{method:15} {r['wall_seconds']:7.1f} {r['examples_per_second']:6.0f}"
            f" {r['trainable_parameters']:10d} {r['trainable_percent']:6.2f}"
            f" {r['peak_memory_mb'] or float('nan'):8.0f} {r['trained_layers'] or '-':>8}"
            f" {r['accuracy']:9.4f} {r['f1_binary']:6.4f}"
        )


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with train/dev.tsv")
    parser.add_argument("--tokenizer", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "config.yaml")
    parser.add_argument("--train-subset", type=int, default=None, help="default: the config's")
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--epochs", type=int, default=None, help="default: the config's")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--compile", action="store_true", help="TrainingSettings.compile")
    parser.add_argument("--threads", type=int, default=2, help="the workflow's threads: 2")
    parser.add_argument("--task", default="sst2", choices=["sst2", "mrpc"])
    parser.add_argument(
        "--methods",
        default="full,lora,layer_selective",
        help="mrpc only: comma-separated training methods, each from the same random model",
    )
    return parser.parse_args()


if __name__ == "__main__":
    main()
