"""What is wrong with a line of an imported file, named by line and column (the occupations' and
skills' files: the bank's own CSV/JSON shapes, ESCO's and O*NET's): the problems a reader
gathers before it refuses a file, and the two checks every reader makes of a cell."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from creditbank.messages import Message, msg

Problem = tuple[int, str, Message]
"""Line, column and what is wrong there."""


def too_long(line: int, column: str, value: str, limit: int, problems: list[Problem]) -> None:
    """Note that ``value`` (line ``line``, column ``column``) is over ``limit`` characters."""
    if len(value) > limit:
        problems.append(
            (
                line,
                column,
                msg(
                    "Line {line}, column {column}: longer than {n} characters.",
                    line=line,
                    column=column,
                    n=limit,
                ),
            )
        )


def empty(line: int, column: str, problems: list[Problem]) -> None:
    """Note that line ``line`` leaves column ``column``, which it needs, empty."""
    problems.append(
        (line, column, msg("Line {line}, column {column}: empty.", line=line, column=column))
    )


def checked_header(
    names: Sequence[str] | None,
    required: Sequence[str],
    refuse: Callable[[Sequence[Message], int, str], Exception],
) -> list[str]:
    """A file's header (its column names, trimmed), or the area's refusal (``refuse``: its
    ``bad_file``) naming every required column it lacks."""
    header = [name.strip() for name in names or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise refuse(
            [msg("The header has no column {column}.", column=name) for name in missing],
            1,
            missing[0],
        )
    return header
