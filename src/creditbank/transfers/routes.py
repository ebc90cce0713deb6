"""HTTP for moving a learner's record between banks: make a package (an institution with the
learner's consent, a bank administrator), fetch it once by its link (public: the token is the
key), import one (a registrar or bank administrator, for a learner), read an import, the
recognition queue, decide, re-check the sources. Thin: parse, build the command, call its
handler, render."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse

from creditbank.accounts.api import PersonalDataCipher
from creditbank.transfers import importing, packages, recognition, terms, views
from creditbank.transfers.commands import (
    DecideRecognition,
    FetchTransferLink,
    ImportTransfer,
    ListRecognitions,
    MakeTransferPackage,
    NewLearner,
    RecheckTransfers,
    SetRecognitionTerms,
    ShowTransfer,
)
from creditbank.transfers.model import Decision, ImportStatus
from creditbank.transfers.schemas import (
    ImportedOutcomeRead,
    RecheckRead,
    RecognitionDecide,
    RecognitionTermsCreate,
    RecognitionTermsRead,
    TransferCreate,
    TransferLinkRead,
    TransferRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Now, Uow, cipher_of
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1", tags=["transfers"])
Cipher = Annotated[PersonalDataCipher, Depends(cipher_of)]


def _chosen(outcomes: str | None) -> tuple[str, ...]:
    return tuple(o.strip() for o in (outcomes or "").split(",") if o.strip())


@api.get(
    "/accounts/{number}/transfer-package",
    response_model=None,
    responses={
        200: {"description": "The signed package, or its one-time link (`link=true`)."},
        **responses(401, 403, 404, 422),
    },
)
def make_package(
    number: str,
    uow: Uow,
    principal: Authenticated,
    now: Now,
    cipher: Cipher,
    to: Annotated[str, Query(min_length=1, max_length=255, description="The peer's origin.")],
    outcomes: Annotated[
        str | None, Query(description="Comma-separated outcome ids (default: all standing).")
    ] = None,
    link: Annotated[bool, Query(description="A one-time link instead of the package.")] = False,
) -> JSONResponse | TransferLinkRead:
    """A transfer package of the learner's outcomes for peer bank ``to`` (an institution's
    registrar with the learner's consent, a bank administrator)."""
    command = MakeTransferPackage(number, to, _chosen(outcomes), link=link)
    made = packages.make_transfer_package(
        command, principal=principal, uow=uow, now=now, cipher=cipher
    )
    if made.link is not None:
        return TransferLinkRead(link=made.link, expires=made.expires)
    return JSONResponse(made.package)


@api.get("/transfer-links/{token}", response_model=None, responses=responses(404))
def fetch_link(token: str, uow: Uow, now: Now) -> JSONResponse:
    """The package behind a one-time link, once (public: the token is the key)."""
    package = packages.fetch_transfer_link(
        FetchTransferLink(token), principal=None, uow=uow, now=now
    )
    return JSONResponse(package)


@api.post(
    "/transfers",
    response_model=TransferRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 404, 409, 422, 502),
)
def import_package(
    body: TransferCreate, uow: Uow, principal: Authenticated, now: Now, cipher: Cipher
) -> TransferRead:
    """Import a package from a peer bank for a learner (registrars, bank administrators): every
    credential, receipt and the peer's checkpoint verified; each outcome stored pending
    recognition. Any refusal names its reason and stores nothing."""
    package: Any = body.package
    new = body.new_learner
    command = ImportTransfer(
        body.account_number,
        package=None if package is None else json.dumps(package, ensure_ascii=False),
        url=body.url,
        new_learner=None if new is None else NewLearner(new.id_number, new.name, new.id_type),
    )
    transfer = importing.import_transfer(
        command, principal=principal, uow=uow, now=now, cipher=cipher
    )
    return TransferRead.of(transfer)


@api.get(
    "/transfers/{transfer_id}", response_model=TransferRead, responses=responses(401, 403, 404)
)
def show_transfer(transfer_id: str, uow: Uow, principal: Authenticated) -> TransferRead:
    """An imported package and its outcomes."""
    found = views.show_transfer(ShowTransfer(transfer_id), principal=principal, uow=uow)
    return TransferRead.of(found)


@api.get(
    "/recognitions", response_model=list[ImportedOutcomeRead], responses=responses(401, 403, 422)
)
def list_recognitions(
    uow: Uow,
    principal: Authenticated,
    status_: Annotated[
        ImportStatus | None,
        Query(alias="status", description="pending (default), recognised, refused, ..."),
    ] = ImportStatus.PENDING,
    account: Annotated[str | None, Query(max_length=32)] = None,
) -> list[ImportedOutcomeRead]:
    """Imported outcomes awaiting this bank's recognition decision (or of another status)."""
    found = views.list_recognitions(
        ListRecognitions(status_, account), principal=principal, uow=uow
    )
    return [ImportedOutcomeRead.of(one) for one in found]


@api.post(
    "/recognitions/{imported_id}/decide",
    response_model=ImportedOutcomeRead,
    responses=responses(401, 403, 404, 409, 422),
)
def decide(
    imported_id: str, body: RecognitionDecide, uow: Uow, principal: Authenticated, now: Now
) -> ImportedOutcomeRead:
    """Recognise an imported outcome (deposited here at a level of this bank's frameworks) or
    refuse it (accreditation officers, bank administrators); logged with the peer's leaf."""
    command = DecideRecognition(
        imported_id,
        Decision(body.decision),
        institution=body.institution,
        framework=body.framework,
        level=body.level,
        reason=body.reason,
    )
    decided = recognition.decide_recognition(command, principal=principal, uow=uow, now=now)
    return ImportedOutcomeRead.of(decided)


@api.post("/recognitions/recheck", response_model=RecheckRead, responses=responses(401, 403, 502))
def recheck(
    uow: Uow,
    principal: Authenticated,
    now: Now,
    source: Annotated[str | None, Query(max_length=255)] = None,
) -> RecheckRead:
    """Ask each source bank again whether the imported outcomes still stand."""
    found = recognition.recheck_transfers(
        RecheckTransfers(source), principal=principal, uow=uow, now=now
    )
    return RecheckRead.of(found)


@api.post(
    "/recognition-terms",
    response_model=RecognitionTermsRead,
    responses=responses(401, 403, 404, 422),
)
def set_terms(
    body: RecognitionTermsCreate, uow: Uow, principal: Authenticated, now: Now
) -> RecognitionTermsRead:
    """This bank's terms for a trusted peer (bank administrators): the institution that
    recognises its outcomes, whether on import, and the agreement's own level mapping."""
    command = SetRecognitionTerms(
        body.source, body.institution, body.automatic, tuple(sorted(body.mapping.items()))
    )
    return RecognitionTermsRead.of(
        terms.set_recognition_terms(command, principal=principal, uow=uow, now=now)
    )
