"""Rules on institutions and staff, and the policy's own contract, without a database."""

from __future__ import annotations

import pytest

from creditbank.access import policy
from creditbank.access.policy import AccessError, Action, Principal, allowed, require
from creditbank.institutions.model import (
    Institution,
    InstitutionError,
    InstitutionType,
    Role,
    check_institution_code,
    check_staff_institution,
    check_user,
)


@pytest.mark.parametrize("code", ["S", "shou university", "", "A" * 33, "上海"])
def test_bad_institution_codes(code: str) -> None:
    with pytest.raises(InstitutionError, match="must be 2-32 capital letters") as raised:
        check_institution_code(code)
    assert raised.value.code == "invalid_institution"


def test_codes_are_upper_cased() -> None:
    assert check_institution_code(" shou-2 ") == "SHOU-2"


def test_staff_roles_need_an_institution() -> None:
    for role in (Role.REGISTRAR, Role.ASSESSOR, Role.ACCREDITATION_OFFICER):
        with pytest.raises(InstitutionError, match="must belong to an institution"):
            check_user(email="a@b.example", role=role, institution=None)
    assert (
        check_user(email=" Admin@Bank.Example ", role=Role.BANK_ADMIN, institution=None)
        == "admin@bank.example"
    )
    with pytest.raises(InstitutionError, match="not an e-mail address"):
        check_user(email="admin", role=Role.BANK_ADMIN, institution=None)


def test_an_employer_belongs_to_an_enterprise_only() -> None:
    def of(kind: InstitutionType) -> Institution:
        return Institution("X-1", "某单位", "", kind, "", ())

    check_staff_institution(Role.EMPLOYER, of(InstitutionType.ENTERPRISE))
    for kind in set(InstitutionType) - {InstitutionType.ENTERPRISE}:
        with pytest.raises(InstitutionError, match="employer must belong to an enterprise"):
            check_staff_institution(Role.EMPLOYER, of(kind))
        check_staff_institution(Role.REGISTRAR, of(kind))  # other roles: any kind


def test_nobody_acts_for_another_institution_without_a_rule() -> None:
    registrar = Principal(1, "r@a.example", Role.REGISTRAR, "A")
    assert allowed(registrar, Action.CREATE_CATALOG_ITEM, "A")
    assert not allowed(registrar, Action.CREATE_CATALOG_ITEM, "B")
    assert not allowed(registrar, Action.CREATE_CATALOG_ITEM, None)
    with pytest.raises(
        AccessError, match="a registrar of A may not add catalogue items for B"
    ) as raised:
        require(registrar, Action.CREATE_CATALOG_ITEM, "B")
    assert raised.value.code == "forbidden"


def test_every_action_has_a_rule() -> None:
    assert set(policy._OWN) == set(Action)
    assert set(policy._ANY) == set(Action)


def test_whose_outcomes_a_principal_may_read() -> None:
    admin = Principal(1, "a@bank.example", Role.BANK_ADMIN, None)
    auditor = Principal(2, "b@bank.example", Role.AUDITOR, None)
    assessor = Principal(3, "c@a.example", Role.ASSESSOR, "A")
    assert policy.readable_issuer(admin, None) is None
    assert policy.readable_issuer(auditor, "B") == "B"
    assert policy.readable_issuer(assessor, None) == "A"
    assert policy.readable_issuer(assessor, "A") == "A"
    with pytest.raises(AccessError, match="may not read outcomes for B"):
        policy.readable_issuer(assessor, "B")


def test_a_resource_several_institutions_share() -> None:
    auditor = Principal(2, "b@bank.example", Role.AUDITOR, None)
    assessor = Principal(3, "c@a.example", Role.ASSESSOR, "A")
    policy.require_any(assessor, Action.READ_OUTCOMES, {"B", "A"})
    policy.require_any(auditor, Action.READ_OUTCOMES, set())
    for owners in ({"B", "C"}, set()):
        with pytest.raises(
            AccessError, match="an assessor of A may not read outcomes here"
        ) as raised:
            policy.require_any(assessor, Action.READ_OUTCOMES, owners)
        assert "B" not in str(raised.value)  # who holds it is not told


def test_a_learner_s_consent_opens_the_whole_record_to_that_institution_only() -> None:
    assessor = Principal(3, "c@a.example", Role.ASSESSOR, "A")
    assert policy.readable_issuer(assessor, None, consenting={"A"}) is None
    assert policy.readable_issuer(assessor, "B", consenting={"A", "C"}) == "B"
    assert policy.readable_issuer(assessor, None, consenting={"B"}) == "A"
    with pytest.raises(AccessError):
        policy.readable_issuer(assessor, "B", consenting={"B"})
    admin = Principal(1, "a@bank.example", Role.BANK_ADMIN, None)
    assert policy.readable_issuer(admin, "B", consenting=set()) == "B"


def test_registrars_and_administrators_look_learners_up() -> None:
    registrar = Principal(1, "r@a.example", Role.REGISTRAR, "A")
    assessor = Principal(3, "c@a.example", Role.ASSESSOR, "A")
    admin = Principal(1, "a@bank.example", Role.BANK_ADMIN, None)
    assert allowed(registrar, Action.LOOKUP_LEARNER, "A")
    assert not allowed(assessor, Action.LOOKUP_LEARNER, "A")
    assert allowed(admin, Action.LOOKUP_LEARNER, None)


def test_learners_read_only_their_own_account() -> None:
    learner = policy.LearnerPrincipal(7, "CB123456789012")
    policy.require_own_account(learner, " cb123456789012 ")
    with pytest.raises(AccessError) as other:
        policy.require_own_account(learner, "CB000000000000")
    assert other.value.code == "forbidden"
