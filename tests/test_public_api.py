"""The public API a plugin author imports: `from wsdoctor import ...`, typed (py.typed)."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

import wsdoctor
from wsdoctor.causes import entry_problems


def test_every_export_resolves_and_all_lists_exactly_them():
    assert sorted(wsdoctor.__all__) == sorted([*wsdoctor._EXPORTS, "__version__"])
    for name in wsdoctor.__all__:
        assert getattr(wsdoctor, name) is not None, name


def test_the_sections_a_cause_may_cite_are_public_and_are_what_the_registry_accepts():
    entry = {"title": "t", "meaning": "m", "steps": ["s"], "links": []}
    for section in wsdoctor.SEED_SECTIONS:
        assert entry_problems({**entry, "section": section}) == []
    assert entry_problems({**entry, "section": "Network"})  # close is not enough


def test_the_package_says_it_is_typed():
    assert files("wsdoctor").joinpath("py.typed").is_file()
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["wsdoctor"]
