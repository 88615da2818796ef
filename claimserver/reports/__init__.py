"""Reporting: CPE Monitor, CE Broker and PARS exports from one credit ledger.

`ledger` holds every write (record_claim, sync_ledger, export, results, on_profile_changed);
`layouts` the column table of each destination; `views` the staff pages; `commands` `flask reports …`.
Templates may include `reports/_claim_status.html` with `claim` in scope (the learner's transcript).
"""
from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates", cli_group="reports")


@bp.app_context_processor
def _reporting_helpers():
    def claim_reports(claim):
        from .ledger import claim_statuses

        return claim_statuses(claim)

    return {"claim_reports": claim_reports}


from . import commands, views  # noqa: E402,F401
