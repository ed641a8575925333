"""The install split (issue 9): ``pip install rootctl`` is the CLI and the library; the
dashboard and the sandbox are the ``web`` and ``sandbox`` extras.

Two ways to run the base install:
- by default, this interpreter with every module only an extra brings made unimportable
  (``without_extras.py``), so the main suite checks it on every run;
- with ``ROOTCTL_BASE_PYTHON`` set to the Python of a real ``pip install rootctl`` (no
  extras), as ``scripts/test-floors`` does in CI, that interpreter.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from rootctl.cli.extras import EXTRAS
from tests.conftest import AwsEnv

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "rootctl"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BLOCKER = Path(__file__).with_name("without_extras.py")
BASE_PYTHON = os.environ.get("ROOTCTL_BASE_PYTHON")
CORE = {"boto3", "botocore", "click", "rich", "pyyaml"}
PAYMENTS = "418273645501"


def requirements(group: str | None = None) -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


def names(requirements: Iterable[Requirement]) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements}


def closure(roots: Iterable[Requirement]) -> set[str]:
    """The distributions ``roots`` install, as far as this environment has them."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        try:
            needs = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        extras = ["", *requirement.extras]
        for line in needs:
            child = Requirement(line)
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in extras):
                todo.append(child)
    return seen


def extra_only_modules() -> list[str]:
    """Top-level modules that only the extras bring: what a base install cannot import."""
    only = closure(requirements("web") + requirements("sandbox")) - closure(requirements())
    providers = metadata.packages_distributions()
    return sorted(
        module
        for module, dists in providers.items()
        if all(canonicalize_name(d) in only for d in dists) and not module.startswith("_")
    )


Completed = subprocess.CompletedProcess[str]


@dataclass
class BaseInstall:
    python_command: list[str]  # runs Python (``-c CODE`` works)
    cli: list[str]  # what to add to it to run rootctl's CLI
    env: dict[str, str]

    def run(self, *args: str, env: dict[str, str] | None = None) -> Completed:
        return self._run([*self.cli, *args], env)

    def python(self, code: str) -> Completed:
        return self._run(["-c", code], None)

    def _run(self, args: list[str], env: dict[str, str] | None) -> Completed:
        return subprocess.run(
            [*self.python_command, *args],
            capture_output=True,
            text=True,
            env={**(env or os.environ), **self.env},
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> BaseInstall:
    journal = str(tmp_path_factory.mktemp("base") / "journal.sqlite3")
    if BASE_PYTHON:
        return BaseInstall([BASE_PYTHON], ["-m", "rootctl"], {"ROOTCTL_JOURNAL": journal})
    blocked = ",".join(extra_only_modules())
    return BaseInstall(
        [sys.executable, str(BLOCKER)],
        [],
        {"ROOTCTL_BLOCKED_MODULES": blocked, "ROOTCTL_JOURNAL": journal},
    )


# -- what is declared ------------------------------------------------------------------------


def test_the_core_is_the_cli_and_the_library_only() -> None:
    assert names(requirements()) == CORE
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert names(requirements("web")) >= {"fastapi", "uvicorn", "jinja2", "python-multipart"}
    assert names(requirements("sandbox")) >= {"moto"}
    assert extras["all"] == ["rootctl[web,sandbox]"]
    assert "rootctl[all]" in extras["test"]


def imports_of(path: Path) -> set[str]:
    """Top-level modules a file imports at run time (not under ``if TYPE_CHECKING``)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found - set(sys.stdlib_module_names) - {"rootctl", "__future__"}


def extra_of(path: Path) -> str | None:
    part = path.relative_to(SRC).parts[0]
    return {"web": "web", "sandbox": "sandbox", "demo": "sandbox"}.get(part)


def test_every_imported_package_is_declared_where_it_is_used() -> None:
    """Each third-party module rootctl imports comes from a distribution it declares: the core
    from the core's dependencies, web/ from the web extra, sandbox/ and demo/ from the sandbox
    extra — never from a transitive dependency that could go away."""
    providers = metadata.packages_distributions()
    core = names(requirements())
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        extra = extra_of(path)
        declared = core | (names(requirements(extra)) if extra else set())
        for module in sorted(imports_of(path)):
            dists = {canonicalize_name(d) for d in providers.get(module, [])}
            if not dists & declared:
                where = f"the {extra} extra" if extra else "the core dependencies"
                problems.append(f"{path.relative_to(SRC)}: {module} ({dists}) not in {where}")
    assert not problems, "\n".join(problems)


def test_the_missing_extra_check_knows_every_module_the_extra_code_imports() -> None:
    for path in SRC.rglob("*.py"):
        extra = extra_of(path)
        if extra is None:
            continue
        imported = imports_of(path) - set(EXTRAS[extra]) - {"boto3", "botocore", "rich", "click"}
        imported -= {"yaml"}  # core
        assert not imported, f"{path.relative_to(SRC)} imports {imported}: add to EXTRAS"


# -- what a base install does ----------------------------------------------------------------


def test_the_base_install_really_lacks_the_extras(base: BaseInstall) -> None:
    modules = sorted({module for modules in EXTRAS.values() for module in modules})
    code = (
        "import importlib, json\n"
        "def present(name):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError:\n"
        "        return False\n"
        "    return True\n"
        f"print(json.dumps([m for m in {modules!r} if present(m)]))"
    )
    probe = base.python(code)
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == []


def test_the_core_and_the_cli_import_without_the_extras(base: BaseInstall) -> None:
    code = (
        "import json, sys, rootctl, rootctl.cli, rootctl.validation, rootctl.core.compliance, "
        "rootctl.render.human, rootctl.journal; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = base.python(code)
    assert result.returncode == 0, result.stderr
    loaded = {name.partition(".")[0] for name in json.loads(result.stdout)}
    extras = {module for modules in EXTRAS.values() for module in modules}
    assert not loaded & extras


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("--version",),
        ("audit", "--help"),
        ("delete-credentials", "--help"),
        ("unlock-s3", "--help"),
        ("journal", "--help"),
        ("sandbox", "--help"),
        ("ui", "--help"),
        ("demo", "--help"),
    ],
)
def test_help_works_without_the_extras(base: BaseInstall, args: tuple[str, ...]) -> None:
    result = base.run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert not result.stderr


@pytest.mark.parametrize(
    ("args", "install"),
    [
        (("ui",), "pip install 'rootctl[web]'"),
        (("ui", "--port", "0", "--profile", "nowhere"), "pip install 'rootctl[web]'"),
        (("ui", "--sandbox"), "pip install 'rootctl[all]'"),
        (("sandbox", "serve"), "pip install 'rootctl[sandbox]'"),
        (("sandbox", "serve", "--accounts", "5"), "pip install 'rootctl[sandbox]'"),
        (("demo",), "pip install 'rootctl[sandbox]'"),
    ],
)
def test_a_command_whose_extra_is_missing_names_the_pip_command(
    base: BaseInstall, args: tuple[str, ...], install: str
) -> None:
    result = base.run(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert not result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert lines[0].endswith(install)


def test_the_base_install_manages_an_organization(base: BaseInstall, aws_env: AwsEnv) -> None:
    """Against the sandbox (served by this test process): read, plan, change, journal."""
    env = aws_env.env
    status = base.run("status", env=env)
    assert status.returncode == 0, status.stderr
    enabled = base.run("enable", env=env)
    assert enabled.returncode == 0, enabled.stderr
    audit = base.run("audit", "--all", "-o", "json", env=env)
    assert audit.returncode == 1, audit.stderr  # the example organization has findings
    rows = json.loads(audit.stdout)["accounts"]
    assert any(r["account_id"] == PAYMENTS and r["has_root_credentials"] for r in rows)
    deleted = base.run(
        "delete-credentials", "--account", PAYMENTS, "--only", "password", "--yes", env=env
    )
    assert deleted.returncode == 0, deleted.stderr
    compliance = base.run("compliance", "--all", "-o", "json", env=env)  # reads its YAML
    assert compliance.returncode == 1, compliance.stderr
    assert json.loads(compliance.stdout)["controls"]
    journal = base.run("journal", "-o", "json", env=env)
    assert journal.returncode == 0, journal.stderr
    assert "delete-login-profile" in journal.stdout
