"""Puts what the SLURM runs did (job ids, counts, wall times) in pytest's final summary,
so a CI log shows them without -s."""

import pytest

_LINES: list[str] = []


@pytest.fixture(scope="session")
def slurm_summary() -> list[str]:
    """Lines appended here are printed under 'SLURM runs' at the end of the session."""
    return _LINES


def pytest_terminal_summary(terminalreporter):
    if _LINES:
        terminalreporter.section("SLURM runs")
        for line in _LINES:
            terminalreporter.write_line(line)
