"""C2SP signed notes, tlog checkpoints and tlog cosignatures, with Ed25519.

Three public formats, implemented so that an outsider checks our checkpoints with their own tools
(Go's ``golang.org/x/mod/sumdb/note``, sigsum, litewitness):

* a **signed note** (https://c2sp.org/signed-note): a text ending in a newline, a blank line, then
  signature lines ``— <key name> base64(key ID || signature)``. Key IDs are
  ``SHA-256(name || 0x0A || type || public key)[:4]``; type ``0x01`` is a plain Ed25519 signature
  of the text. Keys travel as Go's strings: the verifier key ``name+hex8+base64(0x01 || public)``
  and the private key ``PRIVATE+KEY+name+hex8+base64(0x01 || seed)``.
* a **checkpoint** (https://c2sp.org/tlog-checkpoint): the note text ``origin``, tree size, base64
  root hash, then optional extension lines.
* a **cosignature** (https://c2sp.org/tlog-cosignature, ``cosignature/v1``): a witness's note
  signature of type ``0x04`` over ``cosignature/v1\\ntime <seconds>\\n`` followed by the checkpoint
  text; the signature bytes are the 8-byte big-endian time followed by the Ed25519 signature.
  A witness's verifier key is ``name+hex8+base64(0x04 || public)``; its private key is an ordinary
  Ed25519 private key string (type ``0x01``), as ``transparency-dev/formats`` reads it.

Parsing follows Go's ``note.Open`` and ``note.NewVerifier``: the same refusals, the same limit of
100 signatures, signatures from unknown keys kept aside rather than refused. Standard library and
``cryptography`` only.

The package holds :mod:`.keys` (keys, key IDs, signature lines, errors), :mod:`.signed`
(signing and opening notes) and :mod:`.checkpoints` (checkpoints and cosignatures); it
re-exports their public names.
"""

from __future__ import annotations

from creditbank.ledger.notes.checkpoints import (
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    cosign,
    cosignature_message,
    cosignature_timestamp,
    verify_cosignature,
)
from creditbank.ledger.notes.keys import (
    COSIGNATURE_V1,
    ED25519,
    HASH_SIZE,
    MAX_SIGNATURES,
    MAX_TREE_SIZE,
    AmbiguousKeyError,
    InvalidSignatureError,
    MalformedCheckpointError,
    MalformedKeyError,
    MalformedNoteError,
    NoteError,
    NoteSigner,
    NoteVerifier,
    OpenedNote,
    Signature,
    Signer,
    UnknownKeyError,
    UnverifiedNoteError,
    Verifier,
    decode_base64,
    generate_key,
    is_valid_key_name,
    key_id,
)
from creditbank.ledger.notes.signed import (
    open_note,
    parse_signature_line,
    sign,
)

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "HASH_SIZE",
    "MAX_SIGNATURES",
    "MAX_TREE_SIZE",
    "AmbiguousKeyError",
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "InvalidSignatureError",
    "MalformedCheckpointError",
    "MalformedKeyError",
    "MalformedNoteError",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "Signature",
    "Signer",
    "UnknownKeyError",
    "UnverifiedNoteError",
    "Verifier",
    "cosign",
    "cosignature_message",
    "cosignature_timestamp",
    "decode_base64",
    "generate_key",
    "is_valid_key_name",
    "key_id",
    "open_note",
    "parse_signature_line",
    "sign",
    "verify_cosignature",
]
