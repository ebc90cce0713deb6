"""What other business areas may use of the alignments: the skills in force of catalogue items
(matching, gaps, coverage, credentials), as plain data or as a ``Select`` for SQL joins.

A subject is a catalogue item, optionally at one framework level; the newest approved version
of a subject's alignment is in force until it is retired. An outcome of item I at level L gives
skill S when an alignment in force has (I, any level, S) or (I, L, S).
"""

from __future__ import annotations

from creditbank.alignments.inforce import (
    Alignment,
    SkillAt,
    aligned_skills_select,
    alignments_of_items,
    alignments_teaching,
    skills_in_force,
    skills_in_force_at,
)

__all__ = [
    "Alignment",
    "SkillAt",
    "aligned_skills_select",
    "alignments_of_items",
    "alignments_teaching",
    "skills_in_force",
    "skills_in_force_at",
]
