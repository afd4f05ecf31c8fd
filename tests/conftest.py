"""The tiny study's outputs are built once per test session; every workflow check reads them."""

import pytest
from workflow_helpers import (
    COMPRESS_CONFIG,
    LAB_CONFIG,
    LAB_PDF,
    PAPERS,
    copy_repository,
    snakemake,
)

TEST_CONFIG = ("--configfile", "config/test.yaml")


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory):
    """A copy of the repository in which config/test.yaml has been built to both PDFs.

    Snakemake keeps the scripts it ran (--skip-script-cleanup): each holds its job's
    `snakemake` object, which tests/test_workflow_params.py replays without the config.
    Tests that edit a file put it back; tests that run jobs use their own copy.
    """
    work = copy_repository(tmp_path_factory.mktemp("built") / "repo")
    result = snakemake(work, *PAPERS, "--cores", "2", *TEST_CONFIG, "--skip-script-cleanup")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return work


@pytest.fixture(scope="session")
def built_lab(tmp_path_factory):
    """A copy of the repository in which config/lab-test.yaml has been built to the lab PDF
    (two tiny random Llama models, every catalogue family, the splice and the critical region).
    Its kept scripts are replayed without the config, as the paper's are.
    """
    work = copy_repository(tmp_path_factory.mktemp("lab") / "repo")
    result = snakemake(work, LAB_PDF, "--cores", "2", *LAB_CONFIG, "--skip-script-cleanup")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return work


@pytest.fixture(scope="session")
def built_compress(tmp_path_factory):
    """A copy of the repository in which config/compress-test.yaml has been built to the lab
    PDF (its merge/compress chapter alone: a tiny random GPT-2, three seeds, both scopes).
    Its kept scripts are replayed without the config, as the paper's are.
    """
    work = copy_repository(tmp_path_factory.mktemp("compress") / "repo")
    result = snakemake(work, LAB_PDF, "--cores", "2", *COMPRESS_CONFIG, "--skip-script-cleanup")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return work
