"""Celestra's documented API, read from its documentation (``../shared/fixtures/celestra``): the public names of
its ``__init__.py`` and, per class, every method its pages call in their Python examples.

A call is attributed to a class when its receiver is a chain starting at ``Class(...)`` or a variable assigned
from one in the same example; calls after ``.generate()`` belong to ``ResourceGenerator``. Run it as a script to
print what pykro.builders lacks.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from tests.paths import SHARED

CELESTRA = SHARED / "fixtures" / "celestra"
_API_REFERENCE = CELESTRA / "specs" / "celestra" / "api-reference.md"
PAGES = [*sorted((CELESTRA / "docs" / "components").rglob("*.md")), _API_REFERENCE]
_QUERIES = {"get_service"}  # return another builder: what follows is not the receiver's
# Variables the examples use without assigning them in the same example: the object each page means by them.
_IMPLIED = {
    "app": "App",
    "dev_app": "App",
    "prod_app": "App",
    "db": "StatefulApp",
    "sa": "ServiceAccount",
    "role": "Role",
    "cluster_role": "ClusterRole",
    "binding": "RoleBinding",
    "np": "NetworkPolicy",
    "security": "SecurityPolicy",
    "obs": "Observability",
    "health": "Health",
    "scaling": "Scaling",
    "companion": "Companion",
    "service": "Service",
    "ingress": "Ingress",
    "volume": "Volume",
    "cr": "CustomResource",
    "deps": "DependencyManager",
    "wait": "WaitCondition",
    "strategy": "DeploymentStrategy",
    "external": "ExternalServices",
    "cost_opt": "CostOptimization",
    "manager": "PluginManager",
    "template_manager": "TemplateManager",
}


def public_names() -> set[str]:
    """The names in Celestra's ``__all__``."""
    text = (CELESTRA / "src" / "celestra" / "__init__.py").read_text(encoding="utf-8")
    return set(re.findall(r'"(\w+)"', text.split("__all__", 1)[1]))


def imported_names() -> set[str]:
    """The names the pages import ``from celestra``."""
    names: set[str] = set()
    for page in PAGES:
        for tree in _examples(page):
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "celestra":
                    names |= {alias.name for alias in node.names}
    return names


def _examples(page: Path) -> list[ast.Module]:
    out = []
    for block in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
        try:
            out.append(ast.parse(block))
        except SyntaxError:
            continue  # an example that is not Python (Celestra's docs have one)
    return out


def _receiver_class(node: ast.expr, variables: dict[str, str]) -> str | None:
    """The class of the object a chain ``Class(...).a().b()`` (or ``var.a()``) evaluates to."""
    if isinstance(node, ast.Name):
        return variables.get(node.id, _IMPLIED.get(node.id))
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name):
        return func.id if func.id[:1].isupper() else None
    if isinstance(func, ast.Attribute):
        if func.attr == "generate":  # an output's generate() returns the output; a builder's its ResourceGenerator
            owner = _receiver_class(func.value, variables)
            return owner if owner is None or owner.endswith("Output") else "ResourceGenerator"
        if func.attr in _QUERIES or func.attr.startswith(("get_", "list_")):
            return None
        return _receiver_class(func.value, variables)
    return None


def documented_methods() -> dict[str, dict[str, set[str]]]:
    """``{class: {method: {page, ...}}}`` for every method call the examples make on a class's objects."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for page in PAGES:
        where = page.relative_to(CELESTRA).as_posix()
        for tree in _examples(page):
            variables: dict[str, str] = {}
            for statement in ast.walk(tree):
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                    target = statement.targets[0]
                    cls = _receiver_class(statement.value, variables)
                    if isinstance(target, ast.Name) and cls:
                        variables[target.id] = cls
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    cls = _receiver_class(node.func.value, variables)
                    if cls:
                        found[cls][node.func.attr].add(where)
    return found


if __name__ == "__main__":
    import pykro.builders as builders

    for cls, methods in sorted(documented_methods().items()):
        target = getattr(builders, cls, None)
        missing = sorted(m for m in methods if target is None or not hasattr(target, m))
        if target is None or missing:
            print(f"{cls}{' (absent)' if target is None else ''}: {' '.join(missing)}")
    print("absent names:", sorted(n for n in public_names() | imported_names() if not hasattr(builders, n)))
