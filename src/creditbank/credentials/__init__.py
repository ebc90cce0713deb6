"""Verifiable credentials: Open Badges 3.0 and CLR 2.0 on VC 2.0, signing keys, status lists,
and the verifier."""
