"""A learner's say over their record: consents to institutions and shares with verifiers."""
