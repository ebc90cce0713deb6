"""Areas keep their tables to themselves: what import-linter cannot see, checked here.

The contracts in pyproject.toml ([tool.importlinter]) forbid importing another area's
``tables``; two gaps remain, closed here: an area's ``api`` could hand out a table class all
the same (re-exported), and a new area could come without its contract.
"""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from pathlib import Path
from types import ModuleType

import creditbank
from creditbank.db import Base

ROOT = Path(__file__).resolve().parents[2]


def _areas_with(module: str) -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(creditbank.__path__)
        if info.ispkg and (Path(creditbank.__path__[0]) / info.name / f"{module}.py").exists()
    )


def _exported(module: ModuleType) -> dict[str, object]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in vars(module) if not name.startswith("_")]
    return {name: getattr(module, name) for name in names}


def test_no_area_api_exports_a_table_class() -> None:
    """``api`` modules export functions and plain data types; a table class stays private
    (``__all__`` when the module sets it, else every public name, counts as exported)."""
    found = {
        f"creditbank.{area}.api": sorted(
            name
            for name, value in _exported(importlib.import_module(f"creditbank.{area}.api")).items()
            if isinstance(value, type) and issubclass(value, Base)
        )
        for area in _areas_with("api")
    }
    exporting = {api: names for api, names in found.items() if names}
    assert not exporting, f"api modules that export table classes: {exporting}"


def test_every_areas_tables_has_its_contract() -> None:
    """Each ``creditbank.<area>.tables`` is protected by a contract of its own in pyproject."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    protected = {
        module
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "protected"
        for module in contract["protected_modules"]
        if contract["allowed_importers"][0] == module.removesuffix(".tables")
    }
    expected = {f"creditbank.{area}.tables" for area in _areas_with("tables")}
    assert expected
    assert expected == protected
