"""The layering holds: only the ui imports Streamlit, nothing imports the ui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "dashkit"
HEADLESS = sorted(
    ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts).removesuffix(".__init__")
    for path in SOURCE.rglob("*.py")
    if "ui" not in path.relative_to(SOURCE).parts
)


def test_the_scan_found_the_layers() -> None:
    for layer in (
        "dashkit.schema",
        "dashkit.store",
        "dashkit.queries",
        "dashkit.metrics",
        "dashkit.cli",
    ):
        assert layer in HEADLESS


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_load_streamlit(module: str) -> None:
    code = f"import sys, {module}; print('streamlit' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False", f"importing {module} loaded streamlit"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_ui_and_app_py_import_streamlit_and_nothing_imports_the_ui() -> None:
    offenders = []
    for path in SOURCE.rglob("*.py"):
        in_ui = "ui" in path.relative_to(SOURCE).parts
        for name in imported_modules(path):
            if not in_ui and (name == "streamlit" or name.startswith(("streamlit.", "dashkit.ui"))):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
