"""The registry: entry-point discovery, validation errors that name the plugin, selection."""

from __future__ import annotations

import pytest
from conftest import entry_point, registry_of
from fake_checks import Fake

from wsdoctor.errors import BadInput
from wsdoctor.registry import AUTOLOAD_OFF_ENV, Registry, RegistryError


def test_loads_checks_through_entry_points():
    registry = Registry.from_entry_points(
        [entry_point("alpha", "fake_checks:Alpha"), entry_point("beta", "fake_checks:Beta")]
    )
    assert [e.id for e in registry] == ["alpha", "beta"]
    assert registry.get("beta").entry_point == "fake_checks:Beta"


def test_duplicate_id_names_both_plugins():
    eps = [entry_point("a", "fake_checks:alpha"), entry_point("b", "fake_checks:alpha_again")]
    with pytest.raises(
        RegistryError, match=r"'alpha' is registered twice.*fake_checks:alpha_again"
    ):
        Registry.from_entry_points(eps)


def test_unknown_dependency_names_the_plugin():
    with pytest.raises(
        RegistryError, match=r"'orphan'.*fake_checks:orphan.*unknown check 'nowhere'"
    ):
        Registry.from_entry_points([entry_point("orphan", "fake_checks:orphan")])


def test_plugin_that_fails_to_import_is_named():
    with pytest.raises(RegistryError, match=r"plugin 'ghost'.*failed to load"):
        Registry.from_entry_points([entry_point("ghost", "no_such_module:check")])


def test_object_that_is_not_a_check_is_refused():
    with pytest.raises(RegistryError, match=r"plugin 'junk'.*is not a check"):
        Registry.from_entry_points([entry_point("junk", "fake_checks:not_a_check")])


def test_dependency_cycle_is_an_error():
    with pytest.raises(RegistryError, match="cycle"):
        registry_of(Fake("a", ("b",)), Fake("b", ("a",)))


def test_order_puts_dependencies_first():
    registry = registry_of(Fake("tls", ("tcp",)), Fake("tcp", ("dns",)), Fake("dns"), Fake("sdk"))
    assert [e.id for e in registry] == ["dns", "sdk", "tcp", "tls"]


def test_builtins_are_discovered_from_the_installed_distribution():
    registry = Registry.discover(environ={AUTOLOAD_OFF_ENV: "1"})
    assert "sdk" in registry
    assert all(e.source.startswith("wsdoctor ") for e in registry)


SAMPLE = registry_of(
    Fake("dns"),
    Fake("tcp", ("dns",)),
    Fake("handshake", ("tcp",)),
    Fake("idle", ("handshake",), tags=("slow",)),
    Fake("sdk"),
)


def test_only_pulls_in_dependencies_and_marks_them():
    selection = SAMPLE.select(only=["handshake"])
    assert [e.id for e in selection.checks] == ["dns", "tcp", "handshake"]
    assert selection.pulled_in == {"dns", "tcp"}


def test_skip_and_quick_remove_checks():
    assert [e.id for e in SAMPLE.select(skip=["sdk"], quick=True).checks] == [
        "dns",
        "tcp",
        "handshake",
    ]


def test_quick_keeps_a_slow_check_named_in_only():
    assert "idle" in [e.id for e in SAMPLE.select(only=["idle"], quick=True).checks]


def test_unknown_ids_are_bad_input():
    with pytest.raises(BadInput, match="unknown check id 'nope'"):
        SAMPLE.select(only=["nope"])
    with pytest.raises(BadInput, match="unknown check id 'nada'"):
        SAMPLE.select(skip=["nada"])
