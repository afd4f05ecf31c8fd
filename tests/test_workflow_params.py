"""Every value a job reads from the config reaches it through `params` (or an input file).

Each script is run again, one job per rule, with the `snakemake` object of its real job from
the session's build, except that `snakemake.config` raises on any read. A script that reads
the config directly would make a config edit leave its outputs stale (Snakemake reruns a job
when its params change, not when a config key it reads behind their back does).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PREAMBLE_END = "######## snakemake preamble end #########"

# Loads the job's `snakemake` object from the kept script, takes its config away, runs the body.
REPLAY = r"""
import sys
source = open(sys.argv[1], encoding="utf-8").read()
preamble, body = source.split(sys.argv[2] + "\n", 1)
namespace = {"__name__": "__main__", "__file__": sys.argv[1]}
exec(preamble, namespace)


class ConfigRead(dict):
    def _refuse(self, *args, **kwargs):
        raise RuntimeError(
            "the script read snakemake.config; pass the value through the rule's params"
        )

    __getitem__ = get = __iter__ = __contains__ = __len__ = _refuse
    keys = items = values = copy = _refuse


namespace["snakemake"].config = ConfigRead()
exec(compile(body, sys.argv[1], "exec"), namespace)
"""


def kept_scripts(repo: Path) -> dict[str, Path]:
    """Script name -> one kept copy of it (Snakemake names them tmpXXXX.<script>.py)."""
    found: dict[str, Path] = {}
    for kept in sorted((repo / ".snakemake" / "scripts").glob("tmp*.py")):
        found.setdefault(kept.name.split(".", 1)[1], kept)
    return found


@pytest.fixture(scope="module")
def replay_repo(built_repo, tmp_path_factory):
    """A copy of the built repository: replayed jobs overwrite outputs there, not in the build."""
    copy = tmp_path_factory.mktemp("replay") / "repo"
    shutil.copytree(built_repo, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def lab_replay_repo(built_lab, tmp_path_factory):
    """The same for the lab's build (config/lab-test.yaml)."""
    copy = tmp_path_factory.mktemp("lab-replay") / "repo"
    shutil.copytree(built_lab, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def compress_replay_repo(built_compress, tmp_path_factory):
    """The same for the merge/compress study's build (config/compress-test.yaml)."""
    copy = tmp_path_factory.mktemp("compress-replay") / "repo"
    shutil.copytree(built_compress, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def scripts(replay_repo, lab_replay_repo, compress_replay_repo):
    """Script name -> (the repository its job ran in, the kept copy): the paper's, the lab's
    and the merge/compress study's."""
    found = {
        name: (compress_replay_repo, path)
        for name, path in kept_scripts(compress_replay_repo).items()
    }
    found.update(
        (name, (lab_replay_repo, path)) for name, path in kept_scripts(lab_replay_repo).items()
    )
    found.update((name, (replay_repo, path)) for name, path in kept_scripts(replay_repo).items())
    return found


def test_every_script_was_kept(scripts, replay_repo):
    expected = {path.name for path in (replay_repo / "workflow" / "scripts").glob("*.py")}
    assert expected == set(scripts), sorted(expected ^ set(scripts))


def test_no_script_reads_the_config(scripts):
    failures = {}
    for name, (repo, script) in sorted(scripts.items()):
        env = {**os.environ, "PYTHONPATH": str(repo / "src")}
        result = subprocess.run(
            [sys.executable, "-c", REPLAY, str(script), PREAMBLE_END],
            capture_output=True,
            text=True,
            cwd=repo,
            env=env,
            timeout=600,
        )
        if result.returncode != 0:
            failures[name] = (result.stdout + result.stderr)[-1500:]
    assert not failures, json.dumps(failures, indent=1)


def test_replay_notices_a_config_read(scripts, replay_repo, tmp_path):
    """The check itself: a script body that reads the config fails the replay."""
    script = scripts["stats.py"][1]
    preamble = script.read_text(encoding="utf-8").split(PREAMBLE_END + "\n", 1)[0]
    bad = tmp_path / "reads_config.py"
    bad.write_text(preamble + PREAMBLE_END + "\nprint(snakemake.config['stats'])\n")
    result = subprocess.run(
        [sys.executable, "-c", REPLAY, str(bad), PREAMBLE_END],
        capture_output=True,
        text=True,
        cwd=replay_repo,
    )
    assert result.returncode != 0
    assert "pass the value through the rule's params" in result.stderr
