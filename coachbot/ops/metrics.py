"""Prometheus metrics, fed by the core's observers (``coachbot.observe``).

Labels are bounded: command names come from the registry ("unknown" otherwise), platforms
from the adapters; workspaces and users are never labels.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram

from coachbot.observe import CommandDone, DeliveryDone, Observer

COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 6 * 3600, 24 * 3600)
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# The pipeline's results, as an operator reads them.
DELIVERY_OUTCOMES = {"sent": "sent", "permanent": "failed", "later": "retried"}


class Metrics(Observer):
    """Every metric of the process, in its own registry (one per process, or per test)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "coachbot_commands",
            "Commands and button presses answered, by command, platform and outcome "
            "(ok, bad_input, refused, unknown, error)",
            ["command", "platform", "outcome"],
            registry=r,
        )
        self.command_seconds = Histogram(
            "coachbot_command_duration_seconds",
            "Time to answer a command or button press",
            ["command"],
            buckets=COMMAND_BUCKETS,
            registry=r,
        )
        self._delivery_metrics(r)

    def _delivery_metrics(self, r: CollectorRegistry) -> None:
        self.deliveries = Counter(
            "coachbot_deliveries",
            "Scheduled prompts by outcome: sent, failed (for good), retried (left claimed "
            "for a later tick)",
            ["platform", "outcome"],
            registry=r,
        )
        self.delivery_retries = Counter(
            "coachbot_delivery_retries",
            "Extra requests a prompt took within a tick (after a 429, 5xx or timeout)",
            ["platform"],
            registry=r,
        )
        self.lag = Histogram(
            "coachbot_delivery_lag_seconds",
            "From a prompt's due time to its sending",
            ["platform"],
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.limiter_wait = Histogram(
            "coachbot_limiter_wait_seconds",
            "Waits for a rate-limit bucket before a request",
            ["platform"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.throttled = Counter(
            "coachbot_rate_limited", "429 answers from the platform", ["platform"], registry=r
        )
        self.open_leases = Gauge(
            "coachbot_open_leases",
            "Prompts this process has claimed and not yet recorded (their lease is open)",
            registry=r,
        )
        self.breaker = Enum(
            "coachbot_circuit_breaker",
            "Each platform's circuit breaker: closed (sending), open (a 5xx/timeout storm: "
            "nothing sent, prompts wait), half_open (one probe out)",
            ["platform"],
            states=["closed", "open", "half_open"],
            registry=r,
        )

    def command_done(self, event: CommandDone) -> None:
        """Count the command and observe its latency."""
        scope = event.scope
        self.commands.labels(scope.command, scope.platform, event.outcome).inc()
        self.command_seconds.labels(scope.command).observe(event.seconds)

    def delivery_done(self, event: DeliveryDone) -> None:
        """Count the prompt's outcome, its retries and, once sent, its lag."""
        outcome = DELIVERY_OUTCOMES.get(event.outcome, event.outcome)
        self.deliveries.labels(event.platform, outcome).inc()
        if event.attempts > 1:
            self.delivery_retries.labels(event.platform).inc(event.attempts - 1)
        if event.lag_seconds is not None:
            self.lag.labels(event.platform).observe(max(0.0, event.lag_seconds))

    def limiter_waited(self, platform: str, seconds: float) -> None:
        """Observe one wait for a bucket."""
        self.limiter_wait.labels(platform).observe(seconds)

    def rate_limited(self, platform: str, retry_after: float) -> None:
        """Count one 429."""
        self.throttled.labels(platform).inc()

    def leases_held(self, count: int) -> None:
        """Set the number of open leases."""
        self.open_leases.set(count)

    def breaker_changed(self, platform: str, state: str) -> None:
        """Show the breaker's new state."""
        self.breaker.labels(platform).state(state)
