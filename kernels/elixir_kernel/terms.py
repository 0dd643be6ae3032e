"""Erlang external term format <-> plain Python values, for the channel to the BEAM.

Python sends tuples whose tags are atoms (``atom("execute")``), strings (as
Elixir binaries), numbers and option dicts (atom keys); what
the BEAM sends back becomes str (binaries, atoms), bool/None (true/false/nil),
lists, tuples and dicts, ready to put in Jupyter messages.
"""

from __future__ import annotations

import erlang

Atom = erlang.OtpErlangAtom


def atom(name: str) -> erlang.OtpErlangAtom:
    return Atom(name.encode())


def encode(value) -> bytes:
    return erlang.term_to_binary(_to_erlang(value))


def _to_erlang(value):
    if isinstance(value, str):
        return erlang.OtpErlangBinary(value.encode("utf-8"))
    if isinstance(value, tuple):
        return tuple(_to_erlang(v) for v in value)
    if isinstance(value, list):
        return [_to_erlang(v) for v in value]
    if isinstance(value, dict):
        return {_to_erlang_key(k): _to_erlang(v) for k, v in value.items()}
    return value


def _to_erlang_key(key):
    # Option maps are keyed by atoms on the BEAM side.
    return atom(key) if isinstance(key, str) else key


def decode(data: bytes):
    return _to_python(erlang.binary_to_term(data))


_ATOMS = {b"true": True, b"false": False, b"nil": None}


def _to_python(term):
    if isinstance(term, bytes):
        # STRING_EXT: Erlang's compact encoding of a list of small integers.
        # Our protocol sends text as binaries, so this is data: keep it a list.
        return list(term)
    if isinstance(term, Atom):
        name = term.value if isinstance(term.value, bytes) else bytes(term.value)
        return _ATOMS.get(name, name.decode("utf-8"))
    if isinstance(term, erlang.OtpErlangBinary):
        return term.value.decode("utf-8", errors="replace")
    if isinstance(term, tuple):
        return tuple(_to_python(t) for t in term)
    if isinstance(term, list):
        return [_to_python(t) for t in term]
    if isinstance(term, erlang.OtpErlangList):
        return [_to_python(t) for t in term.value]
    if isinstance(term, dict):
        return {_to_python(k): _to_python(v) for k, v in term.items()}
    return term
