"""Accreditation of learning outcomes against competence standards (recognition of prior,
non-formal and informal learning), under assessment schemes and four eyes."""
