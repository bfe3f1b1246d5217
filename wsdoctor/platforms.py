"""Where wsdoctor runs, and the time limits that place documents: pure data and lookups.

A stream cut after 300 s on Cloud Run, or after 350 s of silence behind an AWS NAT
gateway, is not a mystery: the platform documents that limit. Detection reads only
the environment mapping the CLI captured (Settings.environ); this module never reads
os.environ itself, so its tests are plain functions over dictionaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

IDLE = "idle"  # ends a connection after this long without traffic
LIFETIME = "lifetime"  # ends a request, job or function after this long, busy or not

TOLERANCE = 0.05  # a measurement within 5 % of a limit (or MIN_SLACK_S) matches it
MIN_SLACK_S = 1.0


@dataclass(frozen=True)
class Limit:
    """One documented limit: what it bounds, its value, and the page that says so."""

    name: str
    kind: str  # IDLE or LIFETIME
    seconds: float
    source: str


@dataclass(frozen=True)
class Platform:
    """A place wsdoctor can run, recognised by environment variables it sets."""

    id: str
    title: str
    signals: tuple[str, ...]  # any one of these set (non-empty) means we run there
    limits: tuple[Limit, ...]


_K8S = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-proxy/"
_RUN_TIMEOUT = "https://cloud.google.com/run/docs/configuring/request-timeout"
_RUN_WS = "https://cloud.google.com/run/docs/triggering/websockets"
_LAMBDA = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
_ALB = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/"
    "edit-load-balancer-attributes.html#connection-idle-timeout"
)
_NAT = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html"
    "#nat-gateway-troubleshooting-timeout"
)
_GHA = "https://docs.github.com/en/actions/reference/limits"
_GITLAB = "https://docs.gitlab.com/ci/pipelines/settings/#set-a-limit-for-how-long-jobs-can-run"

PLATFORMS: tuple[Platform, ...] = (
    Platform("kubernetes", "Kubernetes", ("KUBERNETES_SERVICE_HOST",), (
        Limit("kube-proxy conntrack idle timeout for established TCP (default)", IDLE, 86400, _K8S),
    )),
    Platform("cloud_run", "Google Cloud Run", ("K_SERVICE",), (
        Limit("request timeout, which WebSocket streams are subject to (default)", LIFETIME,
              300, _RUN_WS),
        Limit("request timeout (maximum)", LIFETIME, 3600, _RUN_TIMEOUT),
    )),
    Platform("aws_lambda", "AWS Lambda", ("AWS_LAMBDA_FUNCTION_NAME",), (
        Limit("function timeout (default)", LIFETIME, 3, _LAMBDA),
        Limit("function timeout (maximum)", LIFETIME, 900, _LAMBDA),
    )),
    Platform("ecs", "Amazon ECS",
             ("ECS_CONTAINER_METADATA_URI_V4", "ECS_CONTAINER_METADATA_URI"), (
        Limit("Application Load Balancer idle timeout (default)", IDLE, 60, _ALB),
        Limit("NAT gateway idle timeout for TCP", IDLE, 350, _NAT),
    )),
    Platform("github_actions", "GitHub Actions", ("GITHUB_ACTIONS",), (
        Limit("job execution time on GitHub-hosted runners", LIFETIME, 6 * 3600, _GHA),
    )),
    Platform("gitlab_ci", "GitLab CI", ("GITLAB_CI",), (
        Limit("project job timeout (default)", LIFETIME, 3600, _GITLAB),
    )),
)  # fmt: skip


def detect(environ: Mapping[str, str]) -> tuple[Platform, ...]:
    """Every platform whose signal is set; several at once is normal (a GitLab runner on
    Kubernetes), so all are kept, in table order."""
    return tuple(p for p in PLATFORMS if any(environ.get(name) for name in p.signals))


def signal_of(platform: Platform, environ: Mapping[str, str]) -> str:
    return next((name for name in platform.signals if environ.get(name)), platform.signals[0])


def describe(platforms: Iterable[Platform], environ: Mapping[str, str]) -> list[dict[str, object]]:
    """The detected platforms as JSON-safe data for the report's environment: facts only."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "detected_by": signal_of(p, environ),
            "limits": [
                {"name": lim.name, "kind": lim.kind, "seconds": lim.seconds, "source": lim.source}
                for lim in p.limits
            ],
        }
        for p in platforms
    ]


def matches(measured_s: float, limit_s: float) -> bool:
    """Within measurement error of the limit: the client sees a cut a little after the
    timer fires, and its own clock starts a little apart from the intermediary's."""
    return abs(measured_s - limit_s) <= max(limit_s * TOLERANCE, MIN_SLACK_S)


@dataclass(frozen=True)
class Match:
    platform: Platform
    limit: Limit
    measured_s: float

    def text(self) -> str:
        return (
            f"{self.measured_s:.1f} s matches {self.platform.title}'s documented "
            f"{self.limit.name} of {self.limit.seconds:g} s ({self.limit.source})"
        )


def limit_matches(
    measured_s: float, kinds: Iterable[str], platforms: Iterable[Platform]
) -> list[Match]:
    """The documented limits of the given kinds that a measured time sits on."""
    wanted = set(kinds)
    return [
        Match(p, lim, measured_s)
        for p in platforms
        for lim in p.limits
        if lim.kind in wanted and matches(measured_s, lim.seconds)
    ]
