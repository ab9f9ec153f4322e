"""Plain text (:mod:`rumcfn.text`): tables as the change-set view and the budget report print them, and text cut
visibly."""

from __future__ import annotations

from rumcfn.text import clipped, table


def test_columns_align_two_spaces_apart_and_empty_cells_show_a_dash():
    assert table(["a", "long header"], [["xyz", None], ["", 7]], rules=False).splitlines() == [
        "a    long header",
        "xyz  -",
        "-    7",
    ]


def test_rules_frame_the_header_and_the_title_comes_first():
    assert table(["k", "v"], [["key", "value"]], title="T").splitlines() == [
        "T", "----------", "k    v", "----------", "key  value", "----------",
    ]


def test_clipped_keeps_what_fits_and_marks_a_cut():
    assert clipped("abcde", 5) == "abcde"
    assert clipped("abcdef", 5) == "ab..."
    assert len(clipped("x" * 1000, 80)) == 80
