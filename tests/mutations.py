"""Hypothesis strategies for hostile input: a seed file's bytes with a few edits of the kinds
that break importers (cuts, truncation, repeated spans, foreign bytes), and the faults each
format has met in the wild."""

from hypothesis import strategies as st

# Bytes that have broken, or could break, a reader.
FAULTS = [
    b"\x00",
    b"\x1b[31m",
    b"\x1b]0;title\x07",
    b"\r",
    b"\xc2\x85",
    b"\xff\xfe",
    b"\xe9",
    b"\xed\xa0\x80",
    b"\\ud800",
    b"\\u0000",
    b"\\u001b",
    b"9" * 5000,
    b"1" + b",000" * 1500,
    b"1e400",
    b"NaN",
    b"[" * 3000,
    b'"title": "x", ',
    b"\t",
    b"\n",
    b"\n\n",
    b"&#27;",
    b"&#xD800;",
    b"\xe2\x80\xae",
    b"\xc2\xb2",
]


@st.composite
def mutated(draw, seed: bytes, *, max_edits=4):
    """The seed with one to `max_edits` edits: a span deleted, repeated or replaced by random
    bytes or a known fault, or the rest cut off."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, max_edits))):
        start = draw(st.integers(0, len(data)))
        end = min(len(data), start + draw(st.integers(0, 200)))
        kind = draw(st.sampled_from(["delete", "repeat", "insert", "replace", "truncate"]))
        payload = draw(st.one_of(st.sampled_from(FAULTS), st.binary(min_size=1, max_size=20)))
        if kind == "delete":
            del data[start:end]
        elif kind == "repeat":
            data[start:start] = data[start:end]
        elif kind == "insert":
            data[start:start] = payload
        elif kind == "replace":
            data[start:end] = payload
        else:
            del data[start:]
    return bytes(data)


def any_text():
    """Any text at all, lone surrogates and control characters included."""
    return st.text(st.characters(categories=["Cs", "Cc", "Cf", "L", "M", "N", "P", "S", "Z"]))
