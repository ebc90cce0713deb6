"""The base of every domain error: a stable code, a translatable message, each problem found.

Every business area raises subclasses of :class:`DomainError`; the HTTP layer
turns them into RFC 9457 problem documents (``type`` = ``/problems/<code>``),
the CLI into a message and a non-zero exit. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from creditbank.messages import Message, Translate


class DomainError(ValueError):
    """A request the domain refuses. Nothing has been changed when it is raised.

    ``code`` is a stable machine-readable kind (``level_not_found``), which the
    HTTP layer maps to a problem type; ``message`` says what is wrong and
    ``problems`` lists each problem found (all of them, not just the first).
    """

    def __init__(
        self,
        code: str,
        message: Message,
        problems: Sequence[Message] = (),
        *,
        extensions: Mapping[str, str] | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.problems = tuple(problems)
        self.extensions = dict(extensions or {})
        """Extra members of the problem document (e.g. the URL of a rejected batch)."""
        super().__init__(self.render())

    def render(self, translate: Translate | None = None) -> str:
        """The message and its problems, in the language of ``translate``."""
        messages = (self.message, *self.problems)
        if translate is None:
            return "; ".join(m.render() for m in messages)
        return "; ".join(m.render(translate) for m in messages)
