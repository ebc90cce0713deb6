"""Translatable messages: a template and its parameters, rendered at the edge.

The pure cores raise errors carrying a :class:`Message` instead of a finished
English sentence; the web, CLI and page layers render it through the message
catalogs (``msg`` is a keyword of the catalog extraction, see ``babel.cfg``).
Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Translate = Callable[[str], str]


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class Message:
    """An English template (the catalog key) with named parameters."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, translate: Translate = _identity) -> str:
        """The message in the language of ``translate``; a parameter that is itself a message
        (e.g. a reason inside a sentence) is rendered in the same language."""
        params = {
            name: value.render(translate) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        return translate(self.template).format(**params)

    def __str__(self) -> str:
        return self.render()


def msg(template: str, **params: object) -> Message:
    """Mark ``template`` for translation and bind its parameters."""
    return Message(template, params)
