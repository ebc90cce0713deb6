"""Handlers of recognition: this bank's decision on an outcome imported from a peer bank, and
the re-check of imported outcomes' status at their source.

Recognising an imported outcome deposits an outcome here, into the learner's account, by the
institution that recognises it, at a level of this bank's frameworks: A's own level where this
bank has A's framework, else the level the crosswalks give it in the framework the officer
names (or the level the officer names). Its item is made the first time it is needed: one per
(peer, A's institution and item, level here), owned by the recognising institution, kind as at
A where that kind can be stated here (else a training certificate). The deposit and the
decision are logged together; the decision names A's leaf (origin and leaf hash). The imported
outcome is locked while it is decided and decided once (``recognition_decided``), and its
deposit's record id is unique, so it counts in this bank's conversions exactly once; pending
and refused imports have no outcome here and never count.

A revocation at A reaches this bank when the status is checked again (:func:`recheck_transfers`):
an imported outcome whose credential A revoked (or suspended) is flagged ``source_revoked``, and
the outcome deposited for it is revoked here, so the conversions built on it follow their
programme's policy (flagged or reversed: the conversion area's hook on a withdrawn outcome).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.credentials import api as credentials
from creditbank.db import UnitOfWork, for_update
from creditbank.errors import DomainError
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import Message, msg
from creditbank.peers import api as peers
from creditbank.transfers import records, statistics
from creditbank.transfers.commands import DecideRecognition, RecheckTransfers
from creditbank.transfers.model import Decision, ImportStatus, TransferError, check_reason
from creditbank.transfers.tables import ImportedOutcomeRow
from creditbank.transfers.terms import Terms, terms_of
from creditbank.transfers.verification import CLOCK_SKEW, Fetch, PeerResolver, http_fetch
from creditbank.transfers.views import ImportedOutcome, answers
from creditbank.usecases import handler

ITEM_PREFIX = accounts.RECOGNISED_ITEM_PREFIX  # so the statistics count them as recognised
KEPT_KINDS = {
    catalog.ItemKind.QUALIFICATION,
    catalog.ItemKind.VOCATIONAL_QUALIFICATION,
    catalog.ItemKind.TRAINING_CERTIFICATE,
}
WITH_CREDITS = {catalog.ItemKind.COURSE, catalog.ItemKind.ACCREDITATION_UNIT}
MAX_NAME = 200


def _invalid(message: Message) -> TransferError:
    return TransferError("invalid_recognition", message)


def _row(uow: UnitOfWork, public_id: str) -> ImportedOutcomeRow:
    row = uow.session.scalar(
        for_update(
            uow.session,
            select(ImportedOutcomeRow).where(ImportedOutcomeRow.public_id == public_id.strip()),
        )
    )
    if row is None:
        raise TransferError(
            "recognition_not_found",
            msg("there is no imported outcome {id}", id=public_id.strip()[:40]),
        )
    return row


def _kind(row: ImportedOutcomeRow) -> catalog.ItemKind:
    try:
        kind = catalog.ItemKind(row.item_kind)
    except ValueError:
        return catalog.ItemKind.TRAINING_CERTIFICATE
    if kind in KEPT_KINDS or (kind in WITH_CREDITS and row.credits is not None):
        return kind
    return catalog.ItemKind.TRAINING_CERTIFICATE


def recognition_item(
    uow: UnitOfWork, institution: str, row: ImportedOutcomeRow, framework: str, level: str
) -> catalog.CatalogItem:
    """The item an outcome recognised from ``row``'s peer is deposited under, made the first
    time it is needed (of two first recognitions at once, one makes it)."""
    key = f"{row.source}|{row.source_institution}|{row.item_code}|{framework}|{level}"
    code = ITEM_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16]
    found = catalog.find_item(uow=uow, institution=institution, code=code)
    if found is not None:
        return found
    kind = _kind(row)
    draft = catalog.ItemDraft(
        institution=institution,
        code=code,
        kind=kind,
        name=f"认可自 {row.source}：{row.item_name}"[:MAX_NAME],
        name_en=f"Recognised from {row.source}: {row.item_name}"[:MAX_NAME],
        framework=framework,
        levels=(level,),
        credits=row.credits if kind in WITH_CREDITS else None,
    )
    try:
        with uow.session.begin_nested():
            return catalog.add_item(uow=uow, draft=draft, on=row.assessed_on)
    except IntegrityError:
        found = catalog.find_item(uow=uow, institution=institution, code=code)
        if found is None:
            raise
        return found


def _target(
    uow: UnitOfWork, row: ImportedOutcomeRow, command: DecideRecognition, terms: Terms | None
) -> tuple[str, str]:
    """The framework and level of this bank the outcome is recognised at: as the officer names
    it, else by the agreement's own mapping, else A's own level (where this bank has A's
    framework) or the one level the crosswalks give in the framework named."""
    framework = (command.framework or row.framework).strip().upper()
    if command.level:
        return framework, command.level.strip()
    mapped = None if terms is None else terms.mapped(row.framework, row.level)
    if mapped is not None and (command.framework is None or mapped.framework == framework):
        return mapped.framework, mapped.level
    if framework == row.framework.upper():
        return framework, row.level
    answer = frameworks.translate_level(
        uow=uow, origin=frameworks.LevelRef(row.framework.upper(), row.level), target=framework
    )
    levels = sorted({ref.level for ref in answer.target_levels})
    if len(levels) != 1:
        raise _invalid(
            msg(
                "the crosswalks put {framework}:{level} at {count} levels of {target}: "
                "name the level",
                framework=row.framework,
                level=row.level,
                count=len(levels),
                target=framework,
            )
        )
    return framework, levels[0]


def _recognise(
    uow: UnitOfWork,
    row: ImportedOutcomeRow,
    command: DecideRecognition,
    institution: str,
    now: datetime,
    *,
    terms: Terms | None,
) -> list[ledger.LogFact]:
    peer = peers.trusted_peer(uow=uow, origin=row.source)
    if not peer.agreement.recognises(
        framework=row.framework, item_kind=row.item_kind, institution=row.source_institution
    ):
        raise _invalid(
            msg(
                "the agreement with {peer} does not cover {institution}'s {kind} at a level "
                "of {framework}",
                peer=peer.origin,
                institution=row.source_institution,
                kind=row.item_kind,
                framework=row.framework,
            )
        )
    framework, level = _target(uow, row, command, terms)
    item = recognition_item(uow, institution, row, framework, level)
    deposited = accounts.deposit(
        uow=uow,
        outcomes=[
            accounts.OutcomeDeposit(
                institution=institution,
                account_number=accounts.account_number_of(uow=uow, learner_id=row.learner_id),
                facts=accounts.OutcomeFacts(
                    record_id=f"{accounts.RECOGNISED_RECORD_PREFIX}{row.public_id}",
                    item_code=f"{institution}:{item.code}",
                    level=level,
                    credits=row.credits,
                    score=None,
                    assessed_on=row.assessed_on,
                    # as learned at the source; an import whose record said nothing: formal
                    setting=accounts.LearningSetting(row.setting or "formal"),
                ),
                origin=accounts.RecognisedLearning(row.public_id),
            )
        ],
        today=now.date(),
        now=now,
        log=False,
    ).outcomes[0]
    row.target_framework = framework
    row.target_level = level
    row.outcome_id = deposited.outcome_id
    return [] if deposited.fact is None else [deposited.fact]


@handler
def decide_recognition(
    command: DecideRecognition, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> ImportedOutcome:
    """Recognise or refuse an imported outcome, for the officer's institution (a bank
    administrator names it, or the peer's terms do). Decided once: a second decision is
    ``recognition_decided``."""
    institution = (command.institution or principal.institution or "").strip().upper()
    require(principal, Action.DECIDE_RECOGNITION, institution or None)
    row = _row(uow, command.public_id)
    terms = terms_of(uow, row.source)
    if not institution and terms is not None:
        institution = terms.institution
    if not institution:
        raise _invalid(msg("name the institution that recognises the outcome"))
    decided = decide(
        uow, row, command, institution=institution, terms=terms, user_id=principal.user_id, now=now
    )
    if command.decision is Decision.RECOGNISE:
        statistics.tally(uow, "recognised", row.source, now)
    return decided


def decide(
    uow: UnitOfWork,
    row: ImportedOutcomeRow,
    command: DecideRecognition,
    *,
    institution: str,
    terms: Terms | None,
    user_id: int | None,
    now: datetime,
) -> ImportedOutcome:
    """Take the decision on ``row`` (locked), for ``institution``, by ``user_id`` (None: by the
    agreement, automatically), deposit the outcome if recognised, and log both."""
    if row.status != ImportStatus.PENDING.value:
        raise TransferError(
            "recognition_decided",
            msg("imported outcome {id} is {status} already", id=row.public_id, status=row.status),
        )
    reason = check_reason(command.reason)
    facts: list[ledger.LogFact] = []
    if command.decision is Decision.RECOGNISE:
        facts = _recognise(uow, row, command, institution, now, terms=terms)
        row.status = ImportStatus.RECOGNISED.value
    else:
        if not reason:
            raise _invalid(msg("say why the outcome is not recognised"))
        row.status = ImportStatus.REFUSED.value
    row.decision = command.decision.value
    row.institution_id = institutions.institution_id(uow=uow, code=institution)
    row.reason = reason
    row.decided_at = now
    row.decided_by_user_id = user_id or None
    uow.session.flush()
    ledger.append(uow, [*facts, records.decision_fact(uow, row)])
    return answers(uow, [row])[0]


def recognise_automatically(uow: UnitOfWork, rows: list[ImportedOutcomeRow], now: datetime) -> None:
    """Where this bank's terms for the peer say so, recognise the imported outcomes at once
    (those the agreement covers and whose level can be placed here; the others stay pending for
    an officer), as the agreement's decision."""
    if not rows:
        return
    terms = terms_of(uow, rows[0].source)
    if terms is None or not terms.automatic:
        return
    recognised = 0
    for row in rows:
        command = DecideRecognition(row.public_id, Decision.RECOGNISE)
        try:
            with uow.session.begin_nested():
                decide(
                    uow,
                    row,
                    command,
                    institution=terms.institution,
                    terms=terms,
                    user_id=None,
                    now=now,
                )
        except DomainError:
            uow.session.refresh(row)  # left pending, as it was
        else:
            recognised += 1
    # tallied after the savepoints: a refused one's rollback cannot touch them
    statistics.tally(uow, "recognised", rows[0].source, now, count=recognised)


@dataclass(frozen=True, slots=True)
class Rechecked:
    """What a re-check found: how many were checked, which were revoked at their source now,
    and how many could not be checked (the source's status list could not be had)."""

    checked: int
    revoked: list[str]
    unobtainable: int


@handler
def recheck_transfers(
    command: RecheckTransfers,
    *,
    principal: Principal,
    uow: UnitOfWork,
    now: datetime,
    fetch: Fetch = http_fetch,
) -> Rechecked:
    """Check again, at each source, the status of every imported outcome that still stands
    here (pending or recognised)."""
    require(principal, Action.DECIDE_RECOGNITION, principal.institution)
    statement = (
        select(ImportedOutcomeRow)
        .where(
            ImportedOutcomeRow.status.in_(
                [ImportStatus.PENDING.value, ImportStatus.RECOGNISED.value]
            )
        )
        .order_by(ImportedOutcomeRow.id)
    )
    if command.source:
        statement = statement.where(ImportedOutcomeRow.source == command.source.strip())
    rows = list(uow.session.scalars(statement))
    resolvers: dict[str, PeerResolver] = {}
    revoked: list[str] = []
    unobtainable = 0
    for row in rows:
        if row.source not in resolvers:
            resolvers[row.source] = PeerResolver(
                peers.trusted_peer(uow=uow, origin=row.source), fetch
            )
        verdict = still_stands(resolvers[row.source], row, now)
        if verdict is None:
            unobtainable += 1
            continue
        row.status_checked_at = now
        if verdict:
            continue
        _revoked_at_source(uow, row, principal, now)
        revoked.append(row.public_id)
    uow.session.flush()
    return Rechecked(len(rows), revoked, unobtainable)


def still_stands(resolver: PeerResolver, row: ImportedOutcomeRow, now: datetime) -> bool | None:
    """Whether the credential still stands at its source (None: its status cannot be had)."""
    verdict = credentials.verify_with(
        row.credential,
        resolver=resolver,
        now=now + CLOCK_SKEW,
        lists_verified=resolver.lists_verified,
    )
    status = verdict.result_of(credentials.Check.STATUS)
    if status is None:
        return None
    if status.code in {"revoked", "suspended"}:
        return False
    return True if status.result is credentials.Result.PASSED else None


def _revoked_at_source(
    uow: UnitOfWork, row: ImportedOutcomeRow, principal: Principal, now: datetime
) -> None:
    row.status = ImportStatus.SOURCE_REVOKED.value
    row.status_checked_at = now
    if row.outcome_id is None:
        return
    public_id = accounts.outcome_public_ids(uow=uow, outcome_ids=[row.outcome_id])[row.outcome_id]
    accounts.revoke_outcome(
        uow=uow,
        public_id=public_id,
        user_id=principal.user_id,
        reason=f"revoked at its source {row.source} (imported outcome {row.public_id})",
    )
