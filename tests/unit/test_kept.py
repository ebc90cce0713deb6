"""Models kept between calls (creditbank/kept.py): by key, at most a set's size."""

from __future__ import annotations

import pytest

from creditbank.kept import KeptModels


def test_a_kept_model_is_handed_out_again_by_its_key_only() -> None:
    kept: KeptModels[tuple[int, str], list[str]] = KeptModels(4)
    model = ["NVQC", "1"]
    assert kept.keep((1, "NVQC"), model) is model
    assert kept.get((1, "NVQC")) is model
    # the same id under another content is another row: not the kept model
    assert kept.get((1, "QCPTP")) is None


def test_a_full_set_starts_again() -> None:
    kept: KeptModels[int, str] = KeptModels(3)
    for key in range(3):
        kept.keep(key, f"model {key}")
    assert len(kept) == 3 and kept.get(0) == "model 0"
    kept.keep(3, "model 3")
    assert len(kept) == 1
    assert kept.get(0) is None and kept.get(3) == "model 3"


def test_a_set_holds_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least one"):
        KeptModels(0)
