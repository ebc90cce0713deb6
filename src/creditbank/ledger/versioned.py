"""Versioned facts of record: institutions, catalogue items, signing keys (ADR 0017).

Such a fact is logged once per version of its row: entry id ``<identifier>@<version>``, where
the version is the row's, incremented by each change of its committed facts. The row holds only
its newest version; ``log verify`` checks the entry of that version against the row and counts
the entries of earlier versions (:data:`~creditbank.ledger.model.SUPERSEDED`); an entry of a
version the row has not reached, or of a row that is gone, is a problem, and so is a row whose
version has no entry. Pure helpers for the areas' ``records.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from creditbank.ledger.model import SUPERSEDED, split_versioned_id, versioned_id


def versions_read(
    record_ids: Collection[str],
    current: Mapping[str, tuple[int, Callable[[], Mapping[str, object]]]],
) -> dict[str, Mapping[str, object]]:
    """The records of ``record_ids`` (``<identifier>@<version>``) given, for each identifier
    found, its version now and how to build its record: the record for the version now,
    :data:`SUPERSEDED` for an earlier one, nothing for a later one or an unknown identifier."""
    found: dict[str, Mapping[str, object]] = {}
    for record_id in record_ids:
        split = split_versioned_id(record_id)
        if split is None or split[0] not in current:
            continue
        identifier, version = split
        now, build = current[identifier]
        if version == now:
            found[record_id] = build()
        elif version < now:
            found[record_id] = SUPERSEDED
    return found


def identifiers(record_ids: Collection[str]) -> set[str]:
    """The identifiers that ``record_ids`` (``<identifier>@<version>``) name."""
    return {split[0] for split in map(split_versioned_id, record_ids) if split is not None}


__all__ = ["identifiers", "versioned_id", "versions_read"]
