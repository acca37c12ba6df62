"""pykro's one quantity parser against the cases of Kubernetes' own tests and source.

Cases come from k8s.io/apimachinery v0.35.0 pkg/api/resource/quantity_test.go (TestQuantityParse,
TestQuantityString, TestQuantityParseEmit, TestParseQuantity, TestJSONWhitespace) and from reading the source:

* quantity.go:161 parseQuantityString: a sign, leading zeros skipped (all zeros: "0"), `num[.denom]` where both may
  be empty (:233 "we currently allow 1.G"), then suffix letters `eEinumkKMGTP`, an optional sign and digits, and
  nothing after (ErrFormatWrong).
* quantity.go:278 ParseQuantity: "" is ErrFormatWrong; the int64 path when the digits fit (:310 BinarySI
  precision `15 - len(num) - exponent*3/10 - 1`) and the scale is at least -9, keeping the input as its string
  when `scale%3 == 0` without a `000` tail or a leading zero (BinarySI: `value&7 != 0`, :332); else inf.Dec's
  SetString (:349), which wants a digit (ErrNumeric: `Pi`, `e-10`), rounded up to 1n, BinarySI capped at 2^63-1.
* suffix.go:88/:180 interpret: the decimal and binary tables, then `e`/`E` with strconv.ParseInt(…, 10, 64)
  (:190) cast to int32; anything else is ErrSuffix.
* quantity.go:425 CanonicalizeBytes and amount.go:257/:312 AsCanonicalBytes: BinarySI below 1024 or fractional is
  printed as DecimalSI, the exponent is floored to a multiple of 3, and a DecimalSI exponent past 18 has no
  suffix in 1.35, so it is dropped; quantity.go:680 String; :733 UnmarshalJSON trims spaces first."""

from __future__ import annotations

import random

import jsonschema_rs
import pytest

from pykro.cel._library.base import LibraryError
from pykro.cel._library.quantity import (
    FORMAT_WRONG,
    GO_SPACE,
    NUMERIC_WRONG,
    SUFFIX_WRONG,
    canonical,
    parse,
    parse_quantity,
    unmarshal,
)
from pykro.schema._kubernetes import QUANTITY_PATTERN

# (written, Quantity.String() of the parsed value)
STRINGS = [
    # TestQuantityString: the canonical form parses to itself; the "alternate" spelling prints it
    ("1Gi", "1Gi"),
    ("1024Mi", "1Gi"),
    ("300Mi", "300Mi"),
    ("307200Ki", "300Mi"),
    ("1001Gi", "1001Gi"),
    ("1025024Mi", "1001Gi"),
    ("1024Gi", "1Ti"),
    ("5000m", "5"),
    ("0.5", "500m"),
    ("1000M", "1G"),
    ("0.001T", "1G"),
    ("1000u", "1m"),
    ("1.08", "1080m"),
    ("1080000000n", "1080m"),
    (".001e12", "1e9"),
    ("0.001e0", "1e-3"),
    ("1000e-12", "1e-9"),
    ("00", "0"),
    ("1025", "1025"),
    ("1234567M", "1234567M"),
    ("80e-3", "80e-3"),
    # TestQuantityParseEmit
    ("1Ki", "1Ki"),
    ("1000M", "1G"),
    (".001Ki", "1024m"),
    (".000001Ki", "1024u"),
    (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
    ("-1024Mi", "-1Gi"),
    ("-.001Ki", "-1024m"),
    # TestParseQuantity (values past int64)
    ("999999999999999999.1", "999999999999999999100m"),
    ("1000000000000000000", "1E"),
    ("-1000000000000000000.0", "-1E"),
    ("9999999999999999999000m", "9999999999999999999"),
    ("-1.0000000000000000001E", "-1000000000000000000100m"),
    ("10000000000000000000000m", "10E"),
    ("9223372036854775808.1", "9223372036854775808100m"),
    # TestQuantityParse values, printed by CanonicalizeBytes
    ("1000m", "1"),
    ("1.5Gi", "1536Mi"),
    ("9Ei", "9223372036854775807"),
    ("3.001n", "4n"),
    ("1.1E-9", "2e-9"),
    ("0.5e-9", "1e-9"),
    ("100.035k", "100.035k"),  # kept: scale 0, no 000 tail
    ("0.0005k", "500m"),
    ("1.2e3", "1200"),
    # read from ParseQuantity: the input is kept when Go's quick test finds it canonical
    ("1.500", "1.500"),
    ("+1", "+1"),
    ("1E3", "1E3"),
    ("1.", "1."),
    ("Gi", "0"),
    ("1000E", "1"),  # 10^21: no DecimalSI suffix, dropped (kubernetes#140459 fixes it after 1.35)
]


@pytest.mark.parametrize(("written", "printed"), STRINGS)
def test_canonical_form_is_what_go_prints(written: str, printed: str) -> None:
    assert canonical(written) == printed
    assert parse_quantity(printed) == parse_quantity(written) or printed == "1"


# (input, accepted?) with Go's error when refused
VERDICTS: list[tuple[str, str | None]] = [
    # TestQuantityParse: valid, including "things written by trolls", and invalid
    ("0", None),
    ("1.G", None),
    (".001", None),
    (".0001k", None),
    ("1.", None),
    ("12E", None),
    ("0.5e-1", None),
    ("1.3E+6", None),
    ("9223372036854775807Ki", None),
    ("1.1.M", FORMAT_WRONG),
    ("1+1.0M", FORMAT_WRONG),
    ("0.1mi", SUFFIX_WRONG),
    ("0.1am", FORMAT_WRONG),
    ("aoeu", FORMAT_WRONG),
    (".5i", SUFFIX_WRONG),
    ("1i", SUFFIX_WRONG),
    ("-3.01i", SUFFIX_WRONG),
    ("-3.01e-", SUFFIX_WRONG),
    (" 1", FORMAT_WRONG),
    ("1 ", FORMAT_WRONG),
    ("", FORMAT_WRONG),
    # TestParseQuantityString: a lone point is zero
    (".", None),
    ("-.", None),
    # read from the source
    ("+", None),  # the zero-stripping loop reaches the end: "0"
    ("Gi", None),  # num defaults to "0"; Ki..Ti take the int64 path
    ("Ti", None),
    ("Pi", NUMERIC_WRONG),  # precision < 0: inf.Dec SetString("") finds no digit
    ("-.Ei", NUMERIC_WRONG),
    ("0Pi", None),
    ("m", None),
    ("E", None),
    ("e3", None),
    ("e-9", None),  # scale -9 still takes the int64 path
    ("e-10", NUMERIC_WRONG),
    ("0e-10", None),
    ("1e", SUFFIX_WRONG),  # a lone e is not in the tables and has no exponent
    ("1K", SUFFIX_WRONG),
    ("1ki", SUFFIX_WRONG),
    ("1ee3", SUFFIX_WRONG),
    ("1e3.5", FORMAT_WRONG),
    ("1e+", SUFFIX_WRONG),
    ("1e0003", None),
    ("1e9223372036854775807", None),
    ("1e9223372036854775808", SUFFIX_WRONG),  # strconv.ParseInt out of range
    ("1e-9223372036854775808", None),
    ("1e-9223372036854775809", SUFFIX_WRONG),
    ("1_000", FORMAT_WRONG),
    ("١", FORMAT_WRONG),  # an Arabic-Indic digit: Go's scanner takes ASCII digits only
    ("0x10", FORMAT_WRONG),
]


@pytest.mark.parametrize(("text", "error"), VERDICTS)
def test_parse_accepts_and_refuses_what_go_does(text: str, error: str | None) -> None:
    if error is None:
        parse(text)
    else:
        with pytest.raises(LibraryError) as caught:
            parse(text)
        assert str(caught.value) == error


def test_json_whitespace_and_numbers() -> None:
    """TestJSONWhitespace: UnmarshalJSON trims Go's spaces around the text; a JSON number is parsed as its text."""
    assert canonical(" 1".strip(GO_SPACE)) == "1"
    assert unmarshal(" 1\u00a0").value == 1
    assert unmarshal(-1).value == -1
    assert unmarshal(0.5).value == parse_quantity("500m")
    with pytest.raises(LibraryError, match="regular expression"):
        unmarshal(True)


def _pattern_accepts() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for({"type": "string", "pattern": QUANTITY_PATTERN})


def _go_accepts(text: str) -> bool:
    try:
        unmarshal(text)
    except LibraryError:
        return False
    return True


@pytest.mark.parametrize("text", [text for text, _ in VERDICTS] + [" 1Gi\u3000", "\ufeff1", "\t"])
def test_offline_pattern_gives_go_verdicts(text: str) -> None:
    """The pattern pykro checks templates with (run by jsonschema-rs, as offline validation does) agrees with
    UnmarshalJSON (spaces around trimmed, then the verdicts above) on every case."""
    assert _pattern_accepts().is_valid(text) == _go_accepts(text)


def test_offline_pattern_agrees_with_the_parser_on_generated_text() -> None:
    """Seeded strings over the characters the grammar cares about: the pattern and the parser agree on each."""
    rng = random.Random(20261206)
    alphabet = "0019.+-eEKMGTPinumk i"
    validator = _pattern_accepts()
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
        assert validator.is_valid(text) == _go_accepts(text), repr(text)
