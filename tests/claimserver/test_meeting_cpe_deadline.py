"""A pharmacist at the sample meeting (September 14-16, 2027) who attended ACPE sessions on its first
two days: the claim page's "claim by" date is 60 days after the first of those sessions (each session
UAN is one CPE Monitor item, due 60 days after its own session), not after the last."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from claimserver.meetings.operations import session_code
from claimserver.models import Activity
from tests.factories import buy, create_evaluation, create_learner, login

ROOT = Path(__file__).resolve().parents[2]
SLUG = "asm-clinical-microbiology-meeting-2027"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CATALOG_PATH": str(ROOT / "catalog" / "activities")}


def test_the_claim_by_date_counts_from_the_first_acpe_session(client, rows, clock):
    learner = create_learner(profession="pharmacist", degree="PharmD", nabp_epid="123456", birth_mmdd="0704")
    login(client, learner)
    clock.at = dt.datetime(2027, 9, 1, 12, 0, tzinfo=dt.timezone.utc)
    assert buy(client, SLUG).status_code == 302
    clock.at = dt.datetime(2027, 9, 17, 16, 0, tzinfo=dt.timezone.utc)
    row = Activity.get(Activity.slug == SLUG)
    for sid in ("STW-11", "STW-21"):  # Tuesday September 14 and Wednesday September 15
        r = client.post(f"/meetings/{SLUG}/code", data={"session": sid, "code": session_code(row, sid)})
        assert "is recorded" in client.get(r.location).text
        r = client.post(f"/meetings/{SLUG}/sessions/{sid}/evaluation",
                        data={"objectives_met": "yes", "bias_free": "yes", "quality": "4"})
        assert r.status_code == 303
    create_evaluation(learner, SLUG)
    page = client.get(f"/activities/{SLUG}/claim").text
    assert "ACPE contact hours (up to 1.75 contact hours)" in page
    assert "claim by <strong>November 13, 2027</strong>" in page  # September 14 + 60 days, not the 15th's
