"""The test DAG (config/test.yaml) through the real SLURM profile on the local test cluster.

    sudo tests/cluster/slurm-up.sh               # once: one-node cluster with accounting
    pytest -m slurm -s tests/cluster/test_slurm.py

Every run uses `--profile slurm --profile tests/cluster/ci-profile`: slurm/config.yaml as a
user would run it, with the CI override for the cluster's partition, account, no GPU and no
conda. Runs happen in copies of the repository (tracked and untracked-not-ignored files) in
pytest's temp folder, never in the checkout. What is shown (GitHub issue 4):

  - the whole DAG to both PDFs goes through sbatch: the SLURM job ids of the Snakemake log
    are the jobs `sacct` lists for the run, all COMPLETED; one SLURM job per evaluate job,
    each evaluating all variants of a (split, seed);
  - wall time through SLURM vs the same DAG with `--cores 2` (printed, with the SLURM job
    count: run pytest with -s to see it);
  - editing the figure code reruns only that figure and the papers (local rules: nothing
    is submitted to SLURM);
  - a job that fails once is resubmitted (the profile's `retries: 1`) and the run completes;
    the failure is injected by tests/cluster/fail_once/sitecustomize.py (see there);
  - a job cancelled with `scancel` while it runs fails the run with a clear message and
    leaves none of its outputs; the next run with the profile completes.

The test is skipped when `sinfo` is missing or the cluster does not answer.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slurm

REPO = Path(__file__).resolve().parents[2]
FAIL_ONCE_DIR = Path(__file__).resolve().parent / "fail_once"
PAPERS = ["paper/frankenmodels_article.pdf", "paper/frankenmodels_article_simple.pdf"]
CONFIG = "config/test.yaml"
PROFILES = ["--profile", "slurm", "--profile", "tests/cluster/ci-profile"]
RUN_TIMEOUT = 1800  # seconds for one Snakemake run (the full DAG takes a few minutes)

SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.?$", re.M)
RUN_ID = re.compile(r"SLURM run ID: (\S+)")
# Snakemake prints every job it starts as "rule NAME:" or "localrule NAME:" (indented
# inside a group job).
STARTED = re.compile(r"^\s*(?:local)?rule (\w+):$", re.M)


# ---------------------------------------------------------------------------------------
# cluster availability
# ---------------------------------------------------------------------------------------
def _cluster_problem() -> str | None:
    """Why the SLURM tests cannot run here, or None when the cluster answers."""
    for tool in ("sinfo", "sbatch", "squeue", "sacct", "scancel"):
        if shutil.which(tool) is None:
            return f"`{tool}` not found: start the test cluster with tests/cluster/slurm-up.sh"
    for command in (["sinfo", "-h", "-o", "%T"], ["sacct", "-n", "-X", "-S", "now-1minutes"]):
        try:
            subprocess.run(command, capture_output=True, text=True, check=True, timeout=30)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            detail = getattr(error, "stderr", "") or str(error)
            return (
                f"SLURM cluster does not answer `{' '.join(command)}` ({detail.strip()}): "
                "start it with tests/cluster/slurm-up.sh"
            )
    if shutil.which("latexmk") is None:
        return "latexmk not found: the test DAG builds two PDFs"
    return None


@pytest.fixture(scope="module", autouse=True)
def slurm_cluster():
    problem = _cluster_problem()
    if problem:
        pytest.skip(problem)
    yield
    # Nothing of ours may stay queued: cancel every job a run of this module submitted.
    if _RUN_IDS:
        for run_id in _RUN_IDS:
            subprocess.run(["scancel", "--name", run_id], capture_output=True, timeout=60)


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------
_RUN_IDS: set[str] = set()  # SLURM job names (Snakemake's run ids) used by this module


def copy_repository(dest: Path) -> Path:
    """Tracked and untracked-not-ignored files of the checkout (no results/, .venv/...)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (item.decode() for item in listed)):
        source = REPO / name
        if not source.is_file():  # deleted in the working tree but still tracked
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return dest


@dataclass
class Run:
    """One Snakemake run: its exit status, console log, wall time and SLURM jobs."""

    workdir: Path
    returncode: int
    log: str
    seconds: float
    submitted: dict[str, str] = field(default_factory=dict)  # SLURM job id -> its log path
    run_id: str | None = None

    @classmethod
    def parse(cls, workdir: Path, returncode: int, log: str, seconds: float) -> Run:
        submitted = {jobid: path for jobid, path in SUBMITTED.findall(log)}
        run_id = RUN_ID.search(log)
        if run_id:
            _RUN_IDS.add(run_id.group(1))
        return cls(workdir, returncode, log, seconds, submitted, run_id and run_id.group(1))

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.splitlines()[-lines:])

    def started(self) -> list[str]:
        """Rule names of the jobs this run started, one entry per job."""
        return STARTED.findall(self.log)

    def submitted_for(self, kind: str) -> list[str]:
        """SLURM job ids whose log folder is logs/slurm/<kind>... (rule_X or group_X)."""
        return [jobid for jobid, path in self.submitted.items() if f"/{kind}" in path]


def environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # The interpreter running the tests has Snakemake (the project's .venv): put it first
    # on PATH, for this process's Snakemake and for the jobs (sbatch --export=ALL).
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("SNAKEMAKE_PROFILE", None)
    env.update(extra)
    return env


def snakemake_command(targets: list[str], *options: str, slurm: bool = True) -> list[str]:
    # Targets go before --configfile: it takes several values.
    command = [sys.executable, "-m", "snakemake", *targets, "--configfile", CONFIG]
    return command + (PROFILES if slurm else []) + list(options)


def run_snakemake(
    workdir: Path, targets: list[str], *options: str, slurm: bool = True, env=None
) -> Run:
    log_file = workdir.parent / f"{workdir.name}.{len(list(workdir.parent.glob('*.log')))}.log"
    start = time.monotonic()
    with open(log_file, "w") as out:
        try:
            process = subprocess.run(
                snakemake_command(targets, *options, slurm=slurm),
                cwd=workdir,
                env=env or environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=RUN_TIMEOUT,
            )
            returncode = process.returncode
        except subprocess.TimeoutExpired:
            returncode = -1
    return Run.parse(workdir, returncode, log_file.read_text(), time.monotonic() - start)


def require_success(run: Run, what: str) -> None:
    assert run.returncode == 0, (
        f"{what} failed (exit status {run.returncode}); last lines of its log:\n{run.tail()}"
    )


def sacct(jobids: list[str], fields=("State", "Comment")) -> dict[str, dict[str, str]]:
    """SLURM job id -> {field: value} from the accounting database (job allocations only).
    State keeps its first word ("CANCELLED by 0" -> "CANCELLED")."""
    if not jobids:
        return {}
    out = subprocess.run(
        ["sacct", "-n", "-P", "-X", "-o", ",".join(["JobID", *fields]), "-j", ",".join(jobids)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    table = {}
    for line in filter(str.strip, out.splitlines()):
        jobid, *values = line.split("|", len(fields))
        row = dict(zip(fields, values, strict=True))
        if "State" in row:
            row["State"] = row["State"].split()[0]
        table[jobid] = row
    return table


def sacct_by_name(run_id: str) -> list[str]:
    """SLURM job ids of all jobs named after a Snakemake run id (the plugin's --job-name)."""
    out = subprocess.run(
        ["sacct", "-n", "-P", "-X", "-o", "JobID", "--name", run_id, "-S", "now-1days"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return sorted(filter(None, out.split()), key=int)


def poll(condition, timeout: float, interval: float = 0.5, what: str = "condition"):
    """Return condition()'s first truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


# ---------------------------------------------------------------------------------------
# the full run (module-scoped: the later tests build on it)
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def full_run(tmp_path_factory) -> Run:
    workdir = copy_repository(tmp_path_factory.mktemp("slurm") / "repo")
    return run_snakemake(workdir, PAPERS)


def test_full_dag_runs_through_sbatch(full_run, slurm_summary):
    require_success(full_run, "the test DAG through --profile slurm")
    for pdf in PAPERS:
        path = full_run.workdir / pdf
        assert path.is_file() and path.stat().st_size > 0, f"{pdf} was not built"

    submitted = sorted(full_run.submitted, key=int)
    assert submitted, "no 'submitted with SLURM jobid' line in the log: nothing went via sbatch"
    assert full_run.run_id, "the log has no 'SLURM run ID' line"
    # sacct knows the same jobs (by the plugin's job name, the run id), all COMPLETED.
    assert sacct_by_name(full_run.run_id) == submitted, (
        f"SLURM jobs of the log {submitted} differ from sacct's jobs named {full_run.run_id}"
    )
    states = sacct(submitted)
    not_completed = {job: row for job, row in states.items() if row["State"] != "COMPLETED"}
    assert not not_completed, f"SLURM jobs not COMPLETED according to sacct: {not_completed}"

    # Which rules went to SLURM: the compute rules; the rest are local rules.
    for rule in ("finetune", "efficiency", "stats"):
        assert full_run.submitted_for(f"rule_{rule}"), f"no SLURM job for rule {rule}"
    comments = {row["Comment"] for row in states.values()}
    assert any(c.startswith("rule_finetune") for c in comments), (
        f"sacct comments do not name the rules: {sorted(comments)}"
    )

    # One job per (split, seed) evaluates all its variants (3 seeds x 2 splits), one per seed
    # the plans the multi-layer checkpoint chose, and one per (method, seed) the base model of
    # each fine-tuning method compared besides the paper's own (2 x 3).
    started = full_run.started()
    evaluate_rules = ("evaluate", "evaluate_selection", "evaluate_chosen", "evaluate_method")
    evaluate_jobs = sum(started.count(rule) for rule in evaluate_rules)
    assert evaluate_jobs == 15, f"expected 15 evaluate jobs (config/test.yaml), saw {evaluate_jobs}"
    for rule in ("finetune_method", "heal"):  # the fine-tuning methods' GPU jobs
        assert full_run.submitted_for(f"rule_{rule}"), f"no SLURM job for rule {rule}"
    # The log folder prefix matches every rule_evaluate* above.
    evaluate_slurm = full_run.submitted_for("rule_evaluate")
    assert len(evaluate_slurm) == evaluate_jobs, (
        f"{evaluate_jobs} evaluate jobs went to SLURM as {len(evaluate_slurm)} jobs"
    )
    slurm_summary.append(
        f"full test DAG: {len(submitted)} SLURM jobs "
        f"({len(evaluate_slurm)} of them evaluate jobs: per split and seed, per seed for the "
        "chosen multi-layer plans, per method and seed for the fine-tuning methods), "
        f"{len(full_run.started())} Snakemake jobs, wall time {full_run.seconds:.0f} s; "
        f"SLURM job ids {submitted[0]}..{submitted[-1]}, all COMPLETED in sacct "
        f"(run id {full_run.run_id})"
    )


def test_wall_time_slurm_vs_local(full_run, tmp_path, slurm_summary):
    """The same DAG with --cores 2 in a fresh copy; both wall times are printed."""
    require_success(full_run, "the test DAG through --profile slurm")
    local = run_snakemake(copy_repository(tmp_path / "repo"), PAPERS, "--cores", "2", slurm=False)
    require_success(local, "the test DAG with --cores 2")
    assert not local.submitted, "the --cores 2 run submitted SLURM jobs"
    slurm_summary.append(
        f"wall time of the test DAG ({len(full_run.started())} jobs, both PDFs): "
        f"SLURM {full_run.seconds:.0f} s with {len(full_run.submitted)} SLURM jobs, "
        f"--cores 2 {local.seconds:.0f} s (ratio {full_run.seconds / local.seconds:.2f})"
    )


def test_figure_code_edit_reruns_only_figure_and_papers(full_run):
    require_success(full_run, "the test DAG through --profile slurm")
    figure_code = full_run.workdir / "src/frankenmodels/figures/layer_impact.py"
    # A real edit: Snakemake 9 compares checksums, so a bare touch would rerun nothing.
    original = figure_code.read_bytes()
    figure_code.write_bytes(original + b"\n# an edit that changes only the checksum\n")
    try:
        rerun = run_snakemake(full_run.workdir, PAPERS)
    finally:
        figure_code.write_bytes(original)
    require_success(rerun, "the run after editing layer_impact.py")
    started = sorted(rerun.started())
    assert started == ["figure_layer_impact", "paper", "paper"], (
        f"after editing the figure code the run started {started}, expected only "
        "figure_layer_impact and the two paper jobs"
    )
    # Figures and papers are local rules: nothing at all may reach SLURM.
    assert not rerun.submitted, f"jobs were submitted to SLURM: {rerun.submitted}"
    if rerun.run_id:
        assert not sacct_by_name(rerun.run_id), "sacct lists SLURM jobs for the rerun"


def test_job_failing_once_is_retried(full_run, tmp_path, slurm_summary):
    """`stats` (a SLURM job) fails once by the injector; `retries: 1` resubmits it."""
    require_success(full_run, "the test DAG through --profile slurm")
    marker = tmp_path / "stats-failed-once"
    env = environment(
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(FAIL_ONCE_DIR), os.environ.get("PYTHONPATH")])
        ),
        FM_FAIL_ONCE_SCRIPT="stats.py",
        FM_FAIL_ONCE_MARKER=str(marker),
    )
    run = run_snakemake(
        full_run.workdir, ["results/stats/tests.csv"], "--forcerun", "stats", env=env
    )
    require_success(run, "the run with one injected failure of stats")
    assert marker.is_file(), "the injected failure never fired (no marker file)"
    failed_job = marker.read_text().strip()

    jobs = sorted(run.submitted_for("rule_stats"), key=int)
    assert len(jobs) == 2 and jobs[0] == failed_job, (
        f"expected stats submitted twice, first the failing job {failed_job}; got {jobs}"
    )
    assert "Trying to restart job" in run.log, "Snakemake did not report the restart"
    states = {job: row["State"] for job, row in sacct(jobs).items()}
    assert states == {jobs[0]: "FAILED", jobs[1]: "COMPLETED"}, (
        f"sacct states of the two stats jobs: {states}"
    )
    assert (full_run.workdir / "results/stats/tests.csv").is_file()
    slurm_summary.append(
        f"retry: stats failed once in SLURM job {jobs[0]} (FAILED), resubmitted as "
        f"{jobs[1]} (COMPLETED)"
    )


# ---------------------------------------------------------------------------------------
# cancel a running job, then resume
# ---------------------------------------------------------------------------------------
FINETUNE_OUTPUTS = [
    "results/finetune/seed1/model",
    "results/finetune/seed1/history.csv",
    "results/finetune/seed1/summary.json",
]


def test_scancel_fails_cleanly_and_rerun_completes(tmp_path, slurm_summary):
    workdir = copy_repository(tmp_path / "repo")
    target = ["results/finetune/seed1/summary.json"]
    log_file = tmp_path / "cancel.log"
    # --retries 0: the profile's retries would resubmit the cancelled job.
    with open(log_file, "w") as out:
        process = subprocess.Popen(
            snakemake_command(target, "--retries", "0"),
            cwd=workdir,
            env=environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def finetune_job():
            if process.poll() is not None:
                pytest.fail(f"Snakemake ended before finetune ran:\n{log_file.read_text()}")
            submitted = SUBMITTED.findall(log_file.read_text())
            jobs = [job for job, path in submitted if "/rule_finetune" in path]
            return jobs[0] if jobs else None

        jobid = poll(finetune_job, timeout=600, what="the finetune job to be submitted")

        def running():
            state = subprocess.run(
                ["squeue", "-h", "-j", jobid, "-o", "%T"], capture_output=True, text=True
            ).stdout.strip()
            # RUNNING in squeue and the rule's script started (it opens its log first).
            return state == "RUNNING" and (workdir / "logs/finetune/seed1.log").is_file()

        poll(running, timeout=600, what=f"SLURM job {jobid} (finetune) to run its script")
        subprocess.run(["scancel", jobid], check=True, timeout=60)
        try:
            # The plugin polls at least every 180 s.
            returncode = process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"Snakemake still runs 300 s after `scancel {jobid}`: it did not notice the "
                "cancelled job (see slurm-status-command in slurm/config.yaml)"
            )
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = log_file.read_text()
    run_id = RUN_ID.search(log)
    if run_id:
        _RUN_IDS.add(run_id.group(1))

    assert returncode != 0, f"the run with a cancelled job exited 0:\n{log[-4000:]}"
    assert f"SLURM-job '{jobid}' failed, SLURM status is: 'CANCELLED'" in log, (
        f"no clear message about the cancelled SLURM job {jobid}:\n{log[-4000:]}"
    )
    assert "Error in rule finetune" in log, f"the failed rule is not named:\n{log[-4000:]}"
    state = sacct([jobid])[jobid]["State"]
    assert state == "CANCELLED", f"sacct state of the cancelled job {jobid}: {state}"
    left = [name for name in FINETUNE_OUTPUTS if (workdir / name).exists()]
    assert not left, f"the cancelled finetune job left partial outputs: {left}"

    resumed = run_snakemake(workdir, target)
    require_success(resumed, "the run after the cancelled one")
    assert resumed.submitted_for("rule_finetune"), "the rerun did not resubmit finetune"
    missing = [name for name in FINETUNE_OUTPUTS if not (workdir / name).exists()]
    assert not missing, f"outputs missing after the rerun: {missing}"
    slurm_summary.append(
        f"scancel: finetune job {jobid} CANCELLED, run failed (exit {returncode}) with no "
        f"partial output; the rerun completed with SLURM job(s) "
        f"{', '.join(resumed.submitted_for('rule_finetune'))}"
    )
