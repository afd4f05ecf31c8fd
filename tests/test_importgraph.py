"""The code inputs of each rule come from its script's import graph: checked against Python."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from frankenmodels.importgraph import ImportGraph

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SCRIPTS = sorted((ROOT / "workflow" / "scripts").glob("*.py"))
GRAPH = ImportGraph(SRC)

# Runs a script's module-level imports (not its body, which needs Snakemake's object) and
# prints the first-party modules Python actually loaded.
LOADED = """
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
exec(compile(ast.Module(body=imports, type_ignores=[]), sys.argv[1], "exec"), {})
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] == "frankenmodels")))
"""


def module_names(files: list[Path]) -> set[str]:
    return {GRAPH.module_name(path) for path in files}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_graph_matches_what_python_imports(script):
    """Independent source: the modules in sys.modules after importing what the script imports
    at module level are exactly those the graph finds without function-level imports; the
    graph used for the rules (with them) can only add to that."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    module_level = module_names(GRAPH.local_files(script, "frankenmodels", deferred=False))
    assert module_level == loaded, (
        f"graph only: {sorted(module_level - loaded)}; python only: {sorted(loaded - module_level)}"
    )
    assert module_level <= module_names(GRAPH.local_files(script, "frankenmodels"))


def test_command_line_module_is_not_code_of_evaluation():
    evaluate = module_names(
        GRAPH.local_files(ROOT / "workflow/scripts/evaluate.py", "frankenmodels")
    )
    assert "frankenmodels.surgery.apply" in evaluate  # a lazy name is followed to its module
    assert "frankenmodels.surgery.command" not in evaluate
    assert "frankenmodels.surgery.save" not in evaluate


def test_relative_deferred_optional_and_lazy_imports(tmp_path):
    package = tmp_path / "src" / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text('_LAZY = {"heavy": ".heavy"}\n')
    (package / "heavy.py").write_text("")
    (package / "light.py").write_text("")
    (package / "unused.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from .. import light\n")
    (package / "sub" / "inner.py").write_text(
        "def later():\n    from pkg import unused\n"
        "try:\n    from pkg import optional\nexcept ImportError:\n    pass\n"
    )
    entry = tmp_path / "entry.py"
    entry.write_text("from pkg import heavy\nimport pkg.sub.inner\n")
    graph = ImportGraph(tmp_path / "src")
    # An optional import of the package's own module counts: the module is there and runs.
    (package / "optional.py").write_text("")
    names = {
        graph.module_name(path) for path in ImportGraph(tmp_path / "src").local_files(entry, "pkg")
    }
    assert names == {
        "pkg",
        "pkg.heavy",
        "pkg.sub",
        "pkg.light",
        "pkg.sub.inner",
        "pkg.unused",
        "pkg.optional",
    }
    eager = {graph.module_name(p) for p in graph.local_files(entry, "pkg", deferred=False)}
    assert eager == names - {"pkg.unused"}
    assert "optional" not in graph.external_imports(entry, "pkg")
