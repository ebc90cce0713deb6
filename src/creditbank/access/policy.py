"""The authorisation policy, in one place. A pure core.

Every HTTP view and CLI command that touches data asks :func:`allowed` with
the acting :class:`Principal`, an :class:`Action` and the institution that
owns the resource (``None`` for resources no institution owns). A test walks
the whole matrix roles x actions x owners.

The rule of thumb: a bank administrator may do anything; staff act only on
their own institution's data and only within their role; auditors read.
Learners (logged in to the web pages) read their own account and nothing else;
a learner's consent lets an institution's staff read that learner's whole record.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.institutions.model import Role
from creditbank.messages import Message, msg


class Action(StrEnum):
    CREATE_INSTITUTION = "institution:create"
    READ_INSTITUTION = "institution:read"
    EDIT_INSTITUTION = "institution:edit"
    CREATE_CATALOG_ITEM = "catalog:create"
    READ_CATALOG = "catalog:read"
    GRANT_ITEM = "catalog:grant"
    OPEN_ACCOUNT = "account:open"
    DEPOSIT = "outcome:deposit"
    READ_OUTCOMES = "outcome:read"
    READ_BATCH = "batch:read"
    VERIFY_OUTCOME = "outcome:verify"
    REVOKE_OUTCOME = "outcome:revoke"
    SUPERSEDE_OUTCOME = "outcome:supersede"
    UPLOAD_EVIDENCE = "evidence:upload"
    READ_PERSONAL_DATA = "account:read-personal-data"
    LOOKUP_LEARNER = "learner:lookup"
    CREATE_PROGRAMME = "programme:create"
    DRAFT_RULE = "rule:draft"
    APPROVE_RULE = "rule:approve"
    RETIRE_RULE = "rule:retire"
    READ_RULES = "rule:read"
    READ_PROGRESS = "progress:read"
    REQUEST_CONVERSION = "conversion:request"
    DECIDE_CONVERSION = "conversion:decide"
    READ_CONVERSION = "conversion:read"
    IMPORT_STANDARD = "standard:import"
    DEFINE_SCHEME = "scheme:define"
    CERTIFY = "certification:grant"
    APPLY_ACCREDITATION = "accreditation:apply"
    ASSIGN_ASSESSOR = "accreditation:assign"
    SCORE_APPLICATION = "accreditation:score"
    CONFIRM_DECISION = "accreditation:confirm"
    READ_APPLICATION = "accreditation:read"
    MANAGE_XCERT = "xcert:manage"
    SCHEDULE_SESSION = "session:schedule"
    REGISTER_CANDIDATE = "session:register"
    RECORD_RESULTS = "session:results"
    MANAGE_KEYS = "key:manage"
    EXPORT_CREDENTIAL = "credential:export"
    CHANGE_CREDENTIAL_STATUS = "credential:status"
    MANAGE_STAFF = "staff:manage"
    READ_STAFF = "staff:read"
    PUBLISH_FRAMEWORK = "framework:publish"
    VERIFY_LOG = "log:verify"
    PUBLISH_CHECKPOINT = "log:publish"
    MANAGE_PEERS = "peer:manage"
    READ_PEERS = "peer:read"
    EXPORT_TRANSFER = "transfer:export"
    IMPORT_TRANSFER = "transfer:import"
    READ_TRANSFER = "transfer:read"
    DECIDE_RECOGNITION = "recognition:decide"
    MANAGE_NATIONAL = "national:manage"
    READ_NATIONAL = "national:read"
    MANAGE_ALLIANCES = "alliance:manage"
    READ_ALLIANCES = "alliance:read"
    DEFINE_JOINT_SCHEME = "joint:define"
    READ_STATS = "stats:read"
    REBUILD_STATS = "stats:rebuild"
    EXPORT_STATS = "stats:export"
    COMBINE_STATS = "stats:combine"
    IMPORT_OCCUPATIONS = "occupations:import"
    IMPORT_SKILLS = "skills:import"
    DRAFT_ALIGNMENT = "alignment:draft"
    APPROVE_ALIGNMENT = "alignment:approve"
    READ_ALIGNMENTS = "alignment:read"
    POST_JOB = "job:post"
    READ_JOBS = "job:read"
    MATCH_JOB = "job:match"
    READ_GAPS = "gaps:read"
    READ_COVERAGE = "coverage:read"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: a staff user with a role, perhaps of an institution."""

    user_id: int
    email: str
    role: Role
    institution: str | None


OPERATOR = Principal(user_id=0, email="operator@console", role=Role.BANK_ADMIN, institution=None)
"""The server's operator at its console: CLI commands that take no ``--as`` (setting up a bank,
its staff and tokens) act as the bank's administrator. User id 0 is no user: handlers that
record who acted are always called with a real user."""


@dataclass(frozen=True, slots=True)
class LearnerPrincipal:
    """A learner logged in to the web pages: the holder of one personal learning account."""

    learner_id: int
    account_number: str


RECORD_READERS = frozenset(Role) - {Role.EMPLOYER}
"""The staff roles that read learners' records (an employer reads only what a learner shares
or, for a job's matches, consents to)."""

# For each action: the roles that may take it on their own institution's resources,
# and the roles that may take it on any institution's.
_OWN: dict[Action, frozenset[Role]] = {
    Action.CREATE_INSTITUTION: frozenset(),
    Action.MANAGE_STAFF: frozenset(),  # staff users and their tokens: the bank's administrators
    Action.EDIT_INSTITUTION: frozenset(),  # names, region and alliances: the bank's own
    Action.READ_STAFF: frozenset(),  # the console's lists of staff, tokens and the admins' audit
    # the registry and the log are the bank's own: no institution's staff publish or check them
    Action.PUBLISH_FRAMEWORK: frozenset(),
    Action.VERIFY_LOG: frozenset(),
    Action.PUBLISH_CHECKPOINT: frozenset(),
    # the trust list of peer banks is the bank's own (four eyes among its administrators)
    Action.MANAGE_PEERS: frozenset(),
    Action.READ_PEERS: frozenset(),
    # the national platform (pilot schools, batches sent and received) and the bank's alliances
    # are the bank's own, as its trust list is
    Action.MANAGE_NATIONAL: frozenset(),
    Action.READ_NATIONAL: frozenset(),
    Action.MANAGE_ALLIANCES: frozenset(),
    Action.READ_ALLIANCES: frozenset(),
    Action.DEFINE_JOINT_SCHEME: frozenset(),  # binds several institutions: the bank's
    Action.READ_STATS: frozenset(Role),  # an institution's staff: its own figures
    Action.REBUILD_STATS: frozenset(),
    Action.IMPORT_OCCUPATIONS: frozenset(),  # the bank's classification, for every institution
    # an export holds the bank's unsuppressed cells and goes to the national bank; a combine
    # replaces the network's figures: the bank's administrators, not an institution's staff
    Action.EXPORT_STATS: frozenset(),
    Action.COMBINE_STATS: frozenset(),
    Action.READ_INSTITUTION: frozenset(Role),
    Action.CREATE_CATALOG_ITEM: frozenset({Role.REGISTRAR}),
    Action.READ_CATALOG: frozenset(Role),
    Action.GRANT_ITEM: frozenset({Role.REGISTRAR}),
    Action.OPEN_ACCOUNT: frozenset({Role.REGISTRAR}),
    Action.DEPOSIT: frozenset({Role.REGISTRAR}),
    Action.READ_OUTCOMES: RECORD_READERS,
    Action.READ_BATCH: frozenset({Role.REGISTRAR}),
    # the issuer's assessors and accreditation officers vouch for what its registrars deposited
    Action.VERIFY_OUTCOME: frozenset({Role.ASSESSOR, Role.ACCREDITATION_OFFICER}),
    Action.REVOKE_OUTCOME: frozenset({Role.REGISTRAR}),
    Action.SUPERSEDE_OUTCOME: frozenset({Role.REGISTRAR}),
    Action.UPLOAD_EVIDENCE: frozenset({Role.REGISTRAR}),
    Action.READ_PERSONAL_DATA: frozenset(),  # a learner's account belongs to no institution
    Action.LOOKUP_LEARNER: frozenset({Role.REGISTRAR}),
    Action.CREATE_PROGRAMME: frozenset({Role.REGISTRAR}),
    Action.DRAFT_RULE: frozenset({Role.REGISTRAR}),
    Action.APPROVE_RULE: frozenset(),  # the bank approves institutions' rules (four eyes)
    Action.RETIRE_RULE: frozenset({Role.REGISTRAR}),
    Action.READ_RULES: frozenset(Role),
    # a programme's staff see a learner's progress and request conversions for them only while
    # the learner consents (see require_consented)
    Action.READ_PROGRESS: RECORD_READERS,
    Action.REQUEST_CONVERSION: frozenset({Role.REGISTRAR}),
    Action.DECIDE_CONVERSION: frozenset({Role.REGISTRAR}),
    Action.READ_CONVERSION: RECORD_READERS,
    # accreditation: a centre keeps its own standards; a provider its X certificates' schemes
    # and the certification of their teachers and assessors
    Action.IMPORT_STANDARD: frozenset({Role.ACCREDITATION_OFFICER}),
    Action.DEFINE_SCHEME: frozenset({Role.REGISTRAR, Role.ACCREDITATION_OFFICER}),
    Action.CERTIFY: frozenset({Role.REGISTRAR, Role.ACCREDITATION_OFFICER}),
    # an institution applies for a learner only while the learner consents
    Action.APPLY_ACCREDITATION: frozenset({Role.REGISTRAR}),
    Action.ASSIGN_ASSESSOR: frozenset({Role.ACCREDITATION_OFFICER}),
    # the owner is the assessor's own institution; only the assigned assessor may score
    Action.SCORE_APPLICATION: frozenset({Role.ASSESSOR}),
    # the second person of four eyes: never the assessor who decided
    Action.CONFIRM_DECISION: frozenset({Role.ACCREDITATION_OFFICER}),
    Action.READ_APPLICATION: RECORD_READERS,
    Action.MANAGE_XCERT: frozenset({Role.REGISTRAR}),
    Action.SCHEDULE_SESSION: frozenset({Role.REGISTRAR}),
    Action.REGISTER_CANDIDATE: frozenset({Role.REGISTRAR}),
    Action.RECORD_RESULTS: frozenset({Role.REGISTRAR}),
    # an institution's registrars keep its signing keys, export and suspend its credentials
    Action.MANAGE_KEYS: frozenset({Role.REGISTRAR}),
    Action.EXPORT_CREDENTIAL: frozenset({Role.REGISTRAR}),
    Action.CHANGE_CREDENTIAL_STATUS: frozenset({Role.REGISTRAR}),
    # moving a learner's record between banks: an institution's registrars make a package for
    # a learner who consents (see require_consented) and hand one over for a learner; the
    # accreditation officers decide what their institution recognises of an imported outcome
    Action.EXPORT_TRANSFER: frozenset({Role.REGISTRAR}),
    Action.IMPORT_TRANSFER: frozenset({Role.REGISTRAR}),
    Action.READ_TRANSFER: frozenset({Role.REGISTRAR, Role.ACCREDITATION_OFFICER}),
    Action.DECIDE_RECOGNITION: frozenset({Role.ACCREDITATION_OFFICER}),
    # job matching (issue 20): an institution's registrars and accreditation officers draft the
    # alignments of its items and units to skills, the bank approves them (four eyes); an
    # enterprise's employers post jobs and see the learners who consented to be matched; posted
    # jobs are read by every staff role (schools compare their programmes with them); a learner's
    # gaps are read by staff only with the learner's consent (see require_consented)
    Action.IMPORT_SKILLS: frozenset(),
    Action.DRAFT_ALIGNMENT: frozenset({Role.REGISTRAR, Role.ACCREDITATION_OFFICER}),
    Action.APPROVE_ALIGNMENT: frozenset(),
    Action.READ_ALIGNMENTS: frozenset(Role),
    Action.POST_JOB: frozenset({Role.EMPLOYER}),
    Action.READ_JOBS: frozenset(Role),
    Action.MATCH_JOB: frozenset({Role.EMPLOYER}),
    Action.READ_GAPS: RECORD_READERS,
    Action.READ_COVERAGE: frozenset({Role.REGISTRAR, Role.ACCREDITATION_OFFICER}),
}
_ANY: dict[Action, frozenset[Role]] = {
    Action.CREATE_INSTITUTION: frozenset({Role.BANK_ADMIN}),
    Action.MANAGE_STAFF: frozenset({Role.BANK_ADMIN}),
    Action.EDIT_INSTITUTION: frozenset({Role.BANK_ADMIN}),
    Action.READ_STAFF: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.PUBLISH_FRAMEWORK: frozenset({Role.BANK_ADMIN}),
    Action.VERIFY_LOG: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.PUBLISH_CHECKPOINT: frozenset({Role.BANK_ADMIN}),
    Action.MANAGE_PEERS: frozenset({Role.BANK_ADMIN}),
    Action.READ_PEERS: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.MANAGE_NATIONAL: frozenset({Role.BANK_ADMIN}),
    Action.READ_NATIONAL: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.MANAGE_ALLIANCES: frozenset({Role.BANK_ADMIN}),
    Action.READ_ALLIANCES: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.DEFINE_JOINT_SCHEME: frozenset({Role.BANK_ADMIN}),
    Action.READ_STATS: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.REBUILD_STATS: frozenset({Role.BANK_ADMIN}),
    Action.IMPORT_OCCUPATIONS: frozenset({Role.BANK_ADMIN}),
    Action.EXPORT_STATS: frozenset({Role.BANK_ADMIN}),
    Action.COMBINE_STATS: frozenset({Role.BANK_ADMIN}),
    Action.READ_INSTITUTION: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.CREATE_CATALOG_ITEM: frozenset({Role.BANK_ADMIN}),
    Action.READ_CATALOG: frozenset(Role),
    Action.GRANT_ITEM: frozenset({Role.BANK_ADMIN}),
    Action.OPEN_ACCOUNT: frozenset({Role.BANK_ADMIN}),
    Action.DEPOSIT: frozenset({Role.BANK_ADMIN}),
    Action.READ_OUTCOMES: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.READ_BATCH: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.VERIFY_OUTCOME: frozenset({Role.BANK_ADMIN}),
    Action.REVOKE_OUTCOME: frozenset({Role.BANK_ADMIN}),
    Action.SUPERSEDE_OUTCOME: frozenset({Role.BANK_ADMIN}),
    Action.UPLOAD_EVIDENCE: frozenset({Role.BANK_ADMIN}),
    Action.READ_PERSONAL_DATA: frozenset({Role.BANK_ADMIN}),
    Action.LOOKUP_LEARNER: frozenset({Role.BANK_ADMIN}),
    Action.CREATE_PROGRAMME: frozenset({Role.BANK_ADMIN}),
    Action.DRAFT_RULE: frozenset({Role.BANK_ADMIN}),
    Action.APPROVE_RULE: frozenset({Role.BANK_ADMIN}),
    Action.RETIRE_RULE: frozenset({Role.BANK_ADMIN}),
    Action.READ_RULES: frozenset(Role),
    Action.READ_PROGRESS: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.REQUEST_CONVERSION: frozenset({Role.BANK_ADMIN}),
    Action.DECIDE_CONVERSION: frozenset({Role.BANK_ADMIN}),
    Action.READ_CONVERSION: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.IMPORT_STANDARD: frozenset({Role.BANK_ADMIN}),
    Action.DEFINE_SCHEME: frozenset({Role.BANK_ADMIN}),
    Action.CERTIFY: frozenset({Role.BANK_ADMIN}),
    Action.APPLY_ACCREDITATION: frozenset({Role.BANK_ADMIN}),
    Action.ASSIGN_ASSESSOR: frozenset({Role.BANK_ADMIN}),
    Action.SCORE_APPLICATION: frozenset(),
    Action.CONFIRM_DECISION: frozenset({Role.BANK_ADMIN}),
    Action.READ_APPLICATION: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.MANAGE_XCERT: frozenset({Role.BANK_ADMIN}),
    Action.SCHEDULE_SESSION: frozenset({Role.BANK_ADMIN}),
    Action.REGISTER_CANDIDATE: frozenset({Role.BANK_ADMIN}),
    Action.RECORD_RESULTS: frozenset({Role.BANK_ADMIN}),
    Action.MANAGE_KEYS: frozenset({Role.BANK_ADMIN}),
    Action.EXPORT_CREDENTIAL: frozenset({Role.BANK_ADMIN}),
    Action.CHANGE_CREDENTIAL_STATUS: frozenset({Role.BANK_ADMIN}),
    Action.EXPORT_TRANSFER: frozenset({Role.BANK_ADMIN}),
    Action.IMPORT_TRANSFER: frozenset({Role.BANK_ADMIN}),
    Action.READ_TRANSFER: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.DECIDE_RECOGNITION: frozenset({Role.BANK_ADMIN}),
    Action.IMPORT_SKILLS: frozenset({Role.BANK_ADMIN}),
    Action.DRAFT_ALIGNMENT: frozenset({Role.BANK_ADMIN}),
    Action.APPROVE_ALIGNMENT: frozenset({Role.BANK_ADMIN}),
    Action.READ_ALIGNMENTS: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.POST_JOB: frozenset({Role.BANK_ADMIN}),
    Action.READ_JOBS: frozenset(Role),  # posted jobs: every staff role, any enterprise's
    Action.MATCH_JOB: frozenset({Role.BANK_ADMIN}),
    Action.READ_GAPS: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
    Action.READ_COVERAGE: frozenset({Role.BANK_ADMIN, Role.AUDITOR}),
}


def allowed(principal: Principal, action: Action, owner: str | None) -> bool:
    """Whether ``principal`` may take ``action`` on a resource owned by institution ``owner``."""
    if principal.role in _ANY[action]:
        return True
    own = owner is not None and owner == principal.institution
    return own and principal.role in _OWN[action]


class AccessError(DomainError):
    """Not authenticated (``unauthenticated``) or not allowed (``forbidden``)."""


ROLE_WORDS: dict[Role, Message] = {
    Role.BANK_ADMIN: msg("a bank administrator"),
    Role.REGISTRAR: msg("a registrar"),
    Role.ASSESSOR: msg("an assessor"),
    Role.ACCREDITATION_OFFICER: msg("an accreditation officer"),
    Role.AUDITOR: msg("an auditor"),
    Role.EMPLOYER: msg("an employer"),
}
"""A role as a refusal names it ("an assessor"), in the reader's language (not its code)."""
ACTION_WORDS: dict[Action, Message] = {
    Action.CREATE_INSTITUTION: msg("open institutions' accounts"),
    Action.READ_INSTITUTION: msg("read institutions"),
    Action.EDIT_INSTITUTION: msg("edit institutions"),
    Action.CREATE_CATALOG_ITEM: msg("add catalogue items"),
    Action.READ_CATALOG: msg("read the catalogue"),
    Action.GRANT_ITEM: msg("grant catalogue items"),
    Action.OPEN_ACCOUNT: msg("open learners' accounts"),
    Action.DEPOSIT: msg("deposit outcomes"),
    Action.READ_OUTCOMES: msg("read outcomes"),
    Action.READ_BATCH: msg("read deposit batches"),
    Action.VERIFY_OUTCOME: msg("verify outcomes"),
    Action.REVOKE_OUTCOME: msg("revoke outcomes"),
    Action.SUPERSEDE_OUTCOME: msg("correct outcomes"),
    Action.UPLOAD_EVIDENCE: msg("upload evidence"),
    Action.READ_PERSONAL_DATA: msg("read learners' personal data"),
    Action.LOOKUP_LEARNER: msg("look learners up"),
    Action.CREATE_PROGRAMME: msg("create programmes"),
    Action.DRAFT_RULE: msg("draft conversion rules"),
    Action.APPROVE_RULE: msg("approve conversion rules"),
    Action.RETIRE_RULE: msg("retire conversion rules"),
    Action.READ_RULES: msg("read conversion rules"),
    Action.READ_PROGRESS: msg("read learners' progress"),
    Action.REQUEST_CONVERSION: msg("request conversions"),
    Action.DECIDE_CONVERSION: msg("decide on conversions"),
    Action.READ_CONVERSION: msg("read conversions"),
    Action.IMPORT_STANDARD: msg("import competence standards"),
    Action.DEFINE_SCHEME: msg("define assessment schemes"),
    Action.CERTIFY: msg("certify teachers and assessors"),
    Action.APPLY_ACCREDITATION: msg("apply for accreditation"),
    Action.ASSIGN_ASSESSOR: msg("assign assessors"),
    Action.SCORE_APPLICATION: msg("score applications"),
    Action.CONFIRM_DECISION: msg("confirm accreditation decisions"),
    Action.READ_APPLICATION: msg("read accreditation applications"),
    Action.MANAGE_XCERT: msg("manage X certificates"),
    Action.SCHEDULE_SESSION: msg("schedule assessment sessions"),
    Action.REGISTER_CANDIDATE: msg("register candidates"),
    Action.RECORD_RESULTS: msg("record assessment results"),
    Action.MANAGE_KEYS: msg("manage signing keys"),
    Action.EXPORT_CREDENTIAL: msg("export credentials"),
    Action.CHANGE_CREDENTIAL_STATUS: msg("change credentials' status"),
    Action.MANAGE_STAFF: msg("manage staff"),
    Action.READ_STAFF: msg("read staff"),
    Action.PUBLISH_FRAMEWORK: msg("publish frameworks"),
    Action.VERIFY_LOG: msg("verify the ledger"),
    Action.PUBLISH_CHECKPOINT: msg("publish checkpoints"),
    Action.MANAGE_PEERS: msg("manage peer banks"),
    Action.READ_PEERS: msg("read peer banks"),
    Action.MANAGE_NATIONAL: msg("manage the national platform"),
    Action.READ_NATIONAL: msg("read the national platform's batches and schools"),
    Action.MANAGE_ALLIANCES: msg("manage the bank's alliances"),
    Action.READ_ALLIANCES: msg("read the bank's alliances"),
    Action.DEFINE_JOINT_SCHEME: msg("define joint-certification schemes"),
    Action.READ_STATS: msg("read the statistics"),
    Action.REBUILD_STATS: msg("rebuild the statistics"),
    Action.IMPORT_OCCUPATIONS: msg("import occupations"),
    Action.EXPORT_STATS: msg("export the bank's statistics"),
    Action.COMBINE_STATS: msg("combine banks' statistics"),
    Action.EXPORT_TRANSFER: msg("make transfer packages"),
    Action.IMPORT_TRANSFER: msg("import transfer packages"),
    Action.READ_TRANSFER: msg("read imported outcomes"),
    Action.DECIDE_RECOGNITION: msg("decide on recognising imported outcomes"),
    Action.IMPORT_SKILLS: msg("import skills"),
    Action.DRAFT_ALIGNMENT: msg("draft alignments to skills"),
    Action.APPROVE_ALIGNMENT: msg("approve alignments to skills"),
    Action.READ_ALIGNMENTS: msg("read alignments to skills"),
    Action.POST_JOB: msg("post jobs"),
    Action.READ_JOBS: msg("read posted jobs"),
    Action.MATCH_JOB: msg("match jobs to learners"),
    Action.READ_GAPS: msg("read learners' skill gaps"),
    Action.READ_COVERAGE: msg("read programmes' coverage of skills"),
}
"""An action as a refusal names it ("may not deposit outcomes"), in the reader's language."""
THE_BANK = msg("the bank")
"""Whom a bank-wide role, or a resource of no institution, belongs to."""


def require(principal: Principal, action: Action, owner: str | None) -> None:
    """Raise ``forbidden`` unless :func:`allowed`; the message names the action and owner."""
    if not allowed(principal, action, owner):
        raise AccessError(
            "forbidden",
            msg(
                "{role} of {institution} may not {action} for {owner}",
                role=ROLE_WORDS[principal.role],
                institution=principal.institution or THE_BANK,
                action=ACTION_WORDS.get(action, action.value),
                owner=owner or THE_BANK,
            ),
        )


def require_any(principal: Principal, action: Action, owners: Collection[str]) -> None:
    """Raise ``forbidden`` unless ``principal`` may take ``action`` for one of ``owners`` (a
    resource several institutions share, such as an evidence file) or for any institution.

    The message does not name the owners: a caller who may not see the resource does not
    learn who holds it.
    """
    if allowed(principal, action, None) or any(allowed(principal, action, o) for o in owners):
        return
    raise AccessError(
        "forbidden",
        msg(
            "{role} of {institution} may not {action} here",
            role=ROLE_WORDS[principal.role],
            institution=principal.institution or THE_BANK,
            action=ACTION_WORDS.get(action, action.value),
        ),
    )


def readable_issuer(
    principal: Principal, asked: str | None, *, consenting: Collection[str] = ()
) -> str | None:
    """Whose outcomes ``principal`` may read when asking for issuer ``asked`` (None = any).

    Bank administrators and auditors read every institution's outcomes, so the answer is what
    they asked for. Staff read their own institution's only: the answer is their institution,
    and asking for another one is ``forbidden``, unless the learner consents: ``consenting``
    holds the institutions the learner has an active consent for, and the staff of those read
    the whole record (the answer is again what they asked for).
    """
    if allowed(principal, Action.READ_OUTCOMES, None):
        return asked
    require(principal, Action.READ_OUTCOMES, principal.institution)
    if principal.institution in consenting:
        return asked
    if asked is not None:
        require(principal, Action.READ_OUTCOMES, asked)
    return principal.institution


def require_consented(
    principal: Principal, action: Action, owner: str, *, consenting: Collection[str]
) -> None:
    """``require`` for a use of a learner's whole record by ``owner``'s staff (progress toward
    its programme, a conversion request for the learner): they also need the learner's consent.
    Bank-wide roles need none."""
    if allowed(principal, action, None):
        return
    require(principal, action, owner)
    if principal.institution not in consenting:
        raise AccessError(
            "forbidden",
            msg(
                "the learner has not consented to {institution} reading their record",
                institution=principal.institution or THE_BANK,
            ),
        )


def require_own_account(learner: LearnerPrincipal, number: str) -> None:
    """A learner reads their own account only: ``forbidden`` for any other account number."""
    if number.strip().upper() != learner.account_number:
        raise AccessError("forbidden", msg("a learner may read only their own account"))
