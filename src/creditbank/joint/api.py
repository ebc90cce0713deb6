"""What other areas may use of joint certification: the outcomes a joint assessment made at the
other bodies (e.g. for a credential to name them)."""

from __future__ import annotations

from creditbank.joint.schemes import LinkedOutcome, linked_outcomes

__all__ = ["LinkedOutcome", "linked_outcomes"]
