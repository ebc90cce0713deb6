"""The public pages behind the links in credentials, as linked data.

Every URL the bank writes into a credential answers: the ``Achievement`` (a catalogue item,
``/catalog/OWNER/CODE``), the issuer's ``Profile`` (``/institutions/CODE``, and the bank's
own at ``/``) and the framework levels of its alignments (``/frameworks/CODE``). These handlers
give what those pages show, with the JSON-LD the page answers when asked for it: built by the
same functions that build the credentials, so that what a verifier fetches matches what the
credential embeds. Public reads: any principal, or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.catalog import api as catalog
from creditbank.credentials import documents, multikey
from creditbank.credentials.commands import (
    ShowLinkedAchievement,
    ShowLinkedFramework,
    ShowLinkedProfile,
)
from creditbank.credentials.contexts import CREDENTIALS_V2, OB_V3
from creditbank.credentials.issuing import bilingual, item_skill_alignments, level_alignments
from creditbank.credentials.signing import CredentialError, host, public_url
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler

Anyone = Principal | LearnerPrincipal | None
CONTEXT = [CREDENTIALS_V2, OB_V3]
"""The contexts of the pages' JSON-LD: those that define the terms the credentials use."""


@dataclass(frozen=True, slots=True)
class LinkedAchievement:
    """A catalogue item's public page: the item, its owner, and its ``Achievement``."""

    item: catalog.CatalogItem
    owner: institutions.Institution
    alignments: tuple[documents.LevelAlignment, ...]
    document: dict[str, Any]
    skills: tuple[documents.SkillAlignment, ...] = ()
    """The skills its alignments in force give now (approved, four eyes)."""


@dataclass(frozen=True, slots=True)
class LinkedProfile:
    """An issuer's public page: the institution (``None`` for the bank) and its ``Profile``."""

    institution: institutions.Institution | None
    did: str
    document: dict[str, Any]


def _with_context(node: dict[str, Any]) -> dict[str, Any]:
    return {"@context": CONTEXT, **node}


def achievement_url(uow: UnitOfWork, owner: str, code: str) -> str:
    """The ``id`` of an item's ``Achievement`` in credentials: its public page."""
    return f"{public_url(uow)}/catalog/{owner}/{code}"


@handler
def show_linked_achievement(
    query: ShowLinkedAchievement, *, principal: Anyone, uow: UnitOfWork
) -> LinkedAchievement:
    del principal  # public: the credentials link to it
    owner = institutions.get_institution(uow=uow, code=query.owner)
    item = catalog.find_item(uow=uow, institution=owner.code, code=query.code)
    if item is None:
        raise CredentialError(
            "item_not_found",
            msg(
                "{institution} has no catalogue item {code}",
                institution=owner.code,
                code=query.code,
            ),
        )
    alignments: list[documents.LevelAlignment] = []
    for pinned in item.levels:
        for alignment in level_alignments(uow, pinned):
            if alignment not in alignments:  # two levels may correspond to one EQF level
                alignments.append(alignment)
    levels = ", ".join(f"{pinned.framework} {pinned.level.code}" for pinned in item.levels)
    skills = item_skill_alignments(uow, item.id)
    node = documents.achievement(
        achievement_id=achievement_url(uow, owner.code, item.code),
        item_kind=item.kind.value,
        name=item.name,
        description=f"{item.name} ({item.code}), {levels}",
        item_code=item.code,
        alignments=[*alignments, *skills],
        credits_available=item.credits,
    )
    return LinkedAchievement(item, owner, tuple(alignments), _with_context(node), tuple(skills))


@handler
def show_linked_profile(
    query: ShowLinkedProfile, *, principal: Anyone, uow: UnitOfWork
) -> LinkedProfile:
    del principal  # public: the credentials link to it
    base = public_url(uow)
    if query.code is None:
        did = multikey.did_web(host(uow))
        profile = documents.Issuer(id=did, name=documents.BANK_NAME, url=base)
        return LinkedProfile(None, did, _with_context(profile.profile()))
    institution = institutions.get_institution(uow=uow, code=query.code)
    did = multikey.did_web(host(uow), "institutions", institution.code)
    profile = documents.Issuer(
        id=did, name=institution.name, url=f"{base}/institutions/{institution.code}"
    )
    return LinkedProfile(institution, did, _with_context(profile.profile()))


@handler
def show_linked_framework(
    query: ShowLinkedFramework, *, principal: Anyone, uow: UnitOfWork
) -> dict[str, Any]:
    """The levels of a framework version as ``Alignment`` nodes, each named by the URL the
    credentials' alignments target (``...?version=N#level-CODE``, or without the version for
    the version in force, as the EQF correspondences are written)."""
    del principal  # public: the credentials link to it
    framework = frameworks.get_framework(
        uow=uow, code=query.code, on=query.on, version=query.version
    )
    page = f"{public_url(uow)}/frameworks/{framework.code}"
    if query.version is not None:
        page += f"?version={framework.version}"
        title = f"{framework.code} (version {framework.version})"
    elif framework.code == "EQF":
        title = documents.EQF_NAME
    else:
        title = f"{framework.name.en or framework.name.zh} ({framework.code})"
    nodes = [
        documents.LevelAlignment(
            url=f"{page}#level-{level.code}",
            framework=framework.code,
            framework_name=title,
            code=level.code,
            name=bilingual(level.name),
        )
        for level in framework.levels()
    ]
    graph = [
        {"id": node.url, **{k: v for k, v in node.alignment().items() if k in _LEVEL_TERMS}}
        for node in nodes
    ]
    return {"@context": CONTEXT, "id": page, "name": title, "@graph": graph}


_LEVEL_TERMS = frozenset({"type", "targetName", "targetUrl", "targetFramework", "targetCode"})
"""What an alignment says of the level itself (its type and description say how an achievement
stands to the level, which belongs to the credential)."""
