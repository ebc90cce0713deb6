"""Web login: sessions of staff and learners, the login throttle, learners' passwords."""
