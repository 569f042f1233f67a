"""One scan: every rule and the takeover detector over the access events, and the tally by rule.

`scan` is what `codingwatch provenance check` prints and what the app's scan (the CLI's
`provenance scan`, `manage provenance_scan`) stores: both call it, so they always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from codingwatch.provenance import rules
from codingwatch.provenance import takeover as tk
from codingwatch.provenance.inputs import Alert, Settings, to_alerts


@dataclass
class ScanOutcome:
    """What one scan found: the number of events read, the alerts (rules first, then takeovers)
    and the takeover detector's calibration (None when it did not run)."""

    events: int
    alerts: list[Alert] = field(default_factory=list)
    calibration: tk.Calibration | None = None

    @property
    def by_rule(self) -> dict[str, int]:
        return tally(self.alerts)


def tally(alerts: Iterable) -> dict[str, int]:
    """Alerts (anything with a `rule`) counted by rule, rules in alphabetical order."""
    counts: dict[str, int] = {}
    for alert in alerts:
        counts[alert.rule] = counts.get(alert.rule, 0) + 1
    return dict(sorted(counts.items()))


def scan(events, *, roster, contracts, assignments, settings: Settings | None = None, takeover: bool = True,
         charts: bool = True, report: Callable[[str, float], None] | None = None) -> ScanOutcome:
    """Run every rule over `events` (an ibis table of access events) and, with `takeover`, the
    takeover detector; `charts` adds each takeover alert's signal charts. `report(step, fraction)`
    hears the progress. An empty table gives no alerts (and no calibration)."""
    report = report or (lambda step, fraction: None)
    settings = settings or Settings()
    total = int(events.count().to_pyarrow().as_py())
    outcome = ScanOutcome(total)
    if total:
        report("rules", 0.05)
        outcome.alerts = to_alerts(rules.run_rules(events, roster=roster, contracts=contracts,
                                                   assignments=assignments, settings=settings).to_pyarrow())
        if takeover:
            report("takeover detection", 0.45)
            result = tk.detect_takeovers(events, roster=roster, settings=settings, charts=charts)
            outcome.alerts.extend(result.alerts)
            outcome.calibration = result.calibration
    report("scanned", 0.85)
    return outcome
