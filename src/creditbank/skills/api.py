"""What other areas may call of the skills (contract 1 of issue 20): skills by id and URI, what
an occupation requires, which occupations require a skill, every skill, and a version that
changes with every import that changes skills; and (contract 2) the skills suggested for a text.
Functions and plain data types only."""

from __future__ import annotations

from creditbank.skills.model import RequiredSkill, Skill
from creditbank.skills.reading import (
    all_skills,
    get_skills,
    occupation_skills,
    occupations_requiring,
    skill_by_uri,
    skills_by_uri,
    skills_version,
)
from creditbank.skills.suggest import SkillHit, suggest_skills

__all__ = [
    "RequiredSkill",
    "Skill",
    "SkillHit",
    "all_skills",
    "get_skills",
    "occupation_skills",
    "occupations_requiring",
    "skill_by_uri",
    "skills_by_uri",
    "skills_version",
    "suggest_skills",
]
