"""What other areas (and the demo) may use of credit conversion: functions and plain data.

These are the stores' functions, which check no policy: the demo and the accounts area's
withdrawal hook act as the bank itself. Entry points call the handlers
(:mod:`creditbank.conversion.programmes`, ``rules``, ``requests``, ``views``) instead.
"""

from __future__ import annotations

from creditbank.conversion.conversion_reads import (
    Conversion,
    ConversionStatus,
    get_conversion,
    list_conversions,
)
from creditbank.conversion.conversion_store import (
    confirm_conversion,
    request_conversion,
    source_withdrawn,
)
from creditbank.conversion.programme_store import ProgrammeSpec, create_programme, get_programme
from creditbank.conversion.progress import LearnerProgress, progress
from creditbank.conversion.rule_store import (
    RuleVersion,
    approve_rule,
    draft_rule,
    get_rule,
    list_rules,
    submit_rule,
)
from creditbank.conversion.statistics import conversion_facts

__all__ = [
    "Conversion",
    "ConversionStatus",
    "LearnerProgress",
    "ProgrammeSpec",
    "RuleVersion",
    "approve_rule",
    "confirm_conversion",
    "conversion_facts",
    "create_programme",
    "draft_rule",
    "get_conversion",
    "get_programme",
    "get_rule",
    "list_conversions",
    "list_rules",
    "progress",
    "request_conversion",
    "source_withdrawn",
    "submit_rule",
]
