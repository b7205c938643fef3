"""The fast path of canonical JSON writes exactly what rfc8785 writes."""

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from archiver.evidence.canonical import canonical_json

scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(max_codepoint=127), max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(values)
def test_fast_path_equals_rfc8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return  # lone surrogates: rfc8785 refuses, and so do we
    assert canonical_json(value) == expected


def test_big_telegram_ids_become_strings() -> None:
    assert canonical_json({"b": 2**63 - 1, "a": 1.5}) == b'{"a":1.5,"b":"9223372036854775807"}'
