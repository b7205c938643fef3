from archiver.decimal_ids import parse_decimal_id


def test_plain_ascii_numbers_parse() -> None:
    assert parse_decimal_id("1234") == 1234
    assert parse_decimal_id("-1001234") == -1001234
    assert parse_decimal_id(str(2**63 - 1)) == 2**63 - 1


def test_other_digits_and_oversized_numbers_are_not_ids() -> None:
    for text in ("²", "٣٤", "１２", "", "-", "1 2", "+5", "12a", str(2**63), "9" * 5000):
        assert parse_decimal_id(text) is None, text
