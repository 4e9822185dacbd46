"""pestdata.privacy: small counts in shared views."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pestdata import privacy


@pytest.mark.parametrize(
    "count, minimum, text",
    [
        (4, 5, "< 5"),
        (1, 5, "< 5"),
        (5, 5, "5"),
        (0, 5, "0"),
        (1234, 5, "1.235"),  # shared: rounded to 5
        (1234567, 5, "1.234.565"),
        (7, 5, "5"),
        (8, 5, "10"),
        (4, None, "4"),
        (1, None, "1"),
        (1234, None, "1.234"),
        (9, 10, "< 10"),
        (None, 5, "—"),
    ],
)
def test_show_count(count, minimum, text):
    assert privacy.show_count(count, minimum) == text


@pytest.mark.parametrize(
    "count, small", [(None, False), (0, False), (1, True), (4, True), (5, False), (6, False)]
)
def test_is_small(count, small):
    assert privacy.is_small(count, 5) is small


def test_suppress_drops_small_counts_and_rounds_the_rest():
    frame = pd.DataFrame(
        {
            "month": ["2025-01"] * 6,
            "category": ["a", "b", "c", "d", "e", "f"],
            "count": [0, 1, 4, 5, 8, 1002],
        }
    )
    kept = privacy.suppress(frame, 5)
    assert list(kept["category"]) == ["a", "d", "e", "f"]
    assert list(kept["count"]) == [0, 5, 10, 1000]
    assert list(kept.index) == [0, 1, 2, 3]
    assert list(frame["category"]) == ["a", "b", "c", "d", "e", "f"]  # the input is untouched
    assert list(frame["count"]) == [0, 1, 4, 5, 8, 1002]
    assert list(privacy.suppress(frame, 2)["count"]) == [0, 5, 5, 10, 1000]


def test_suppress_another_column_and_no_minimum():
    frame = pd.DataFrame({"step": ["x", "y", "z"], "done": [3, 7, 0]})
    assert list(privacy.suppress(frame, 5, column="done")["step"]) == ["y", "z"]
    assert privacy.suppress(frame, None, column="done") is frame  # internal view: unchanged
    empty = frame.iloc[0:0]
    assert privacy.suppress(empty, 5, column="done").empty


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
    from pestdata.privacy import TOO_FEW, show_median, show_share

    assert show_share(3, 10, 5) == TOO_FEW  # the part would point to a few pupils
    assert show_share(7, 4, 5) == TOO_FEW  # the whole is too small
    assert show_share(6, 10, 5) == "60%"
    assert show_share(3, 10, None) == "30%"  # internal view: exact
    assert show_share(0, 0, 5) == "—"
    assert show_median(12.4, 4, 5) == TOO_FEW
    assert show_median(12.4, 5, 5) == "12 dagen"
    assert show_median(None, 9, 5) == "—"


def test_small_categories_are_merged_until_overig_is_not_small():
    # The slide: 6 reports, WhatsApp 5, Snapchat 1. Snapchat alone in "Overig"
    # would be 6 - 5 = 1, so WhatsApp joins it.
    assert privacy.merge_small([("WhatsApp", 5), ("Snapchat", 1)], 5) == [("Overig", 6)]
    pairs = [("WhatsApp", 20), ("Snapchat", 1), ("TikTok", 7), ("Instagram", 2)]
    assert privacy.merge_small(pairs, 5) == [("WhatsApp", 20), ("Overig", 10)]
    pairs = [("WhatsApp", 20), ("Snapchat", 3), ("TikTok", 7), ("Instagram", 2), ("Discord", 0)]
    assert privacy.merge_small(pairs, 5) == [("WhatsApp", 20), ("TikTok", 7), ("Overig", 5)]
    assert privacy.merge_small([("WhatsApp", 3), ("Snapchat", 1)], 5) == []  # 4 reports
    assert privacy.merge_small([("WhatsApp", 3), ("TikTok", 3)], 5, reports=3) == []
    assert privacy.merge_small([("WhatsApp", 3), ("TikTok", 1)], None) == [
        ("WhatsApp", 3),
        ("TikTok", 1),
    ]
    assert privacy.shared_breakdown([("WhatsApp", 8), ("TikTok", 7)], 5) == [
        ("WhatsApp", 10),
        ("TikTok", 5),
    ]


def test_a_hidden_cell_gets_a_companion_so_the_total_gives_nothing_away():
    assert privacy.hide_complementary([3, 10, 0, 6, 12], 5) == [None, 10, 0, None, 12]
    assert privacy.hide_complementary([3, 4, 0, 6, 12], 5) == [None, None, 0, 6, 12]
    assert privacy.hide_complementary([1, 2, 1, 9], 5) == [None, None, None, None]  # 1+2+1 < 5
    assert privacy.hide_complementary([5, 6, 0], 5) == [5, 6, 0]  # nothing small
    assert privacy.hide_complementary([3, 10], None) == [3, 10]
    assert privacy.shared_row([3, 10, 0, 6, 12], 5) == [None, 10, 0, None, 10]


def test_shared_periods_are_whole_months():
    assert privacy.whole_months(date(2025, 8, 13), date(2026, 2, 3)) == (
        date(2025, 8, 1),
        date(2026, 2, 28),
    )
    assert privacy.whole_months(None, date(2024, 2, 1)) == (None, date(2024, 2, 29))
    assert privacy.whole_months(None, None) == (None, None)
