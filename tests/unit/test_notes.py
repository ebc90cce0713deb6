"""Signed notes, checkpoints and cosignatures against other implementations' known answers.

Vectors come from two independent implementations, copied verbatim:

* Go's ``golang.org/x/mod/sumdb/note`` tests (``sumdb/note/note_test.go``: ``TestNewVerifier``,
  ``TestNewSigner``, ``TestSign``, ``TestVerifierList``, ``TestOpen``): the PeterNeumann and
  EnochRoot keys and their signed note.
* sigsum-go's ``pkg/checkpoint/checkpoint_test.go``: a real sum.golang.org checkpoint and key
  (``TestGoSumDBCheckpoint``), a checkpoint signed by the Ed25519 seed ``{17, 0, ...}``
  (``TestCheckpointSigned``) and that key's ``cosignature/v1`` at time 1234
  (``TestCheckpointVerifyCosignatureByKey``).
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditbank.ledger.notes import (
    COSIGNATURE_V1,
    ED25519,
    AmbiguousKeyError,
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    InvalidSignatureError,
    MalformedCheckpointError,
    MalformedKeyError,
    MalformedNoteError,
    NoteError,
    Signature,
    Signer,
    UnknownKeyError,
    UnverifiedNoteError,
    Verifier,
    cosign,
    cosignature_timestamp,
    generate_key,
    key_id,
    open_note,
    sign,
    verify_cosignature,
)

# --- golang.org/x/mod sumdb/note/note_test.go ---------------------------------------------------
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
    "KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd"
    "1RvMc+QQ=\n"
)
PETER = Signature(
    "PeterNeumann",
    0xC74F20A3,
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
)
ENOCH = Signature(
    "EnochRoot",
    0xAF0CFE78,
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=",
)

# --- sigsum-go pkg/checkpoint/checkpoint_test.go ------------------------------------------------
# TestGoSumDBCheckpoint: "Retrieved from https://sum.golang.org/latest, 2024-09-23", and the
# checksum database's key from cmd/go/internal/modfetch/key.go.
SUMDB_CHECKPOINT = (
    "go.sum database tree\n"
    "30055305\n"
    "mXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=\n"
    "\n"
    "— sum.golang.org Az3grpgEild5qw7+5dtV13Kf1C2Xurm8q4fhdxvcsDHnqNTaxL2AFjBY+2TyGKevucFcAAlWFJJ"
    "Yle3EJlDCrQ+y3A8=\n"
)
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
# crypto.NewEd25519Signer(&crypto.PrivateKey{17}): the seed 17 followed by 31 zero bytes.
SEVENTEEN = Ed25519PrivateKey.from_private_bytes(bytes([17]) + bytes(31))
SIGSUM_ORIGIN = (
    "sigsum.org/v1/tree/e796172b92befd62d9dc67e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69"
)
SIGSUM_ROOT = bytes([28, 14, 71]) + bytes(29)  # Base64 "HA5H..."
SIGSUM_SIGNED = (  # validCheckpointASCII
    f"{SIGSUM_ORIGIN}\n"
    "10\n"
    "HA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    "\n"
    f"— {SIGSUM_ORIGIN} gJ2ho0n8F8olcerUF1FFdv235A/5as/coWrpLrtE7ovMeP5whgwouYExowG/lTznxu6OUGjjt5y"
    "JQ6bXtTcf718MqAQ=\n"
)
# TestCheckpointVerifyCosignatureByKey: the second line, by key name example.org/witness at
# time 1234 on testCheckpoint (origin example.org/log, size 10, root "HA5H...").
SIGSUM_COSIGNATURE = (
    "— example.org/witness ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0L"
    "VRqHXI2kpEBSki5RTXFtxz1vo9+Cg==\n"
)
SIGSUM_CHECKPOINT = Checkpoint("example.org/log", 10, SIGSUM_ROOT)


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


# --- keys -------------------------------------------------------------------------------------


def test_go_verifier_key_is_read() -> None:
    verifier = Verifier.from_verifier_key(PETER_VKEY)
    assert (verifier.name, verifier.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert verifier.verifier_key() == PETER_VKEY


def test_every_mangled_go_verifier_key_is_refused() -> None:
    # TestNewVerifier: every proper substring and every single-byte increment is refused.
    raw = PETER_VKEY.encode()
    mangled = [raw[i:j] for i in range(len(raw) + 1) for j in range(i + 1, len(raw) + 1)] + [
        raw[:i] + bytes([raw[i] + 1]) + raw[i + 1 :] for i in range(len(raw))
    ]
    for candidate in mangled:
        if candidate == raw:
            continue
        with pytest.raises(MalformedKeyError):
            Verifier.from_verifier_key(candidate.decode())


@pytest.mark.parametrize(
    ("vkey", "fault"),
    [
        # TestNewVerifier: wrong length key, with adjusted key hash
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "32 bytes",
        ),
        # TestNewVerifier: unknown algorithm, with adjusted key hash
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key type 0x65"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name"),
        ("PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hexadecimal"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW====", "base64"),
    ],
)
def test_bad_verifier_keys_are_refused_with_the_fault(vkey: str, fault: str) -> None:
    with pytest.raises(MalformedKeyError, match=fault):
        Verifier.from_verifier_key(vkey)


def test_go_private_key_is_read_and_matches_its_verifier() -> None:
    signer = Signer.from_private_key(PETER_SKEY)
    assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert signer.verifier_key() == PETER_VKEY


def test_every_mangled_go_private_key_is_refused() -> None:
    # TestNewSigner: every proper substring and every single-byte increment is refused.
    raw = PETER_SKEY.encode()
    mangled = [raw[i:j] for i in range(len(raw) + 1) for j in range(i + 1, len(raw) + 1)] + [
        raw[:i] + bytes([raw[i] + 1]) + raw[i + 1 :] for i in range(len(raw))
    ]
    for candidate in mangled:
        if candidate == raw:
            continue
        with pytest.raises(MalformedKeyError):
            Signer.from_private_key(candidate.decode())


def test_generated_keys_sign_and_verify() -> None:
    private, vkey = generate_key("bank.example/log")
    signer = Signer.from_private_key(private)
    verifier = Verifier.from_verifier_key(vkey)
    assert private.startswith("PRIVATE+KEY+bank.example/log+")
    assert signer.verifier_key() == vkey
    assert (signer.name, signer.key_id) == (verifier.name, verifier.key_id)
    assert open_note(sign("hi\n", [signer]), [verifier]).text == "hi\n"


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "nb\u00a0sp", "ideo\u3000sp"])
def test_invalid_key_names_are_refused(name: str) -> None:
    with pytest.raises(MalformedKeyError, match="key name"):
        generate_key(name)
    with pytest.raises(MalformedKeyError, match="key name"):
        Signer(name, SEVENTEEN)


def test_key_id_is_the_spec_hash() -> None:
    # signed-note: key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]
    public = base64.b64decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")[1:]
    assert key_id("PeterNeumann", ED25519, public) == 0xC74F20A3


# --- signing ----------------------------------------------------------------------------------


def test_go_signed_note_is_reproduced_exactly() -> None:
    # TestSign: Ed25519 is deterministic, so our note is byte for byte Go's.
    assert sign(TEXT, [Signer.from_private_key(PETER_SKEY)]) == TEXT + "\n" + PETER_SIG


def test_sigsum_checkpoint_signature_is_reproduced_exactly() -> None:
    # TestCheckpointSigned: the key name is the origin; key ID hashes type 0x01.
    checkpoint = Checkpoint(SIGSUM_ORIGIN, 10, SIGSUM_ROOT)
    assert sign(checkpoint.body(), [Signer(SIGSUM_ORIGIN, SEVENTEEN)]) == SIGSUM_SIGNED


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("abc", "end with a newline"),  # TestSign: short text
        ("", "end with a newline"),
        ("tab\there\n", "control character"),
        ("carriage\r\n", "control character"),
        ("lone \udc80 surrogate\n", "UTF-8"),
    ],
)
def test_sign_refuses_a_text_it_could_not_open(text: str, fault: str) -> None:
    with pytest.raises(MalformedNoteError, match=fault):
        sign(text, [Signer.from_private_key(PETER_SKEY)])


def test_sign_needs_a_signer_with_a_valid_name() -> None:
    class BadSigner:  # TestSign: a signer whose name is "bad name"
        name = "bad name"
        key_id = 1

        def sign(self, message: bytes) -> bytes:
            return message

    with pytest.raises(MalformedNoteError, match="at least one"):
        sign(TEXT, [])
    with pytest.raises(MalformedKeyError, match="invalid signer"):
        sign(TEXT, [BadSigner()])


def test_a_note_keeps_blank_lines_inside_its_text() -> None:
    signer = Signer.from_private_key(PETER_SKEY)
    text = "first paragraph\n\nsecond paragraph\n"
    assert open_note(sign(text, [signer]), [signer.verifier()]).text == text


# --- opening ----------------------------------------------------------------------------------


def test_go_open_one_verified_one_unknown() -> None:
    opened = open_note(
        TEXT + "\n" + PETER_SIG + ENOCH_SIG, [Verifier.from_verifier_key(PETER_VKEY)]
    )
    assert opened.text == TEXT
    assert opened.verified == (PETER,)
    assert opened.unverified == (ENOCH,)


def test_go_open_both_verified_and_bytes_accepted() -> None:
    verifiers = [Verifier.from_verifier_key(PETER_VKEY), Verifier.from_verifier_key(ENOCH_VKEY)]
    opened = open_note((TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode(), verifiers)
    assert opened.verified == (PETER, ENOCH)
    assert opened.unverified == ()


def test_go_open_without_a_known_key_keeps_the_parsed_note() -> None:
    with pytest.raises(UnverifiedNoteError, match="no signature from a known key") as caught:
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])
    assert caught.value.note.verified == ()
    assert caught.value.note.unverified == (PETER, ENOCH)


def test_go_open_duplicated_verifier_is_ambiguous_only_when_used() -> None:
    enoch = Verifier.from_verifier_key(ENOCH_VKEY)
    peter = Verifier.from_verifier_key(PETER_VKEY)
    with pytest.raises(AmbiguousKeyError, match=r"ambiguous key EnochRoot\+af0cfe78"):
        open_note(TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch])
    assert open_note(TEXT + "\n" + PETER_SIG, [enoch, peter, enoch]).verified == (PETER,)


def test_go_open_refuses_more_than_100_signatures() -> None:
    for verifiers in ([Verifier.from_verifier_key(PETER_VKEY)], []):
        with pytest.raises(MalformedNoteError, match="more than 100"):
            open_note(TEXT + "\n" + PETER_SIG * 101, verifiers)


def test_go_open_refuses_an_invalid_signature_from_a_known_key() -> None:
    # Go slices bytes: "ABCD" goes in at byte 60 of the UTF-8 line.
    line = PETER_SIG.encode()
    tampered = (line[:60] + b"ABCD" + line[60:]).decode()
    with pytest.raises(
        InvalidSignatureError, match=r"invalid signature for key PeterNeumann\+c74f20a3"
    ):
        open_note(TEXT + "\n" + tampered, [Verifier.from_verifier_key(PETER_VKEY)])


def test_go_open_checks_a_known_key_once_and_keeps_unknown_lines_once() -> None:
    enoch_line = ENOCH_SIG.encode()
    enoch_abcd = (enoch_line[:60] + b"ABCD" + enoch_line[60:]).decode()
    note = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd
    opened = open_note(note, [Verifier.from_verifier_key(PETER_VKEY)])
    assert opened.verified == (PETER,)
    assert opened.unverified == (
        ENOCH,
        Signature(
            "EnochRoot",
            0xAF0CFE78,
            "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n"
            "ABCD"
            "2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=",
        ),
    )


@pytest.mark.parametrize(
    "note",
    [
        # TestOpen: invalid encoded message syntax
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        ("\x01" + TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (
            TEXT
            + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqf"
            "qdngotpRZb6KE6RyyBwJnAM="
        ).encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
        # and ours: a dash that is not an em dash, a signature too short for a key ID
        (TEXT + "\n- PeterNeumann " + PETER.base64 + "\n").encode(),
        (TEXT + "\n— PeterNeumann AAAAAA==\n").encode(),
        (TEXT + "\n— PeterNeumann \n").encode(),
    ],
)
def test_go_open_refuses_malformed_notes(note: bytes) -> None:
    with pytest.raises(MalformedNoteError, match="malformed note"):
        open_note(note, [Verifier.from_verifier_key(PETER_VKEY)])


def test_a_note_signed_by_the_wrong_key_of_a_known_name_is_unverified() -> None:
    # Same name, other key ID: ignored, as the spec says, so no known key signed.
    other = Signer("PeterNeumann", SEVENTEEN)
    with pytest.raises(UnverifiedNoteError):
        open_note(sign(TEXT, [other]), [Verifier.from_verifier_key(PETER_VKEY)])


# --- checkpoints ------------------------------------------------------------------------------


def test_sumdb_checkpoint_verifies_and_parses() -> None:
    # The key name (sum.golang.org) need not be the origin, which here contains spaces.
    opened = open_note(SUMDB_CHECKPOINT, [Verifier.from_verifier_key(SUMDB_VKEY)])
    checkpoint = Checkpoint.parse(opened.text)
    assert checkpoint.origin == "go.sum database tree"
    assert checkpoint.size == 30055305
    assert checkpoint.root_hash == base64.b64decode("mXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=")
    assert checkpoint.body() == opened.text


def test_checkpoint_body_round_trips_with_extensions() -> None:
    checkpoint = Checkpoint("bank.example/log", 7, bytes(range(32)), ("ext one", "ext two"))
    body = checkpoint.body()
    assert body == (
        "bank.example/log\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\next one\next two\n"
    )
    assert Checkpoint.parse(body) == checkpoint


ROOT64 = "HA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        (f"o\n1\n{ROOT64}", "end with a newline"),
        ("o\n1\n", "needs an origin, a tree size and a root hash"),
        (f"o\n012\n{ROOT64}\n", "'012' is not a decimal number without leading zeros"),
        (f"o\n-1\n{ROOT64}\n", "'-1' is not a decimal"),
        (f"o\n+5\n{ROOT64}\n", "'\\+5' is not a decimal"),
        (f"o\n1_000\n{ROOT64}\n", "'1_000' is not a decimal"),
        (f"o\n\u0661\u0662\n{ROOT64}\n", "is not a decimal"),
        (f"o\n 5\n{ROOT64}\n", "is not a decimal"),
        (f"o\n\n{ROOT64}\n", "'' is not a decimal"),
        (f"o\n{2**63}\n{ROOT64}\n", "out of range"),
        ("o\n1\nnot base64!\n", "root hash 'not base64!' is not base64"),
        ("o\n1\nHA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", "root hash is 31 bytes"),
        ("o\n1\nHA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n", "not canonical base64"),
        (f"o\n1\n{ROOT64}\n\n", "extension line is empty"),
        (f"\n1\n{ROOT64}\n", "origin is empty"),
        (f"o\x7f\x01\n1\n{ROOT64}\n", "origin contains"),
        (f"o\n1\n{ROOT64}\next\ttab\n", "extension line contains"),
    ],
)
def test_malformed_checkpoints_are_refused_naming_the_fault(body: str, fault: str) -> None:
    with pytest.raises(MalformedCheckpointError, match=fault):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("origin", "size", "root", "fault"),
    [
        ("o", -1, bytes(32), "out of range"),
        ("o", True, bytes(32), "out of range"),
        ("o", 1, bytes(31), "31 bytes"),
        ("two\nlines", 1, bytes(32), "origin contains"),
    ],
)
def test_checkpoint_fields_are_checked(origin: str, size: int, root: bytes, fault: str) -> None:
    with pytest.raises(MalformedCheckpointError, match=fault):
        Checkpoint(origin, size, root)


# --- cosignatures -----------------------------------------------------------------------------


def sigsum_witness_vkey() -> str:
    # The key ID cacf2e50 is the first four bytes ("ys8uUA") of sigsum's cosignature line.
    public = base64.b64encode(bytes([COSIGNATURE_V1]) + raw_public(SEVENTEEN)).decode()
    return f"example.org/witness+cacf2e50+{public}"


def test_sigsum_cosignature_is_reproduced_exactly() -> None:
    signer = CosignatureSigner("example.org/witness", SEVENTEEN)
    assert cosign(SIGSUM_CHECKPOINT, signer, timestamp=1234) == SIGSUM_COSIGNATURE
    assert signer.verifier_key() == sigsum_witness_vkey()


def test_sigsum_cosignature_verifies_and_gives_its_time() -> None:
    verifier = CosignatureVerifier.from_verifier_key(sigsum_witness_vkey())
    assert verify_cosignature(SIGSUM_CHECKPOINT, SIGSUM_COSIGNATURE, verifier) == 1234


def test_a_cosigned_checkpoint_opens_with_log_and_witness_keys() -> None:
    log = Signer.from_private_key(PETER_SKEY)
    note = sign(SIGSUM_CHECKPOINT.body(), [log]) + SIGSUM_COSIGNATURE
    witness = CosignatureVerifier.from_verifier_key(sigsum_witness_vkey())
    opened = open_note(note, [log.verifier(), witness])
    assert [s.name for s in opened.verified] == ["PeterNeumann", "example.org/witness"]
    assert cosignature_timestamp(opened.verified[1]) == 1234
    # Without the witness key the cosignature is merely kept.
    assert open_note(note, [log.verifier()]).unverified[0].name == "example.org/witness"


def test_a_cosignature_on_another_checkpoint_or_time_is_invalid() -> None:
    verifier = CosignatureVerifier.from_verifier_key(sigsum_witness_vkey())
    grown = Checkpoint("example.org/log", 11, SIGSUM_ROOT)
    with pytest.raises(InvalidSignatureError, match=r"example\.org/witness"):
        verify_cosignature(grown, SIGSUM_COSIGNATURE, verifier)
    raw = bytearray(base64.b64decode(SIGSUM_COSIGNATURE.rsplit(maxsplit=1)[-1]))
    raw[11] += 1  # time 1235
    retimed = f"— example.org/witness {base64.b64encode(raw).decode()}\n"
    with pytest.raises(InvalidSignatureError):
        verify_cosignature(SIGSUM_CHECKPOINT, retimed, verifier)


def test_a_cosignature_by_another_key_is_not_taken_for_the_witness() -> None:
    private, _ = generate_key("example.org/witness")
    verifier = CosignatureSigner.from_private_key(private).verifier()
    with pytest.raises(UnknownKeyError, match=r"by key example.org/witness\+cacf2e50"):
        verify_cosignature(SIGSUM_CHECKPOINT, SIGSUM_COSIGNATURE, verifier)


def test_witness_keys_come_from_ordinary_private_keys_and_type_4_vkeys() -> None:
    private, log_vkey = generate_key("witness.example/w1")
    signer = CosignatureSigner.from_private_key(private, clock=lambda: 1_700_000_000.9)
    vkey = signer.verifier_key()
    public = base64.b64decode(vkey.split("+", 2)[2])
    assert public[0] == COSIGNATURE_V1
    assert signer.key_id == key_id("witness.example/w1", COSIGNATURE_V1, public[1:])
    assert signer.key_id != Signer.from_private_key(private).key_id
    verifier = CosignatureVerifier.from_verifier_key(vkey)
    assert verifier.verifier_key() == vkey
    line = cosign(SIGSUM_CHECKPOINT, signer)
    assert verify_cosignature(SIGSUM_CHECKPOINT, line, verifier) == 1_700_000_000
    # A type 0x01 key is not a witness key, nor the reverse.
    with pytest.raises(MalformedKeyError, match="key type 0x01"):
        CosignatureVerifier.from_verifier_key(log_vkey)
    with pytest.raises(MalformedKeyError, match="key type 0x04"):
        Verifier.from_verifier_key(vkey)


def test_a_cosignature_covers_extension_lines() -> None:
    signer = CosignatureSigner("witness.example/w1", SEVENTEEN)
    extended = Checkpoint("example.org/log", 10, SIGSUM_ROOT, ("extension",))
    line = cosign(extended, signer, timestamp=5)
    other = Checkpoint("example.org/log", 10, SIGSUM_ROOT, ("extensioN",))
    assert verify_cosignature(extended, line, signer.verifier()) == 5
    with pytest.raises(InvalidSignatureError):
        verify_cosignature(other, line, signer.verifier())


def test_a_witness_cosigns_only_checkpoints() -> None:
    signer = CosignatureSigner("witness.example/w1", SEVENTEEN)
    with pytest.raises(MalformedCheckpointError):
        sign("not a checkpoint\n", [signer])
    assert not signer.verifier().verify(b"not a checkpoint\n", bytes(72))
    with pytest.raises(NoteError, match="out of range"):
        cosign(SIGSUM_CHECKPOINT, signer, timestamp=-1)


def test_a_plain_signature_is_not_a_cosignature() -> None:
    with pytest.raises(MalformedNoteError, match="not 72 bytes"):
        cosignature_timestamp(PETER)
