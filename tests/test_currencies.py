"""Currency codes: ISO 4217's current and withdrawn ones, and amounts shown in their own."""

import pytest

from films.currencies import CODES, SYMBOLS, format_amount, is_currency


@pytest.mark.parametrize("code", ["USD", "GBP", "EUR", "JPY", "DEM", "FRF", "ITL", "ESP", "NLG"])
def test_current_and_withdrawn_codes_are_currencies(code):
    assert is_currency(code)


@pytest.mark.parametrize("code", ["XYZ", "usd", "US", "DOLLAR", "", "$"])
def test_anything_else_is_not(code):
    assert not is_currency(code)


def test_every_code_is_three_capital_letters_and_every_symbol_a_code():
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in CODES)
    assert set(SYMBOLS.values()) <= CODES


def test_an_amount_reads_in_its_own_currency():
    assert format_amount(42_400_000, "USD") == "$42,400,000"
    assert format_amount(3_250_000, "DEM") == "DEM 3,250,000"
