"""One test, several certificates: a joint-certification scheme whose one assessment yields an
outcome (and a credential) from each participating body, in its own framework, linked to the
others."""
