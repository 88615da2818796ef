"""Card fields on the purchase form: each bad value refused next to its field (SQLite only)."""
from __future__ import annotations

import re

import pytest

from claimserver.models import Order
from tests.factories import GOOD_CARD, buy, create_learner, login


@pytest.fixture
def db_url(tmp_path):
    """Form validation does not depend on the database: this table runs on SQLite only."""
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def _value(page: str, name: str) -> str:
    """The value an <input name=…> is rendered with."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page).group(0)
    return re.search(r'\bvalue="([^"]*)"', tag).group(1)


@pytest.mark.parametrize("changes, field, error", [
    ({"number": ""}, "number", "Enter the card number."),
    ({"number": "4242 4242 4242 4241"}, "number", "not valid; check for a typing mistake"),
    ({"number": "4242"}, "number", "12 to 19 digits"),
    ({"number": "4242-4242-abcd-4242"}, "number", "12 to 19 digits"),
    ({"expiry": ""}, "expiry", "Enter the expiry date as MM/YY."),
    ({"expiry": "13/29"}, "expiry", "MM/YY, e.g. 08/29"),
    ({"expiry": "1229"}, "expiry", "MM/YY, e.g. 08/29"),
    ({"expiry": "02/27"}, "expiry", "This card has expired."),  # the clock says March 2027
    ({"cvc": ""}, "cvc", "Enter the 3 or 4 digits"),
    ({"cvc": "12"}, "cvc", "3 or 4 digits"),
    ({"cvc": "12a"}, "cvc", "3 or 4 digits"),
    ({"number": "4111 1111 1111 1111"}, "number", "Test mode accepts only the test card"),
])
def test_bad_card_input_is_marked(client, rows, changes, field, error):
    login(client, create_learner())
    card = {**GOOD_CARD, **changes}
    r = buy(client, "journal-candida-auris", card)
    assert r.status_code == 200
    assert error in r.text
    assert f'id="{field}-error"' in r.text
    assert 'value="Ada Learner"' in r.text and f'value="{card["expiry"]}"' in r.text  # kept
    # the card number and security code are never sent back, typed right or wrong
    assert _value(r.text, "number") == "" and _value(r.text, "cvc") == ""
    digits = "".join(ch for ch in card["number"] if ch.isdigit())
    assert (len(digits) < 12 or digits not in r.text) and (not card["cvc"] or f'value="{card["cvc"]}"' not in r.text)
    assert Order.select().where(Order.status == "paid").count() == 0


@pytest.mark.parametrize("expiry", ["03/27", "3/27", "12/2030"])
def test_good_expiry_dates(client, rows, expiry):
    login(client, create_learner())
    r = buy(client, "journal-candida-auris", {**GOOD_CARD, "expiry": expiry})
    assert r.status_code == 302 and r.location.startswith("/receipts/")
