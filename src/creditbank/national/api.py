"""What other areas may use of the national platform: its error and the transport a regional
bank sends its batches through (plain types and functions only)."""

from __future__ import annotations

from creditbank.national.model import NationalError, Reference
from creditbank.national.sending import Transport, http_post

__all__ = ["NationalError", "Reference", "Transport", "http_post"]
