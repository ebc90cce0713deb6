"""Who may do what: the one authorisation policy of the bank."""
