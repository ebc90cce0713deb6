"""Moving a learner's record between peer banks: transfer packages, their import, recognition."""
