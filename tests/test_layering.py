"""community is the core: it must import neither moderation nor search."""

import ast
from pathlib import Path

from community.settings import PROJECT_ROOT


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_community_imports_neither_moderation_nor_search() -> None:
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            _imports(path) & {"moderation", "search", "main"}
        )
        for path in (PROJECT_ROOT / "community").rglob("*.py")
    }
    assert not {k: v for k, v in offenders.items() if v}
