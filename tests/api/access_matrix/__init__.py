"""Who may do what over HTTP: every role against every endpoint, on own, other and no institution.

One module per area (staff and records; accreditation; credentials; reading a transcript), on
the helpers of :mod:`tests.api.access_matrix.support` and the fixtures of this package's
conftest. The expected tables are written out by hand, not derived from the policy, so that a
change to the policy that opens or closes a door fails.
"""
