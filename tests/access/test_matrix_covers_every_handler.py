"""Every handler is a door of the access matrix, or is listed here with why it has none."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import creditbank
from creditbank.usecases import HANDLERS
from tests.access.matrix import Door

# handler (module.function) -> why no staff role is tried on it
OPEN: dict[str, str] = {
    "creditbank.accreditation.learners.list_own_applications": "a learner's own applications (test in test_accreditation_access: a learner reaches "
    "only their own)",
    "creditbank.accreditation.learners.show_own_application": "a learner's own applications (test in test_accreditation_access: a learner reaches "
    "only their own)",
    "creditbank.accreditation.learners.show_own_evidence": "a learner's own applications (test in test_accreditation_access: a learner reaches "
    "only their own)",
    "creditbank.accreditation.learners.apply_for_own_learning": "a learner's own applications (test in test_accreditation_access: a learner reaches "
    "only their own)",
    "creditbank.accreditation.learners.add_own_evidence": "a learner's own applications (test in test_accreditation_access: a learner reaches "
    "only their own)",
    "creditbank.accreditation.learners.appeal_own_decision": "a learner's own applications (test in test_accreditation_access: a learner reaches "
    "only their own)",
    "creditbank.accreditation.learners.show_apply_choices": "the standards and centres every "
    "learner may apply to (no account is read)",
    "creditbank.credentials.views.show_did_document": "DID documents are public (verifiers "
    "resolve the issuers' keys)",
    "creditbank.credentials.views.show_status_list": "status lists are public (verifiers check "
    "revocation)",
    "creditbank.credentials.views.verify_credential": "the verifier is public: anyone may check "
    "a credential",
    "creditbank.credentials.linked.show_linked_achievement": "the pages credentials link to "
    "are public: an achievement's item (verifiers dereference its id)",
    "creditbank.credentials.linked.show_linked_profile": "the pages credentials link to are "
    "public: an issuer's profile",
    "creditbank.credentials.linked.show_linked_framework": "the pages credentials link to are "
    "public: the framework levels of their alignments",
    "creditbank.credentials.sharing.export_shared_credential": "a share link is public: the "
    "secret link is the key",
    "creditbank.credentials.sharing.export_shared_record": "a share link is public: the secret "
    "link is the key",
    "creditbank.credentials.exports.list_my_credentials": "the logged-in learner's own (test in "
    "test_credentials_access: a learner exports only their own outcomes)",
    "creditbank.credentials.exports.export_my_credential": "the logged-in learner's own (test in "
    "test_credentials_access: a learner exports only their own outcomes)",
    "creditbank.credentials.exports.export_my_record": "the logged-in learner's own (test in "
    "test_credentials_access: a learner exports only their own outcomes)",
    "creditbank.conversion.views.show_own_progress": "a learner's own account (test in "
    "test_conversion_access: a learner reads only their own)",
    "creditbank.conversion.requests.request_own_conversion": "a learner's own account (test in "
    "test_conversion_access: the request is for the learner's own account)",
    "creditbank.frameworks.views.list_frameworks": "the framework registry is public (no login)",
    "creditbank.frameworks.views.show_framework": "the framework registry is public (no login)",
    "creditbank.frameworks.views.show_level": "the framework registry is public (no login)",
    "creditbank.frameworks.views.compare_levels": "the framework registry is public (no login)",
    "creditbank.frameworks.views.translate_level": "crosswalks are public (no login)",
    "creditbank.frameworks.views.list_crosswalks": "crosswalks are public (no login)",
    "creditbank.frameworks.views.align_frameworks": "the frameworks page is public (no login)",
    "creditbank.transfers.packages.fetch_transfer_link": "a one-time transfer link is "
    "public: the secret link is the key (the peer bank fetches it once)",
    "creditbank.transfers.views.list_my_transfers": "the logged-in learner's own (test in "
    "test_transfers_access: a learner makes and reads only their own)",
    "creditbank.ledger.views.show_checkpoint": "the log's checkpoints are public (transparency)",
    "creditbank.ledger.views.show_log_key": "the log's verifier key is public (transparency)",
    "creditbank.ledger.views.list_entries": "the log's entries are public (no personal data)",
    "creditbank.ledger.views.prove_inclusion": "the log's proofs are public (transparency)",
    "creditbank.ledger.views.prove_consistency": "the log's proofs are public (transparency)",
    "creditbank.ledger.views.show_receipts": "records' receipts in the log are public (transparency)",
    "creditbank.jobs.consents.consent_to_matching": "the logged-in learner's own: acts on the "
    "principal's account only (no staff role; test in tests/jobs/test_jobs)",
    "creditbank.jobs.consents.withdraw_matching_consent": "the logged-in learner's own: acts on "
    "the principal's account only (no staff role; test in tests/jobs/test_jobs)",
    "creditbank.jobs.consents.list_matching_consents": "the logged-in learner's own: lists the "
    "principal's consents only (test in tests/jobs/test_jobs: another learner's are not listed)",
    "creditbank.consents.handlers.grant_consent": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.consents.handlers.withdraw_consent": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.consents.handlers.list_consents": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.consents.handlers.create_share": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.consents.handlers.revoke_share": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.consents.handlers.list_shares": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.accounts.views.show_my_outcomes": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.accounts.views.show_my_access_log": "the logged-in learner's own: acts on the principal's account only (no staff role)",
    "creditbank.accounts.views.show_shared": "a share link is public: the secret link is the key",
    "creditbank.sessions.handlers.log_in": "before login: anybody may try to log in (throttled), no principal yet",
    "creditbank.sessions.handlers.redeem_activation_code": "before login: the activation code is the key (throttled)",
    "creditbank.sessions.handlers.redeem_staff_password_code": "before login: the password-set code is the key (throttled)",
    "creditbank.sessions.handlers.log_out": "ends the session the cookie names: the cookie is the key",
    "creditbank.national.receiving.receive_batch": "a batch is authenticated by its signature, "
    "not a login: a trusted peer's log key or a pilot school's key (test in "
    "test_national_access: it answers with no principal at all)",
    "creditbank.national.counting.count_results": "the national figures are public counts, "
    "small ones suppressed (test in test_national_access)",
    "creditbank.stats.figures.show_summary": "the bank's summary figures are public, small "
    "counts suppressed (test in tests/stats/test_figures: no login, every figure)",
    "creditbank.stats.demand.show_skill_demand": "skills in demand and held are public, as the "
    "summary: open jobs and learners holding skills, small counts of learners suppressed (test "
    "in tests/api/test_skill_demand_api.py: no login, a learner's session alike)",
    "creditbank.stats.figures.list_figures": "the list of figures is public (what the bank "
    "publishes, no counts)",
    "creditbank.stats.exchange.views.show_combine": "what the last combine read (banks' log "
    "origins, when, the engine) is public beside the network's summary (test in "
    "test_stats_network_access)",
    "creditbank.alliances.views.show_memberships": "the bank's alliances are public (test in "
    "test_alliances_access)",
    "creditbank.joint.schemes.list_joint_schemes": "joint-certification schemes are public (test "
    "in test_joint_access)",
    "creditbank.joint.schemes.show_linked_outcomes": "public like the credential that names an "
    "outcome's public id (test in test_joint_access)",
    "creditbank.occupations.views.search_occupations": "the occupational classification is "
    "public (a government publication, nothing personal; learners and employers search it; test "
    "in tests/occupations/test_search)",
    "creditbank.occupations.views.show_occupation": "public like the search (test in "
    "tests/occupations/test_importing)",
    "creditbank.skills.views.show_skill": "skills are public like the occupations they belong "
    "to (a classification's tasks or the bank's own, nothing personal; test without a login in "
    "tests/api/test_skills_api.py)",
    "creditbank.skills.views.search_skills": "public like one skill (test in "
    "tests/api/test_skills_api.py)",
    "creditbank.skills.views.list_occupation_skills": "public like the occupation it belongs to "
    "(test in tests/api/test_skills_api.py)",
    "creditbank.peers.views.show_trust_list": "the bank's trust list is public (peers and "
    "verifiers read whom it trusts; test in test_peers_access)",
    "creditbank.peers.witnessing.witness_checkpoint": "a witness is public: the request is its "
    "own proof (a peer's signed checkpoint and a consistency proof; test in test_peers_access)",
}


def _every_handler() -> set[str]:
    for info in pkgutil.walk_packages(creditbank.__path__, "creditbank."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)
    return set(HANDLERS)


def _doors() -> list[Door]:
    doors: list[Door] = []
    for path in sorted(Path(__file__).parent.glob("test_*_access.py")):
        module = importlib.import_module(f"tests.access.{path.stem}")
        doors.extend(module.DOORS)
    return doors


def test_every_handler_has_a_door() -> None:
    tried = {f"{door.handler.__module__}.{door.handler.__qualname__}" for door in _doors()}
    assert sorted(_every_handler() - tried - set(OPEN)) == []


def test_open_handlers_exist() -> None:
    assert set(OPEN) <= _every_handler()
