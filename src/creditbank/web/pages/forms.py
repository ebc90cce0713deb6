"""What the page forms share: messages as sentences, errors by field."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from fastapi import Request

from creditbank.errors import DomainError
from creditbank.messages import Message, msg
from creditbank.web.i18n import translator_for

UNPROCESSABLE, TOO_MANY = 422, 429


def say(request: Request, message: Message) -> str:
    """``message`` in the request's language, as a sentence (domain messages start lower-case)."""
    text = message.render(translator_for(request).gettext)
    return text[:1].upper() + text[1:]


class FieldErrors:
    """The problems of a submitted form, by field (``"-"`` for the form as a whole)."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self.by_field: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: Message) -> None:
        self.by_field[field].append(say(self._request, message))

    def add_refusal(self, error: DomainError, field: str = "-") -> None:
        """A use case's refusal (its message and each of its problems) next to ``field``."""
        for message in (error.message, *error.problems):
            self.add(field, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def as_dict(self) -> dict[str, list[str]]:
        return dict(self.by_field)


def parse_date(errors: FieldErrors, field: str, text: str) -> date | None:
    """The date typed into ``field`` (None when left empty), or an error next to the field."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.add(field, msg("enter a date like 2024-06-30"))
        return None


def parse_decimal(errors: FieldErrors, field: str, text: str, places: int) -> Decimal | None:
    """The number typed into ``field`` with at most ``places`` decimals (None when empty)."""
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
        if not value.is_finite() or value != value.quantize(Decimal(1).scaleb(-places)):
            raise InvalidOperation(text)  # noqa: TRY301 - one message for every bad number
    except InvalidOperation:
        errors.add(field, msg("enter a number with at most {places} decimals", places=places))
        return None
    return value
