"""Small skills files of our own shape (CSV and JSON) over the occupations' test file
(tests/occupations/files.py), for the skills' tests."""

from __future__ import annotations

import json

CSV = """uri,name,name_en,description,kind,occupation,relation,importance
urn:test:skill:bim-modelling,建立建筑信息模型,Build BIM models,用软件建模,skill,4-08-08-23,essential,4.5
urn:test:skill:bim-modelling,建立建筑信息模型,Build BIM models,用软件建模,skill,4-04-05-02,optional,
urn:test:skill:sql,编写SQL查询,Write SQL queries,,knowledge,4-04-05-04,essential,5
urn:test:skill:testing,设计测试用例,Design test cases,,skill,4-04-05-02,essential,
urn:test:skill:teamwork,团队协作,Teamwork,,competence,,,
"""
"""Four skills, five links to three occupations (the BIM modelling skill on two rows)."""

JSON = json.dumps(
    {
        "skills": [
            {
                "uri": "urn:test:skill:sql",
                "name": "编写SQL查询语句",
                "name_en": "Write SQL queries",
                "kind": "knowledge",
            },
            {
                "uri": "urn:test:skill:masonry",
                "name": "砌筑砖墙",
                "occupations": [{"code": "6-29-01-01", "relation": "essential"}],
            },
        ],
        "links": [{"occupation": "4-04-05-04", "skill": "urn:test:skill:teamwork"}],
    },
    ensure_ascii=False,
)
"""A second source: one skill of the CSV renamed, a new one linked to an occupation only the
occupations' JSON gives, a link to a skill only the bank holds."""

ESCO = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,status,"
    "modifiedDate,scopeNote,definition,inScheme,description\n"
    "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/test-0001,skill/competence,"
    'sector-specific,create BIM models,"build BIM models\nmodel buildings",,released,'
    "2023-01-01T00:00:00Z,,,http://data.europa.eu/esco/concept-scheme/skills,"
    '"Use software to build a digital model of a building, its parts and systems."\n'
    "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/test-0002,knowledge,"
    "cross-sector,SQL,,,released,2023-01-01T00:00:00Z,,"
    '"The computer language SQL, a query language.",'
    "http://data.europa.eu/esco/concept-scheme/skills,\n"
)
"""Two made-up rows in the shape of ESCO's skills_en.csv (its columns, a multi-line cell of
alternative labels, a concept described only by its definition)."""
