"""What `make run` installs (`pip install -e .`, no extras) is all the shipped code imports.

The test extra installs more (httpx, for one), so a runtime import of a test-only package passes every
other test and still breaks `make run` on a fresh machine. This reads the imports of `service/` and
`workers/` and checks each third-party one against `[project].dependencies`.
"""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("service", "workers")


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _runtime_distributions() -> set[str]:
    """The project's dependencies and, through their own requirements, everything they bring."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pending = [Requirement(line) for line in project["dependencies"]]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for extra_line in requires(requirement.name) or []:
            nested = Requirement(extra_line)
            wanted = nested.marker is None or any(
                nested.marker.evaluate({"extra": extra}) for extra in ("", *requirement.extras)
            )
            if wanted:
                pending.append(nested)
    return seen


def test_every_third_party_import_of_the_shipped_code_is_a_runtime_dependency() -> None:
    ours = {path.name for path in ROOT.iterdir()} | {"service", "workers"}
    providers = packages_distributions()
    runtime = _runtime_distributions()
    missing: dict[str, list[str]] = {}
    for package in SHIPPED:
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in _top_level_imports(path):
                if name in sys.stdlib_module_names or name in ours or name == "__future__":
                    continue
                distributions = {d.lower().replace("_", "-") for d in providers.get(name, [])}
                if not distributions & runtime:
                    missing.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert missing == {}
