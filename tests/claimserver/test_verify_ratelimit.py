"""Public verification is rate-limited per client address, with counts shared through the database."""
from __future__ import annotations

import pytest

from claimserver.models import RateLimitHit


@pytest.fixture
def app_config(app_config):
    return {**app_config, "VERIFY_RATE_PER_MINUTE": 5}


def test_repeated_guessing_is_rate_limited_per_address(ctx, client, clock):
    for i in range(5):
        assert client.get(f"/verify/AAAA-BBBB-CCCC-DDD{i}").status_code == 404
    resp = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert resp.status_code == 429 and resp.mimetype == "text/plain" and "Too many" in resp.get_data(as_text=True)
    other = client.get("/verify/AAAA-BBBB-CCCC-DDDD", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 404  # another address has its own allowance
    clock.advance(minutes=1)
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404
    assert RateLimitHit.select().count() >= 2  # the counts live in the database, shared by workers
