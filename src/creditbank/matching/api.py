"""What other areas may call of matching (contract 5 of issue 20): a learner's skills with the
evidence of each, and the consenting learners ranked for a job's skills. Functions and plain
data types only."""

from __future__ import annotations

from creditbank.matching.learners import learner_skills
from creditbank.matching.matches import LearnerMatch, rank_learners
from creditbank.matching.model import Covered, Evidence

__all__ = ["Covered", "Evidence", "LearnerMatch", "learner_skills", "rank_learners"]
