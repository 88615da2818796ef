"""Where completions are reported: one record per reporting body, with its deadline and warnings.

The one home of a reporting body's name and deadline. The claim page, My Activities, the ledger, the
deadlines page, the certificates and the docs all ask these records.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Destination:
    key: str
    name: str                        # as learners and staff read it
    body: str                        # who accepts or rejects the upload
    deadline_days: int | None        # days after participation; None: no deadline of the body's own
    warn_days: tuple[int, ...] = ()  # staff are warned on these days after participation

    def deadline(self, participated_on: dt.date) -> dt.date | None:
        """The last day a completion can still be reported, or None when none applies."""
        return participated_on + dt.timedelta(days=self.deadline_days) if self.deadline_days else None


DESTINATIONS: dict[str, Destination] = {d.key: d for d in (
    # ACPE / NABP: completions must reach CPE Monitor within 60 days of participation.
    Destination("cpe_monitor", "CPE Monitor", "NABP CPE Monitor", 60, (30, 50)),
    # Florida Board of Clinical Laboratory Personnel: report to CE Broker within 30 days.
    Destination("ce_broker", "CE Broker", "CE Broker (Florida)", 30, (20,)),
    # ACCME PARS learner data: no deadline of its own (see the reporting docs).
    Destination("pars", "ACCME PARS", "ACCME PARS", None),
)}
