"""The catalogue: what can be deposited (qualifications, courses, X certificates, ...)."""
