"""Kubernetes' ip and cidr libraries (Go's net/netip semantics: no zones, no IPv4-mapped IPv6, no leading zeros)."""

from __future__ import annotations

import ipaddress
from typing import Any

from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob, member
from pykro.cel._types import CelType

__all__ = [
    "FUNCTIONS",
    "cidr_of",
    "contains_cidr",
    "contains_ip",
    "ip_of",
    "make_cidr",
    "make_ip",
    "masked",
    "parse_cidr",
    "parse_ip",
]

S, INT, BOOL, D = CelType.STRING, CelType.INT, CelType.BOOL, CelType.DYN
OPAQUE = CelType.map_of(S, D)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(raw: str) -> Address:
    """netip.ParseAddr plus Kubernetes' extra rules."""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        raise LibraryError(
            f"IP Address {raw!r} parse error during conversion from string: ParseAddr({raw!r}): invalid IP address"
        ) from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            raise LibraryError(f"IP address {raw!r} with zone value is not allowed")
        if address.ipv4_mapped is not None:
            raise LibraryError(f"IPv4-mapped IPv6 address {raw!r} is not allowed")
    return address


def parse_cidr(raw: str) -> tuple[Address, int]:
    """netip.ParsePrefix: ``addr/bits`` with the address kept as written (not masked)."""
    error = f"network address parse error during conversion from string: netip.ParsePrefix({raw!r})"
    addr_text, slash, bits_text = raw.rpartition("/")
    if not slash:
        raise LibraryError(f"{error}: no '/'")
    if "%" in addr_text:
        raise LibraryError(f"{error}: IPv6 zones cannot be present in a prefix")
    try:
        address = ipaddress.ip_address(addr_text)
    except ValueError:
        raise LibraryError(f"{error}: ParseAddr({addr_text!r}): invalid IP address") from None
    if not bits_text.isdigit() or (len(bits_text) > 1 and bits_text[0] == "0"):
        raise LibraryError(f"{error}: bad bits after slash: {bits_text!r}")
    bits = int(bits_text)
    if bits > address.max_prefixlen:
        raise LibraryError(f"{error}: prefix length out of range")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise LibraryError(f"IPv4-mapped IPv6 address {raw!r} is not allowed")
    return address, bits


def make_ip(address: Address) -> dict[str, Any]:
    return opaque.make("ip", a=str(address))


def make_cidr(address: Address, bits: int) -> dict[str, Any]:
    return opaque.make("cidr", a=str(address), b=bits)


def ip_of(value: Any, function: str) -> Address:
    return ipaddress.ip_address(opaque.unwrap(value, "ip", function)["a"])


def cidr_of(value: Any, function: str) -> tuple[Address, int]:
    fields = opaque.unwrap(value, "cidr", function)
    return ipaddress.ip_address(fields["a"]), int(fields["b"])


def _network(address: Address, bits: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(f"{address}/{bits}", strict=False)


def _is_link_local_multicast(a: Address) -> bool:
    if a.version == 4:
        return a in ipaddress.ip_network("224.0.0.0/24")
    return (int(a) >> 112) & 0xFF0F == 0xFF02


def _is_link_local_unicast(a: Address) -> bool:
    return a in ipaddress.ip_network("169.254.0.0/16" if a.version == 4 else "fe80::/10")


def _is_global_unicast(a: Address) -> bool:
    if a.is_unspecified or a.is_loopback or a.is_multicast or _is_link_local_unicast(a):
        return False
    return not (a.version == 4 and a == ipaddress.IPv4Address("255.255.255.255"))


def contains_ip(cidr: Any, other: Any) -> bool:
    address, bits = cidr_of(cidr, "containsIP")
    ip = parse_ip(other) if isinstance(other, str) else ip_of(other, "containsIP")
    return ip.version == address.version and ip in _network(address, bits)


def contains_cidr(cidr: Any, other: Any) -> bool:
    address, bits = cidr_of(cidr, "containsCIDR")
    inner, inner_bits = parse_cidr(other) if isinstance(other, str) else cidr_of(other, "containsCIDR")
    if inner.version != address.version:
        return False
    return bits <= inner_bits and _network(address, bits).overlaps(_network(inner, inner_bits))


def masked(cidr: Any) -> dict[str, Any]:
    address, bits = cidr_of(cidr, "masked")
    return make_cidr(_network(address, bits).network_address, bits)


def _valid(parser: Any, raw: str) -> bool:
    try:
        parser(raw)
    except LibraryError:
        return False
    return True


def _to_string(value: Any) -> str:
    kind = opaque.kind_of(value)
    if kind == "cidr":
        address, bits = cidr_of(value, "string")
        return f"{address}/{bits}"
    return str(ip_of(value, "string"))


def _ip_check(check: Any, name: str) -> Any:
    return lambda value: check(ip_of(value, name))


FUNCTIONS: list[Fn] = [
    fn("ip", glob("string_to_ip", (S,), OPAQUE, lambda raw: make_ip(parse_ip(raw)))),
    fn("ip", member("cidr_ip", (OPAQUE,), OPAQUE, lambda c: make_ip(cidr_of(c, "ip")[0]))),
    fn("family", member("ip_family", (OPAQUE,), INT, lambda v: ip_of(v, "family").version)),
    fn("ip.isCanonical", glob("ip_is_canonical", (S,), BOOL, lambda raw: str(parse_ip(raw)) == raw)),
    fn("isUnspecified", member("ip_is_unspecified", (OPAQUE,), BOOL, _ip_check(lambda a: a.is_unspecified, "x"))),
    fn("isLoopback", member("ip_is_loopback", (OPAQUE,), BOOL, _ip_check(lambda a: a.is_loopback, "isLoopback"))),
    fn(
        "isLinkLocalMulticast",
        member("ip_is_link_local_multicast", (OPAQUE,), BOOL, _ip_check(_is_link_local_multicast, "x")),
    ),
    fn(
        "isLinkLocalUnicast",
        member("ip_is_link_local_unicast", (OPAQUE,), BOOL, _ip_check(_is_link_local_unicast, "x")),
    ),
    fn("isGlobalUnicast", member("ip_is_global_unicast", (OPAQUE,), BOOL, _ip_check(_is_global_unicast, "x"))),
    fn("isIP", glob("is_ip", (S,), BOOL, lambda raw: _valid(parse_ip, raw))),
    fn("string", glob("ip_or_cidr_to_string", (OPAQUE,), S, _to_string)),
    fn("cidr", glob("string_to_cidr", (S,), OPAQUE, lambda raw: make_cidr(*parse_cidr(raw)))),
    fn("containsIP", member("cidr_contains_ip", (OPAQUE, D), BOOL, contains_ip)),
    fn("containsCIDR", member("cidr_contains_cidr", (OPAQUE, D), BOOL, contains_cidr)),
    fn("prefixLength", member("cidr_prefix_length", (OPAQUE,), INT, lambda c: cidr_of(c, "prefixLength")[1])),
    fn("masked", member("cidr_masked", (OPAQUE,), OPAQUE, masked)),
    fn("isCIDR", glob("is_cidr", (S,), BOOL, lambda raw: _valid(parse_cidr, raw))),
]
