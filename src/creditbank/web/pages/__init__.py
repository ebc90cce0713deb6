"""Pages that serve a person rather than a business area: login, the learner's own account,
the staff's desk. Thin, like every route: parse the form, call services, render."""
