"""The conversion engine: which rules a learner's outcomes satisfy; the best plan under the caps.

Given a programme, the approved rules for it, the learner's standing outcomes and the grants of
the learner's active conversions toward the programme, the engine

- checks every rule (a what-if): in force or not, which source spec no outcome satisfies and
  which condition each near miss fails, what the rule would give;
- lists the *candidates*: the ways to apply each rule in force to distinct available outcomes;
- chooses the *plan*: a set of candidates that grants the most credits without breaking a cap,
  using an outcome twice, applying a rule twice or exempting a component twice, and explains
  every grant and every candidate left out;
- sums up the learner's progress toward the programme with and without the plan.

Simplifications, by design:

- Each candidate is charged, for the per-source-item and per-issuer caps, to the item and the
  issuer of its *first* source only (as :class:`~creditbank.conversion.model.PriorGrant` is).
- At most :data:`MAX_CANDIDATES_PER_RULE` candidates per rule are considered: the eligible
  outcomes of each source are ranked by higher score (no score last), then newer assessment,
  then id, and the candidates are the first assignments of distinct outcomes in that
  (lexicographic) order.
- A rule applies at most once per plan (rules are told apart by code, so two versions of one
  rule never both apply).
- Component exemptions are whole or nothing: each component of a candidate is granted with all
  its credits or not at all; elective credits may be cut to any multiple of 0.1. For the search,
  a candidate with open components is split into *variants*, one per subset of its components
  (all subsets up to :data:`MAX_SPLIT_COMPONENTS` components, else all or none), so that a plan
  may leave out a component that another rule exempts or that no cap leaves room for. The
  value of a set of variants does not depend on their order: their components (which must fit
  every cap whole) plus the most elective credits the remaining room allows, an exact maximum
  flow in tenths of a credit.

The plan is found by a depth-first include/exclude search over the variants (largest offers
first; ties by rule code, version and id, then outcome ids), which skips variants that reuse an
outcome, a rule or a component of the set, and prunes with upper bounds (one variant per rule;
each outcome used once; each component exempted once; the caps). It starts from the greedy plan
in the order given and visits at most ``budget`` nodes (:data:`SEARCH_BUDGET`); the plan says
whether the search finished. A finished search returns the first best set in its own order, so
the plan does not depend on the order of the rules. A node costs well under a millisecond, so a
search that runs out of budget takes seconds; small cases (a few rules and outcomes) finish in
a few hundred nodes.

The engine is split by subject: :mod:`.results` (what it answers), :mod:`.matching`
(sources, conditions, candidates), :mod:`.caps` and :mod:`.flow` (the caps, in tenths),
:mod:`.variants` (subsets of components and their value), :mod:`.search` (the plan search and the
greedy baseline), :mod:`.explanation` (grants and reasons), :mod:`.progress` (the audit).
This package re-exports the public names.

Standard library only.
"""

from creditbank.conversion.engine.matching import (
    MAX_ASSIGNMENT_STEPS,
    MAX_CANDIDATES_PER_RULE,
    candidates,
    met_components,
    mismatch,
    unmet_conditions,
)
from creditbank.conversion.engine.progress import audit
from creditbank.conversion.engine.results import (
    Candidate,
    Grant,
    MetComponent,
    PassedOver,
    Plan,
    Progress,
    RuleCheck,
)
from creditbank.conversion.engine.search import SEARCH_BUDGET, best_plan, greedy_plan
from creditbank.conversion.engine.variants import MAX_SPLIT_COMPONENTS

__all__ = [
    "MAX_ASSIGNMENT_STEPS",
    "MAX_CANDIDATES_PER_RULE",
    "MAX_SPLIT_COMPONENTS",
    "SEARCH_BUDGET",
    "Candidate",
    "Grant",
    "MetComponent",
    "PassedOver",
    "Plan",
    "Progress",
    "RuleCheck",
    "audit",
    "best_plan",
    "candidates",
    "greedy_plan",
    "met_components",
    "mismatch",
    "unmet_conditions",
]
