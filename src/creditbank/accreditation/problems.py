"""The problem types of competence standards, assessment schemes and accreditation applications.

The kinds of error this area reports (RFC 9457); ``creditbank.web.problems`` collects them.
"""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-standard", 422, "Invalid competence standard"),
    ProblemType("standard-exists", 409, "Standard version exists already"),
    ProblemType("standard-not-found", 404, "Competence standard not found"),
    ProblemType("unit-not-found", 404, "Accreditation unit not found"),
    ProblemType("invalid-scheme", 422, "Invalid assessment scheme"),
    ProblemType("scheme-not-found", 404, "Assessment scheme not found"),
    ProblemType("invalid-scores", 422, "Invalid marks"),
    ProblemType("invalid-certification", 422, "Invalid certification"),
    ProblemType("invalid-application", 422, "Invalid accreditation application"),
    ProblemType("application-not-found", 404, "Accreditation application not found"),
    ProblemType("application-status-conflict", 409, "The application's state does not allow this"),
    ProblemType("invalid-decision", 422, "Invalid accreditation decision"),
    ProblemType("assessor-not-certified", 422, "Assessor not certified for this unit"),
    ProblemType("assessor-conflict", 422, "Assessor has a conflict of interest"),
    ProblemType("not-the-assessor", 403, "Only the assigned assessor may do this"),
    ProblemType("assessor-confirms", 403, "The assessor may not confirm their own decision"),
    ProblemType("appeal-used", 409, "The application has been appealed already"),
)
