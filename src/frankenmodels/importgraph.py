"""Which files of a package a script runs, read from its import statements (no import needed).

The workflow declares these files as inputs of the rule that runs the script, so an edit reruns
exactly the jobs whose code changed; the environment checks read the third-party imports the
same way. Only the standard library is used: this runs whenever Snakemake parses the workflow.

Imports inside functions count (they run when the function does); `if TYPE_CHECKING:` blocks
do not. Optional imports (in a `try` whose handler catches ImportError) count for the package's
own files, which are always there, and not as third-party requirements. A package that loads
names on first use (PEP 562 `__getattr__`) declares them in a module-level dict literal
`_LAZY = {"name": ".module"}`; importing such a name from it counts as importing that module.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = {node.id for node in ast.walk(handler.type) if isinstance(node, ast.Name)}
    return bool({"ImportError", "ModuleNotFoundError", "Exception"} & names)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(
    tree: ast.Module, deferred: bool, optional: bool
) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run when their code runs; with `deferred=False` only those that
    run when the module is imported (not inside a function body); with `optional=False` not
    those whose ImportError is caught."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if (
            not optional
            and isinstance(node, ast.Try)
            and any(_catches_import_error(h) for h in node.handlers)
        ):
            skip.update(id(child) for stmt in node.body for child in ast.walk(stmt))
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skip.update(id(child) for stmt in node.body for child in ast.walk(stmt))
        if not deferred and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            skip.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skip:
            yield node


class ImportGraph:
    """The modules under `src` (a folder holding top-level packages) and what they import."""

    def __init__(self, src: str | Path):
        self.src = Path(src).resolve()

    def module_file(self, module: str) -> Path | None:
        """The file of a module under `src` (a package -> its __init__.py), if there is one."""
        base = self.src.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def module_name(self, path: Path) -> str | None:
        try:
            parts = list(path.resolve().relative_to(self.src).with_suffix("").parts)
        except ValueError:
            return None  # a script outside `src`: it has no package to resolve against
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def imports_of(
        self, path: Path, deferred: bool = True, optional: bool = False
    ) -> frozenset[str]:
        """Absolute names of the modules one file imports (relative imports resolved)."""
        return _imports_of(self, Path(path).resolve(), deferred, optional)

    def local_files(self, entry: Path, package: str, deferred: bool = True) -> list[Path]:
        """Every file of `package` that running `entry` executes: the modules it imports,
        transitively, and each package `__init__` on the way (importing `a.b` runs `a`)."""
        seen: set[Path] = set()
        todo = [Path(entry).resolve()]
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            for name in self.imports_of(path, deferred, optional=True):
                parts = name.split(".")
                if parts[0] != package:
                    continue
                for end in range(1, len(parts) + 1):
                    file = self.module_file(".".join(parts[:end]))
                    if file is not None:
                        todo.append(file)
                lazy = self.lazy_modules(".".join(parts[:-1])).get(parts[-1])
                if lazy is not None:
                    todo.append(self.module_file(lazy))
        return sorted(path for path in seen if path.is_relative_to(self.src))

    def lazy_modules(self, package: str) -> dict[str, str]:
        """Name -> absolute module of the names `package` loads on first use (its `_LAZY`)."""
        file = self.module_file(package) if package else None
        if file is None or file.name != "__init__.py":
            return {}
        return _lazy_modules(file, package)

    def external_imports(self, entry: Path, package: str) -> dict[str, set[Path]]:
        """Top-level names of the non-stdlib, non-`package` modules reached from `entry`,
        each with the files that import it."""
        found: dict[str, set[Path]] = {}
        for path in [Path(entry).resolve(), *self.local_files(entry, package)]:
            for name in self.imports_of(path):
                top = name.split(".")[0]
                if top != package and top not in STDLIB:
                    found.setdefault(top, set()).add(path)
        return found


@cache
def _imports_of(graph: ImportGraph, path: Path, deferred: bool, optional: bool) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = graph.module_name(path)
    package = (module or "").split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in _import_nodes(tree, deferred, optional):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        if node.level:
            if module is None:
                continue
            anchor = package[: len(package) - (node.level - 1)]
            base = ".".join(anchor + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        found.add(base)
        # `from package import module` imports a module, not only a name.
        found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return frozenset(name for name in found if name)


@cache
def _lazy_modules(init: Path, package: str) -> dict[str, str]:
    tree = ast.parse(init.read_text(encoding="utf-8"), filename=str(init))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in targets):
            table = ast.literal_eval(node.value)
            return {
                name: package + module if module.startswith(".") else module
                for name, module in table.items()
            }
    return {}
