"""The formatting filters every page shares."""

import datetime
import json
from decimal import Decimal

import pytest
from django.template import Context, Template

from films.templatetags import moviedb


@pytest.mark.parametrize(
    ("value", "expected"), [(12168, "12,168"), (0, "0"), (1234567, "1,234,567"), (None, "")]
)
def test_number_groups_thousands(value, expected):
    assert moviedb.number(value) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [(42400000, "USD", "$42,400,000"), (1200000, "GBP", "£1,200,000"), (5000, "EUR", "€5,000"),
     (3250000, "DEM", "DEM 3,250,000"), (100000, "JPY", "JPY 100,000"), (None, "USD", "")],
)  # fmt: skip
def test_money_shows_the_amount_in_its_own_currency(amount, currency, shown):
    """Dollars, pounds and euros by their sign; every other currency by its ISO code."""
    assert moviedb.money(amount, currency) == shown


def test_long_date_reads_day_month_year():
    assert moviedb.long_date(datetime.date(1985, 3, 8)) == "8 March 1985"


@pytest.mark.parametrize(
    ("minutes", "text", "iso"),
    [(124, "2h 4m", "PT2H4M"), (90, "1h 30m", "PT1H30M"), (45, "45m", "PT45M"),
     (120, "2h", "PT2H"), (None, "", "")],
)  # fmt: skip
def test_runtime_and_iso_duration(minutes, text, iso):
    assert moviedb.runtime(minutes) == text
    assert moviedb.iso_duration(minutes) == iso


def test_rating_keeps_one_decimal():
    assert moviedb.rating(Decimal("7")) == "7.0"
    assert moviedb.rating(None) == ""


@pytest.mark.parametrize(
    ("score", "scale", "stars"),
    [(Decimal("4.5"), 5, Decimal("4.5")), (7, 10, Decimal("3.5")), (10, 10, 5), (0, 4, 0),
     (Decimal("2.9"), 4, Decimal("3.5"))],
)  # fmt: skip
def test_out_of_five_compares_scores_on_any_scale(score, scale, stars):
    assert moviedb.out_of_five(score, scale) == stars


def test_stars_are_read_out_as_a_number():
    html = Template("{% load moviedb %}{% stars 3.5 %}").render(Context())
    assert 'aria-label="3.5 out of 5 stars"' in html
    assert "stars__filled--7" in html


def test_jsonld_escapes_what_could_end_the_script_element():
    data = {"name": "</script><script>alert(1)</script> & co"}
    html = str(moviedb.jsonld(data))
    body = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in body
    assert ">" not in body
    assert json.loads(body) == data
