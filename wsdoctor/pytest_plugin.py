"""wsdoctor's pytest plugin: the `deepgram_lab` fixture, and the audit as assertions.

Registered through the `pytest11` entry point, so every pytest run in an environment
with wsdoctor loads this module: it imports nothing but pytest until a test asks for
the fixture (the lab, aiohttp and the audit load then).

    @pytest.mark.deepgram_lab(faults=["drop-after=1"], idle_timeout=2)
    def test_reconnects(deepgram_lab):
        run_my_app(deepgram_lab.url, deepgram_lab.api_key)
        deepgram_lab.assert_clean()

    @deepgram_lab_faults("drop-after=1", "net0000")   # one test per fault
    def test_survives(deepgram_lab): ...
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from .deepgram.profiles import V1  # stdlib only: cheap at collection

if TYPE_CHECKING:
    from .audit.fixture import DeepgramLab

MARKER = "deepgram_lab"
MARKER_HELP = (
    f"deepgram_lab(faults=[...], idle_timeout={V1.idle_window_s:g}, key=None): how the "
    "deepgram_lab fixture's lab behaves for this test (see `wsdoctor lab faults`)"
)


@dataclass(frozen=True)
class LabSettings:
    faults: tuple[str, ...] = ()
    idle_timeout: float = V1.idle_window_s
    key: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: {MARKER_HELP}")


def deepgram_lab_faults(*specs: str) -> pytest.MarkDecorator:
    """Parametrize a test over lab faults: one test per spec (ids are the specs)."""
    return pytest.mark.parametrize(MARKER, [(spec,) for spec in specs], indirect=True, ids=specs)


def settings_for(marks: Sequence[pytest.Mark], param: object = None) -> LabSettings:
    """The lab settings a test asked for; ValueError with a readable reason if they are wrong."""
    faults: list[str] = []
    idle, key = V1.idle_window_s, None
    for mark in marks:
        unknown = set(mark.kwargs) - {"faults", "idle_timeout", "key"}
        if mark.args or unknown:
            raise ValueError(
                f"takes only faults=, idle_timeout= and key=, got {sorted(unknown) or mark.args}"
            )
        raw = mark.kwargs.get("faults", ())
        faults += [raw] if isinstance(raw, str) else list(raw)
        idle = mark.kwargs.get("idle_timeout", idle)
        key = mark.kwargs.get("key", key)
    if isinstance(param, tuple):
        faults += list(param)
    if not isinstance(idle, int | float) or isinstance(idle, bool) or not 0 < idle < 86_400:
        raise ValueError(f"idle_timeout must be a number of seconds above 0, got {idle!r}")
    if key is not None and (not isinstance(key, str) or not key.strip()):
        raise ValueError("key must be a non-empty string")
    from .lab.faults import Faults  # stdlib only: cheap, and needed to check the names

    Faults.parse(faults)
    return LabSettings(tuple(faults), float(idle), key)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Wrong lab settings fail at collection, naming the test, not halfway through a run."""
    problems = []
    for item in items:
        marks = list(item.iter_markers(MARKER))
        callspec = getattr(item, "callspec", None)
        param = callspec.params.get(MARKER) if callspec is not None else None
        if not marks and param is None:
            continue
        try:
            settings_for(marks, param)
        except Exception as exc:  # BadInput from Faults.parse, ValueError from ours
            problems.append(f"{item.nodeid}: @pytest.mark.{MARKER}: {exc}")
    if problems:
        raise pytest.UsageError("\n".join(problems))


@pytest.fixture
def deepgram_lab(request: pytest.FixtureRequest) -> Iterator[DeepgramLab]:
    """A Deepgram lab on a free loopback port for this test, judged like `wsdoctor audit`."""
    from .audit.fixture import DeepgramLab

    settings = settings_for(
        list(request.node.iter_markers(MARKER)), getattr(request, "param", None)
    )
    lab = DeepgramLab(settings.faults, settings.idle_timeout, settings.key)
    with lab:
        yield lab
