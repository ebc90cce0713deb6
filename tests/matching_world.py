"""A small world for matching (issue 20), on top of tests/conversion_world.py (SHVC's BIM
diploma, whose approved rule exempts BIM-101 and BIM-102 for BIMTEO's X certificate BIM-X at
intermediate or higher), built through the areas' own services.

- The occupation 4-08-08-23 (BIM technician) requires five skills: MODEL, DRAW, COORD and
  SURVEY (essential), RENDER (optional); 4-04-05-04 (database administrator) requires DBA.
- Alignments in force: BIM-X at intermediate teaches MODEL and COORD (at any level: nothing);
  BIM-101 teaches MODEL; BIM-102 COORD and RENDER; DRAW-100 DRAW. Nothing teaches SURVEY or DBA.
- Learners: X_HOLDER holds BIM-X at intermediate (MODEL and COORD by the outcome; MODEL, COORD
  and RENDER by conversion: the rule would exempt BIM-101 and BIM-102); DRAWER holds DRAW-100;
  REVOKED held BIM-101, revoked.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.access.policy import OPERATOR
from creditbank.accounts import api as accounts
from creditbank.alignments import store as alignment_store
from creditbank.db import UnitOfWork
from creditbank.occupations import importing as occupations_importing
from creditbank.occupations.commands import ImportOccupations
from creditbank.skills import api as skills
from creditbank.skills import importing as skills_importing
from creditbank.skills.commands import ImportSkills
from tests import conversion_world as conversion
from tests.occupations import files as occupation_files

BIM = "4-08-08-23"
DBA_OCCUPATION = "4-04-05-04"
URI = "urn:test:matching:"
SKILLS_CSV = f"""uri,name,name_en,kind,occupation,relation
{URI}model,建立建筑信息模型,Build BIM models,task,{BIM},essential
{URI}draw,绘制工程图,Draw engineering drawings,task,{BIM},essential
{URI}coord,协调施工,Coordinate construction,task,{BIM},essential
{URI}survey,现场测量,Survey sites,task,{BIM},essential
{URI}render,效果图渲染,Render views,task,{BIM},optional
{URI}dba,维护数据库,Maintain databases,task,{DBA_OCCUPATION},essential
"""
ALIGNMENTS = (
    ("BIMTEO:BIM-X", "intermediate", ("model", "coord")),
    ("SHVC:BIM-101", None, ("model",)),
    ("SHVC:BIM-102", None, ("coord", "render")),
    ("SHVC:DRAW-100", None, ("draw",)),
)


@dataclass(frozen=True)
class World:
    users: conversion.Users
    skills: dict[str, int]
    """Skill ids by short name (model, draw, coord, survey, render, dba)."""
    x_holder: str
    drawer: str
    revoked: str
    x_outcome: str
    draw_outcome: str


def build(uow: UnitOfWork) -> World:
    """The world (the conversion world first); needs an initialised bank."""
    users = conversion.build(uow)
    conversion.approved(uow, users, conversion.x_certificate_rule(), "SHVC")
    occupations_importing.import_occupations(
        ImportOccupations(occupation_files.CSV.encode(), "ours.csv", "Test", "1", "CC0"),
        principal=OPERATOR,
        uow=uow,
    )
    skills_importing.import_skills(
        ImportSkills(SKILLS_CSV.encode(), "skills.csv", "Test", "1", "CC0"),
        principal=OPERATOR,
        uow=uow,
    )
    ids = {}
    for name in ("model", "draw", "coord", "survey", "render", "dba"):
        found = skills.skill_by_uri(uow, URI + name)
        assert found is not None
        ids[name] = found.id
    for item, level, taught in ALIGNMENTS:
        author = users.teo if item.startswith("BIMTEO") else users.shvc
        subject = alignment_store.find_subject(uow, item, level)
        version = alignment_store.draft_alignment(
            uow=uow,
            subject=subject,
            skill_uris=[URI + name for name in taught],
            note="",
            user_id=author,
        )
        alignment_store.submit_alignment(uow=uow, alignment_id=version.id, user_id=author)
        alignment_store.approve_alignment(uow=uow, alignment_id=version.id, user_id=users.admin1)
    x_holder = conversion.x_certificate_holder(uow, 1)
    drawer = conversion.learner(uow, 2)
    draw_outcome = conversion.deposit(
        uow, drawer, institution="SHVC", item="DRAW-100", level="4", record="D-2"
    )
    revoked = conversion.learner(uow, 3)
    gone = conversion.deposit(
        uow, revoked, institution="SHVC", item="BIM-101", level="4", record="R-3"
    )
    accounts.revoke_outcome(uow=uow, public_id=gone, reason="wrongly deposited", user_id=users.shvc)
    (x_outcome,) = accounts.standing_outcome_ids(uow=uow, account_number=x_holder)
    return World(users, ids, x_holder, drawer, revoked, x_outcome, draw_outcome)
