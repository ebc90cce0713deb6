"""Issuing: an outcome's Open Badges 3.0 credential, and a learner's CLR 2.0 record.

An outcome's credential is made once per signing key (its salt, status index and issue time
are stored), so exporting it again gives the same bytes. A learner's CLR wraps their
credentials, signed by the bank. Given a unit of work; never commit.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from creditbank.accounts import api as accounts
from creditbank.alignments import api as alignments
from creditbank.catalog import api as catalog
from creditbank.credentials import documents, proofs, receipts, statuslist, vcjwt
from creditbank.credentials.signing import (
    BANK,
    CredentialError,
    ensure_key,
    private_key_of,
    public_url,
    signing_key_of,
    utc,
)
from creditbank.credentials.status_lists import list_issuer, status_list_url, status_slot
from creditbank.credentials.tables import IssuedCredentialRow, SigningKeyRow
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.joint import api as joint
from creditbank.languages import translations
from creditbank.ledger import api as ledger
from creditbank.messages import msg
from creditbank.skills import api as skills

FORMATS = ("ob3", "jwt", "clr")
log = logging.getLogger(__name__)


def _issue_row(
    uow: UnitOfWork, outcome: accounts.Outcome, outcome_row_id: int, now: datetime
) -> IssuedCredentialRow:
    key = ensure_key(uow=uow, owner=outcome.institution, now=now)
    # The outcome is locked before its credential is looked for: of parallel first exports,
    # one records the credential and the others wait and answer that one.
    accounts.lock_outcome(uow=uow, outcome_id=outcome_row_id)
    existing = uow.session.scalar(
        select(IssuedCredentialRow).where(
            IssuedCredentialRow.outcome_id == outcome_row_id,
            IssuedCredentialRow.signing_key_id == key.id,
        )
    )
    if existing is not None:
        return existing
    list_row, index = status_slot(uow, list_issuer(key), now)
    row = IssuedCredentialRow(
        public_id=str(uuid.uuid4()),
        outcome_id=outcome_row_id,
        signing_key_id=key.id,
        status_list_id=list_row.id,
        status_index=index,
        # the outcome's public id salts the learner's identity hash, as its log record does
        identity_salt=outcome.public_id,
        issued_at=now.replace(microsecond=0),
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def level_alignments(
    uow: UnitOfWork, pinned: frameworks.PinnedLevel
) -> list[documents.LevelAlignment]:
    """A level as an achievement's alignments: the level itself, and the EQF levels the
    crosswalks put it at."""
    base = public_url(uow)
    found = [
        documents.LevelAlignment(
            url=f"{base}/frameworks/{pinned.framework}?version={pinned.version}"
            f"#level-{pinned.level.code}",
            framework=pinned.framework,
            framework_name=f"{pinned.framework} (version {pinned.version})",
            code=pinned.level.code,
            name=bilingual(pinned.level.name),
        )
    ]
    if pinned.framework == "EQF":
        return found
    try:
        answer = frameworks.translate_level(
            uow=uow, origin=frameworks.LevelRef(pinned.framework, pinned.level.code), target="EQF"
        )
    except DomainError:
        return found
    for ref, level in sorted(answer.target_levels.items(), key=lambda item: str(item[0])):
        found.append(
            documents.LevelAlignment(
                url=f"{base}/frameworks/EQF#level-{level.code}",
                framework="EQF",
                framework_name=documents.EQF_NAME,
                code=level.code,
                name=bilingual(level.name),
                correspondence=True,
            )
        )
        del ref
    return found


def skill_alignments(
    uow: UnitOfWork, outcome: accounts.Outcome, issued_at: datetime
) -> list[documents.SkillAlignment]:
    """The skills the outcome's item (at its level, or at any) was aligned to when the
    credential was issued (approved and not retired by the end of the second it was issued in:
    its time is stored to the second), as the achievement's alignments: the same ones at every
    export of the credential."""
    found = alignments.skills_in_force_at(
        uow,
        item_owner=outcome.item_owner,
        item_code=outcome.item_code,
        level_id=outcome.level.level_id,
        at=issued_at.replace(microsecond=999_999),
    )
    if not found:
        return []
    sources = skills.get_skills(uow, [skill.skill_id for skill in found])
    return [
        _skill_alignment(
            uow,
            skill.skill_id,
            skill.uri,
            skill.name,
            sources[skill.skill_id].source if skill.skill_id in sources else "",
        )
        for skill in found
    ]


def _skill_alignment(
    uow: UnitOfWork, skill_id: int, uri: str, name: str, source: str
) -> documents.SkillAlignment:
    url = uri if uri.startswith(("https://", "http://")) else f"{public_url(uow)}/skills/{skill_id}"
    return documents.SkillAlignment(url=url, uri=uri, name=name, framework=source)


def item_skill_alignments(uow: UnitOfWork, item_id: int) -> list[documents.SkillAlignment]:
    """The skills an item's alignments in force give now (at any level and at each of its
    levels), as its public ``Achievement`` lists them, in skill id order."""
    skill_ids = sorted({found.skill_id for found in alignments.alignments_of_items(uow, [item_id])})
    held = skills.get_skills(uow, skill_ids)
    return [
        _skill_alignment(uow, skill.id, skill.uri, skill.name, skill.source)
        for skill in (held[skill_id] for skill_id in skill_ids if skill_id in held)
    ]


def bilingual(text: frameworks.Text) -> str:
    """A level's name in Chinese and English ("5级 / Level 5"), as far as it has them."""
    return " / ".join(part for part in (text.zh, text.en) if part)


@dataclass(frozen=True, slots=True)
class Issued:
    credential_id: str
    outcome_id: str
    format: str
    document: dict[str, Any] | None
    jwt: str | None


def _description(outcome: accounts.Outcome) -> str:
    """What the achievement is, in words; transferred credit says toward what, under which rule
    and from which outcomes, in Chinese and English."""
    if outcome.transfer is None:
        return (
            f"{outcome.item_name} ({outcome.item_code}), "
            f"{outcome.level.framework} {outcome.level.level.code}"
        )
    return " / ".join(
        outcome.transfer.describe(outcome.credits, language).render(translations(language).gettext)
        for language in ("zh", "en")
    )


def _open_badge(
    uow: UnitOfWork, outcome: accounts.Outcome, row: IssuedCredentialRow
) -> tuple[dict[str, Any], SigningKeyRow]:
    key = uow.session.get_one(SigningKeyRow, row.signing_key_id)
    signer = signing_key_of(uow, key)
    institution = institutions.get_institution(uow=uow, code=outcome.institution)
    base = public_url(uow)
    receipt = ledger.receipt_of(
        uow=uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=outcome.public_id
    )
    # the first checkpoint that holds the deposit: the same for every export of the credential
    checkpoint = (
        None if receipt is None else ledger.first_checkpoint_covering(uow, receipt.leaf_index)
    )
    facts = documents.OutcomeFacts(
        credential_id=f"urn:uuid:{row.public_id}",
        issuer=documents.Issuer(
            id=signer.did, name=institution.name, url=f"{base}/institutions/{institution.code}"
        ),
        achievement_id=f"{base}/catalog/{outcome.item_owner}/{outcome.item_code}",
        item_code=outcome.item_code,
        item_kind=outcome.item_kind.value,
        name=outcome.item_name,
        description=_description(outcome),
        credits_available=catalog.item_credits(
            uow=uow, owner=outcome.item_owner, code=outcome.item_code
        ),
        credits_earned=outcome.credits,
        score=outcome.score,
        awarded_on=outcome.assessed_on,
        alignments=[
            *level_alignments(uow, outcome.level),
            *skill_alignments(uow, outcome, utc(row.issued_at)),
        ],
        identity_salt=row.identity_salt,
        account_number=outcome.account_number,
        valid_from=utc(row.issued_at),
        status=[
            documents.StatusEntry(
                status_list_url(uow, row.status_list_id, purpose), purpose, row.status_index
            )
            for purpose in statuslist.PURPOSES
        ],
        transfer_sources=[
            (source, f"{base}/api/v1/records/{source}/receipt")
            for source in (outcome.transfer.sources if outcome.transfer else ())
        ],
        joint_outcomes=[
            (
                linked.outcome,
                linked.institution,
                f"{base}/api/v1/joint/outcomes/{linked.outcome}/linked",
            )
            for linked in joint.linked_outcomes(uow=uow, outcome=outcome.public_id)
        ],
        receipt=None
        if receipt is None
        else documents.Receipt(
            url=f"{base}/api/v1/records/{outcome.public_id}/receipt",
            leaf_index=receipt.leaf_index,
            leaf_hash=ledger.b64(receipt.leaf_hash),
            checkpoint=checkpoint.note if checkpoint is not None else None,
        ),
    )
    document = documents.open_badge(facts)
    # a record of schema 2 gets a self-contained receipt, once it is checked to rebuild
    embedded = receipts.embedded_receipt(
        uow=uow,
        outcome_id=outcome.public_id,
        url=f"{base}/api/v1/records/{outcome.public_id}/receipt",
    )
    if embedded is not None:
        self_contained = documents.open_badge(dataclasses.replace(facts, receipt=embedded))
        if receipts.rebuilds(self_contained, embedded):
            return self_contained, key
        log.warning("outcome %s: its receipt does not rebuild; the URL alone", outcome.public_id)
    return document, key


def issue(*, uow: UnitOfWork, outcome_id: str, fmt: str, now: datetime) -> Issued:
    """The signed credential of one outcome (``ob3`` Data Integrity, or ``jwt``)."""
    if fmt not in ("ob3", "jwt"):
        raise CredentialError(
            "invalid_format", msg("the format is ob3, clr or jwt, not {format}", format=fmt)
        )
    outcome, outcome_row_id = accounts.outcome_by_public_id(uow=uow, public_id=outcome_id)
    row = _issue_row(uow, outcome, outcome_row_id, now)
    unsigned, key = _open_badge(uow, outcome, row)
    signer = signing_key_of(uow, key)
    private_key = private_key_of(uow, key)
    if fmt == "jwt":
        token = vcjwt.sign(unsigned, private_key=private_key, kid=signer.verification_method)
        return Issued(row.public_id, outcome.public_id, fmt, None, token)
    signed = proofs.sign(
        unsigned,
        private_key=private_key,
        verification_method=signer.verification_method,
        created=documents.timestamp(utc(row.issued_at)),
    )
    return Issued(row.public_id, outcome.public_id, fmt, signed, None)


def issue_clr(
    *, uow: UnitOfWork, account_number: str, outcome_ids: Sequence[str] | None, now: datetime
) -> dict[str, Any]:
    """A learner's record (all their standing outcomes, or the chosen ones) as a signed CLR."""
    standing = accounts.standing_outcome_ids(uow=uow, account_number=account_number)
    chosen = list(standing) if not outcome_ids else list(dict.fromkeys(outcome_ids))
    unknown = [oid for oid in chosen if oid not in standing]
    if unknown:
        raise CredentialError(
            "invalid_selection",
            msg(
                "these outcomes are not standing outcomes of account {number}: {ids}",
                number=account_number,
                ids=", ".join(unknown),
            ),
        )
    if not chosen:
        raise CredentialError(
            "invalid_selection",
            msg("account {number} has no outcome to put in a record", number=account_number),
        )
    inner = [issue(uow=uow, outcome_id=oid, fmt="ob3", now=now).document for oid in chosen]
    key = ensure_key(uow=uow, owner=BANK, now=now)
    signer = signing_key_of(uow, key)
    salt = secrets.token_hex(16)
    unsigned = documents.clr(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=documents.Issuer(id=signer.did, name=documents.BANK_NAME, url=public_url(uow)),
        name="学习成果档案 Comprehensive Learner Record",
        account_number=account_number,
        identity_salt=salt,
        credentials=[doc for doc in inner if doc is not None],
        valid_from=now,
        partial=len(chosen) < len(standing),
    )
    return proofs.sign(
        unsigned,
        private_key=private_key_of(uow, key),
        verification_method=signer.verification_method,
        created=documents.timestamp(now),
    )
