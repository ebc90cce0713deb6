"""The alignments' pure rules (creditbank.alignments.model): a version's status from its events
(superseded when a newer version was approved), which step may follow which, and four eyes."""

from __future__ import annotations

import pytest

from creditbank.alignments.model import (
    AlignmentsError,
    AlignmentStatus,
    check_step,
    status_of,
    subject_label,
)

S = AlignmentStatus


@pytest.mark.parametrize(
    ("kinds", "superseded", "status"),
    [
        ((), False, S.DRAFT),
        (("submitted",), False, S.SUBMITTED),
        (("submitted", "approved"), False, S.APPROVED),
        (("submitted", "approved"), True, S.SUPERSEDED),
        (("submitted", "approved", "retired"), True, S.RETIRED),
        (("submitted", "rejected"), False, S.REJECTED),
        (("withdrawn",), False, S.WITHDRAWN),
    ],
)
def test_status_from_events(kinds: tuple[str, ...], superseded: bool, status: S) -> None:
    assert status_of(kinds, superseded=superseded) is status


ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.REJECTED),
    (S.APPROVED, S.RETIRED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("step", [S.SUBMITTED, S.APPROVED, S.REJECTED, S.WITHDRAWN, S.RETIRED])
def test_which_step_may_follow_which(current: S, step: S) -> None:
    if (current, step) in ALLOWED:
        check_step(label="X:Y v1", current=current, step=step, author_id=1, by_id=2)
        return
    with pytest.raises(AlignmentsError) as refused:
        check_step(label="X:Y v1", current=current, step=step, author_id=1, by_id=2)
    assert refused.value.code == "alignment_status_conflict"
    assert refused.value.extensions == {"alignment_status": current.value}


@pytest.mark.parametrize("step", [S.APPROVED, S.REJECTED])
def test_the_author_may_not_decide(step: S) -> None:
    with pytest.raises(AlignmentsError) as refused:
        check_step(label="X:Y v1", current=S.SUBMITTED, step=step, author_id=7, by_id=7)
    assert refused.value.code == "alignment_four_eyes"
    check_step(label="X:Y v1", current=S.APPROVED, step=S.RETIRED, author_id=7, by_id=7)


def test_subject_labels() -> None:
    assert subject_label("BIMTEO:BIM-X", None) == "BIMTEO:BIM-X"
    assert subject_label("BIMTEO:BIM-X", "intermediate") == "BIMTEO:BIM-X@intermediate"
