"""pestdata.core.privacy and the disclosure rules it hands to disclosure.py: small counts in shared
views (the rounding, "< 5" and suppression tests moved to disclosure.py's names)."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from pestdata.core import disclosure, privacy

SMALL = "< 5"


@pytest.mark.parametrize(
    "count, minimum, text",
    [
        (4, 5, "< 5"),
        (1, 5, "< 5"),
        (5, 5, "5"),
        (0, 5, "< 5"),  # shared: zero looks like 1-4
        (1234, 5, "1.235"),  # shared: rounded to 5
        (1234567, 5, "1.234.565"),
        (7, 5, "5"),
        (8, 5, "10"),
        (4, None, "4"),  # the care team's view: exact
        (1, None, "1"),
        (0, None, "0"),
        (1234, None, "1.234"),
        (9, 10, "< 10"),
        (None, 5, "< 5"),  # no count in a shared view is a zero, so "< 5" as well
        (None, None, "—"),
    ],
)
def test_show_count(count, minimum, text):
    assert disclosure.show_count(count, minimum) == text


@pytest.mark.parametrize(
    "count, published",
    [(None, None), (0, None), (1, None), (4, None), (5, 5), (6, 5), (8, 10), (13, 15)],
)
def test_a_count_below_five_is_not_published_and_the_rest_is_rounded(count, published):
    assert disclosure.published(count, 5) == published


def test_a_row_shows_small_counts_as_small_and_rounds_the_rest():
    counts = [0, 1, 4, 5, 8, 1002]
    row = disclosure.published_row(counts, 5)
    assert row == [SMALL, SMALL, SMALL, 5, 10, 1000]
    assert counts == [0, 1, 4, 5, 8, 1002]  # the input is untouched
    assert not {1, 2, 3, 4} & {c for c in row if isinstance(c, int)}
    assert disclosure.published_row(counts, 2) == ["< 2", "< 2", 5, 5, 10, 1000]


def test_a_row_in_the_care_teams_view_is_exact_and_an_empty_row_stays_empty():
    assert disclosure.published_row([3, 7, 0], None) == [3, 7, 0]  # internal view: exact
    assert disclosure.published_row([], 5) == []
    assert disclosure.breakdown([("a", 3), ("b", 0)], None) == [("a", 3), ("b", 0)]


@pytest.mark.parametrize(
    "value, expected",
    [(None, 5), ("10", 10), ("3", 3), (" 7 ", 7), ("1", 1), ("0", 1), ("-4", 1)]
    + [("", 5), ("vijf", 5), ("5.5", 5), ("1e3", 5)],
)
def test_threshold_from_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("PESTDATA_MIN_COUNT", raising=False)
    else:
        monkeypatch.setenv("PESTDATA_MIN_COUNT", value)
    assert privacy.threshold() == expected


def test_shares_and_medians_over_too_few_cases_are_not_shown():
    from pestdata.core.disclosure import TOO_FEW, show_median, show_share

    assert show_share(3, 10, 5) == TOO_FEW  # the part would point to a few pupils
    assert show_share(7, 10, 5) == TOO_FEW  # so would the remainder (3 without it)
    assert show_share(7, 4, 5) == TOO_FEW  # the whole is too small
    assert show_share(7, 9, 5) == TOO_FEW  # below the base of 10
    assert show_share(6, 12, 5) == "50–60%"  # published counts 5 of 10, in a band of ten
    assert show_share(3, 10, None) == "30%"  # the care team's view: exact
    assert show_share(0, 0, 5) == "—"
    assert show_median(12.4, 4, 5) == TOO_FEW
    assert show_median(12.4, 9, 5) == TOO_FEW
    assert show_median(12.4, 10, 5) == "± 2 weken"  # whole weeks, never days
    assert show_median(12.4, 4, None) == "12 dagen"  # the care team's view: exact
    assert show_median(None, 9, 5) == "—"


def test_every_category_is_listed_and_none_is_merged_into_overig():
    # The slide: 6 reports, WhatsApp 5, Snapchat 1: below the base, no breakdown.
    assert not disclosure.base_met(6, 5)
    assert disclosure.base_met(6, None)  # the care team's view may always break down
    pairs = [("WhatsApp", 20), ("Snapchat", 1), ("TikTok", 7), ("Instagram", 2), ("Discord", 0)]
    shown = disclosure.breakdown(pairs, 5)
    assert [label for label, _ in shown] == [label for label, _ in pairs]  # all, in order
    assert "Overig" not in dict(shown)
    assert dict(shown) == {
        "WhatsApp": 20,
        "Snapchat": SMALL,
        "TikTok": 5,
        "Instagram": SMALL,
        "Discord": SMALL,  # zero and small alike: a missing label names nothing
    }
    assert disclosure.breakdown([("WhatsApp", 8), ("TikTok", 7)], 5) == [
        ("WhatsApp", 10),
        ("TikTok", 5),
    ]


def test_a_cell_more_is_hidden_while_the_total_would_give_a_small_one_away():
    # 23 reports (published 25: 23..27), WhatsApp 20 (published 20: at most 22): Snapchat
    # would hold at least one report, so WhatsApp is hidden too.
    assert disclosure.breakdown([("WhatsApp", 20), ("Snapchat", 3)], 5) == [
        ("WhatsApp", "x"),
        ("Snapchat", SMALL),
    ]
    assert disclosure.published_row([1, 2, 1, 9], 5) == [SMALL, SMALL, SMALL, "x"]
    assert disclosure.published_row([5, 6, 0], 5) == [5, 5, SMALL]  # nothing given away
    assert disclosure.published_row([3, 10], None) == [3, 10]


def named(row: list, total: int, minimum: int = 5) -> list[int]:
    """The '< 5' cells a reader of the published row and its published total can prove
    nonzero: the other cells, at most their published upper bounds, fall short of the
    total's lower bound."""
    cell = disclosure.published(total, minimum)
    low, _ = disclosure.bounds(SMALL if cell is None else cell, minimum)
    uppers = [disclosure.bounds(c, minimum)[1] for c in row]
    return [i for i, c in enumerate(row) if c == SMALL and sum(uppers) - uppers[i] < low]


def test_no_row_of_small_counts_names_a_small_cell():
    """Every row of two to four cells 0..11: the published cells and their published total
    never prove that one '< 5' holds a report, never show a count 1-4, and every shown count
    is a multiple of 5."""
    for size in (2, 3, 4):
        for counts in product(range(12), repeat=size):
            row = disclosure.published_row(list(counts), 5)
            assert not named(row, sum(counts)), (counts, row)
            for n, c in zip(counts, row, strict=True):
                assert c in (SMALL, "x") or (c % 5 == 0 and c >= 5), (counts, row)
                if n < 5:
                    assert c in (SMALL, "x"), (counts, row)


def test_a_row_of_small_cells_whose_total_would_name_them_is_hidden_whole():
    # Two months of 4 reports: total "10" (8..12) would prove both months exactly 4.
    assert disclosure.published_row([4, 4], 5) == ["x", "x"]
    # Four age bands 1, 4, 4, 4: total "15" (13..17) would prove every band nonzero.
    assert disclosure.published_row([1, 4, 4, 4], 5) == ["x"] * 4
    assert disclosure.published_row([4, 4, 4], 5) == [SMALL] * 3  # each may still be 0
    assert disclosure.published_row([4, 4], None) == [4, 4]


def test_shared_periods_are_whole_months_up_to_the_last_complete_one():
    today = date(2026, 3, 15)
    assert disclosure.shared_period(date(2025, 8, 13), date(2026, 2, 3), today, 5) == (
        date(2025, 8, 1),
        date(2026, 2, 28),
    )
    assert disclosure.shared_period(None, date(2024, 2, 1), today, 5) == (None, date(2024, 2, 29))
    assert disclosure.shared_period(None, None, today, 5) == (None, date(2026, 2, 28))
    # The running month is not counted: a period ending today ends with last month.
    assert disclosure.shared_period(date(2026, 3, 1), today, today, 5) == (
        date(2026, 3, 1),
        date(2026, 2, 28),
    )
    assert not disclosure.complete(date(2026, 3, 1), date(2026, 2, 28))
    # The care team's view keeps the days chosen.
    assert disclosure.shared_period(date(2025, 8, 13), today, today, None) == (
        date(2025, 8, 13),
        today,
    )
