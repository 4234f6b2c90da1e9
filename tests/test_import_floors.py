"""The import floors of ARCHITECTURE.md are import-linter contracts: they hold on the code as it is,
and a new upward import, a model that imports an operation, or a module that imports another
area's views makes the check fail and name the import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Tests here that build no app need no database: the PostgreSQL pass leaves them out.
pytestmark = pytest.mark.nodb

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, free to break."""
    shutil.copytree(ROOT / "portal", tmp_path / "portal", ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")


def test_the_code_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # reference sits below cases: an upward import
        ("portal.reference.queries", "from portal.cases import operations", "Floors"),
        # models import only models and db
        ("portal.intake.models", "from portal.cases import queries", "The models floor"),
        # only portal/areas.py imports views, even within one floor
        ("portal.public.queries", "from portal.public.opendata import views", "Views are leaves"),
    ],
)
def test_a_forbidden_import_fails_and_is_named(
    tree: Path, module: str, line: str, broken: str
) -> None:
    add_import(tree, module, line)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
    assert module in result.stdout  # the report names the importing module
