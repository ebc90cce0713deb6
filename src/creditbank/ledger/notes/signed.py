"""Signed notes (https://c2sp.org/signed-note): signing a text, opening a note.

Parsing follows Go's ``note.Open``: the same refusals, the same limit of 100 signatures,
signatures from unknown keys kept aside rather than refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from creditbank.ledger.notes.keys import (
    KEY_ID_SIZE,
    MAX_SIGNATURES,
    SIGNATURE_PREFIX,
    AmbiguousKeyError,
    InvalidSignatureError,
    MalformedKeyError,
    MalformedNoteError,
    NoteSigner,
    NoteVerifier,
    OpenedNote,
    Signature,
    UnverifiedNoteError,
    b64,
    decode_base64,
    is_utf8,
    is_valid_key_name,
)


def _check_text(text: str) -> None:
    """A note text: valid UTF-8, ending in a newline, no control character but newline."""
    if not text.endswith("\n"):
        raise MalformedNoteError("malformed note: the text must end with a newline")
    if not is_utf8(text):
        raise MalformedNoteError("malformed note: the text is not valid UTF-8")
    if any(c < " " and c != "\n" for c in text):
        raise MalformedNoteError("malformed note: the text contains a control character")


def _signature_line(signer: NoteSigner, message: bytes) -> str:
    if not is_valid_key_name(signer.name):
        raise MalformedKeyError(f"invalid signer: {signer.name!r} is not a valid key name")
    raw = signer.key_id.to_bytes(KEY_ID_SIZE, "big") + signer.sign(message)
    return f"{SIGNATURE_PREFIX}{signer.name} {b64(raw)}\n"


def sign(text: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note: ``text`` (ending in a newline), a blank line, one line per signer."""
    _check_text(text)
    if not signers:
        raise MalformedNoteError("a signed note needs at least one signature")
    if len(signers) > MAX_SIGNATURES:
        raise MalformedNoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    message = text.encode("utf-8")
    return text + "\n" + "".join(_signature_line(signer, message) for signer in signers)


def parse_signature_line(line: str) -> Signature:
    """One ``— name base64(key ID || signature)`` line, without its newline."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNoteError("malformed note: a signature line must start with '— '")
    name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
    raw = decode_base64(encoded)
    if not is_valid_key_name(name):
        raise MalformedNoteError(f"malformed note: {name!r} is not a valid key name")
    if raw is None or len(raw) <= KEY_ID_SIZE:
        raise MalformedNoteError(f"malformed note: the signature by {name} is not base64 key ID")
    return Signature(name, int.from_bytes(raw[:KEY_ID_SIZE], "big"), encoded)


def _decode_note(note: str | bytes) -> str:
    if isinstance(note, bytes):
        try:
            return note.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("malformed note: not valid UTF-8") from None
    return note


def open_note(note: str | bytes, verifiers: Iterable[NoteVerifier]) -> OpenedNote:
    """Parse ``note`` and check its signatures against the known ``verifiers``.

    Signatures from unknown keys (name and key ID not both known) are kept unverified; a
    signature from a known key must verify (:class:`InvalidSignatureError`); at least one must
    (:class:`UnverifiedNoteError`). Repeated signatures by one key are checked once.
    """
    message = _decode_note(note)
    if not is_utf8(message) or any(c < " " and c != "\n" for c in message):
        raise MalformedNoteError("malformed note: a control character or invalid UTF-8")
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("malformed note: no blank line before the signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("malformed note: the signatures must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    signatures = [parse_signature_line(line) for line in lines]

    known: dict[tuple[str, int], list[NoteVerifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_id), []).append(verifier)
    encoded_text = text.encode("utf-8")
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for signature in signatures:
        key = (signature.name, signature.key_id)
        candidates = known.get(key)
        if candidates is None:
            if signature not in unverified:
                unverified.append(signature)
            continue
        if len(candidates) > 1:
            raise AmbiguousKeyError(*key)
        if key in seen:
            continue
        seen.add(key)
        if not candidates[0].verify(encoded_text, signature.signature):
            raise InvalidSignatureError(*key)
        verified.append(signature)
    opened = OpenedNote(text, tuple(verified), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(opened)
    return opened
