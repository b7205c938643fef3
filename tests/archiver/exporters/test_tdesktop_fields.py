"""Desktop's dates in a chosen zone, and which imported file paths a re-export reuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archiver.exporters.tdesktop_fields import desktop_date, export_zone, safe_relative


def test_dates_are_written_in_the_zone_export_timezone_names() -> None:
    assert desktop_date(1704103200, export_zone("UTC")) == "2024-01-01T10:00:00"
    assert desktop_date(1704103200, export_zone("+03:00")) == "2024-01-01T13:00:00"
    assert desktop_date(1704103200, export_zone("-05:30")) == "2024-01-01T04:30:00"
    assert desktop_date(1719835200, export_zone("Europe/Paris")) == "2024-07-01T14:00:00"
    local = export_zone("local")
    assert local is None and desktop_date(0, local)  # this machine's zone, as Desktop


@pytest.mark.parametrize("name", ["Mars/Olympus", "+25:00", "3", "", "+3:00"])
def test_an_unknown_zone_is_refused(name: str) -> None:
    with pytest.raises(ValueError):
        export_zone(name)


def test_only_paths_inside_an_export_folder_are_reused() -> None:
    assert safe_relative("photos/a.jpg") == "photos/a.jpg"
    assert safe_relative("photos/../files/b.pdf") == "files/b.pdf"
    for hostile in (
        "../x/a.jpg",
        "/etc/passwd",
        "photos/../../a",
        "result.json.part",
        "a\\b/c",
        "(File not included)",
        None,
        5,
    ):
        assert safe_relative(hostile) is None, hostile


def test_offsets_are_at_most_a_day() -> None:
    assert export_zone("+23:59").utcoffset(None) == timedelta(hours=23, minutes=59)
