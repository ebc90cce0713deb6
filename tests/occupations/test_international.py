"""ESCO's and O*NET's occupations and skills, imported from small files in their real formats
(tests/data), on both databases: stored under scheme-prefixed codes with their groups, URIs,
aliases and provenance (the sources' licences by default); their skills linked essential or
optional with O*NET's importance; searchable beside China's; a learner's gap to them with the
importance shown; bad files refused at the line and column of the first problem with nothing
stored; importing again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from creditbank.access.policy import OPERATOR
from creditbank.db import Database, UnitOfWork
from creditbank.errors import DomainError
from creditbank.matching import gaps
from creditbank.matching.commands import ShowGaps
from creditbank.matching.schemas import GapRead
from creditbank.occupations import importing, views
from creditbank.occupations.commands import ImportOccupations, SearchOccupations, ShowOccupation
from creditbank.occupations.files import read_occupations
from creditbank.occupations.model import Level, OccupationsError, code_level, is_code, parent_codes
from creditbank.occupations.tables import OccupationImportRow, OccupationRow
from creditbank.skills import api as skills
from creditbank.skills import importing as skills_importing
from creditbank.skills.commands import ImportSkills
from creditbank.skills.model import SkillsError
from creditbank.skills.onet import kind_of
from creditbank.skills.tables import OccupationSkillRow, SkillImportRow, SkillRow
from tests.matching_world import learner
from tests.occupations.test_importing import ADMIN

DATA = Path(__file__).parent.parent / "data"
ESCO_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
PROGRAMMING = "http://data.europa.eu/esco/skill/21ae3d4b-9b4c-4a5a-a2ec-2b9b1ed4b3e5"
MARKUP = "http://data.europa.eu/esco/skill/0c6e1d5a-47b8-4b69-b4a1-5c2ad7a1c8f0"


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def import_occupations(
    uow: UnitOfWork,
    name: str,
    file_format: str,
    content: bytes | None = None,
    alternate_titles: bytes | None = None,
) -> importing.ImportReport:
    command = ImportOccupations(
        content=data(name) if content is None else content,
        file_name=name.rsplit("/", 1)[-1],
        source="" if file_format in {"esco", "onet"} else "Our test set",
        version="test",
        licence="" if file_format in {"esco", "onet"} else "CC0",
        file_format=file_format,
        alternate_titles=alternate_titles,
    )
    return importing.import_occupations(command, principal=ADMIN, uow=uow)


def import_skills(
    uow: UnitOfWork, name: str, file_format: str, content: bytes | None = None
) -> skills_importing.ImportReport:
    command = ImportSkills(
        content=data(name) if content is None else content,
        file_name=name.rsplit("/", 1)[-1],
        source="",
        version="test",
        licence="",
        file_format=file_format,
    )
    return skills_importing.import_skills(command, principal=ADMIN, uow=uow)


def import_onet(uow: UnitOfWork) -> None:
    import_occupations(
        uow,
        "onet/Occupation Data.txt",
        "onet",
        alternate_titles=data("onet/Alternate Titles.txt"),
    )
    import_skills(uow, "onet/Skills.txt", "onet")
    import_skills(uow, "onet/Knowledge.txt", "onet")


def import_esco(uow: UnitOfWork) -> None:
    import_occupations(uow, "esco/occupations_en.csv", "esco")
    import_occupations(uow, "esco/ISCOGroups_en.csv", "esco")
    import_skills(uow, "esco/skills_en.csv", "esco")
    import_skills(uow, "esco/occupationSkillRelations_en.csv", "esco")


def counts(uow: UnitOfWork) -> tuple[int, ...]:
    tables = (OccupationRow, OccupationImportRow, SkillRow, OccupationSkillRow, SkillImportRow)
    return tuple(
        uow.session.scalar(select(func.count()).select_from(table)) or 0 for table in tables
    )


def refused(error: pytest.ExceptionInfo[DomainError]) -> tuple[str, str, str]:
    """The refusal's line and column, and its first problem."""
    extensions = error.value.extensions or {}
    return (extensions.get("line", ""), extensions.get("column", ""), str(error.value.problems[0]))


def test_codes_of_each_scheme_their_levels_and_groups() -> None:
    assert is_code("ESCO:2512.4") and is_code("ESCO:25") and is_code("ONET:15-1252.00")
    assert not any(
        is_code(c) for c in ("ESCO:12345", "ONET:15-1252", "ONET:15-1252.0", "ISCO:25", "esco:25")
    )
    assert not is_code("ESCO:2512.4.1.1.1.1")  # over the 16 characters a code may have
    assert parent_codes("ESCO:2512.4.1") == (
        "ESCO:2",
        "ESCO:25",
        "ESCO:251",
        "ESCO:2512",
        "ESCO:2512.4",
    )
    assert parent_codes("ONET:15-1252.01") == (
        "ONET:15-0000",
        "ONET:15-1200",
        "ONET:15-1250",
        "ONET:15-1252.00",
    )
    assert [code_level(c) for c in ("ESCO:2", "ESCO:25", "ESCO:2512", "ESCO:2512.4")] == [
        Level.MAJOR,
        Level.MIDDLE,
        Level.MINOR,
        Level.OCCUPATION,
    ]
    assert [kind_of(e) for e in ("2.B.3.e", "2.C.3.a", "1.A.1.a.1")] == [
        "skill",
        "knowledge",
        "competence",  # an ability (Abilities.txt)
    ]
    assert code_level("ONET:15-0000") == Level.MAJOR
    assert code_level("ONET:15-1252.00") == Level.OCCUPATION
    assert parent_codes("4-08-08-23") == ("4-00-00-00", "4-08-00-00", "4-08-08-00")


def test_esco_and_onet_files_read_as_their_downloads_give_them() -> None:
    esco = {
        o.code: o
        for o in read_occupations(data("esco/occupations_en.csv"), "esco", "occupations_en.csv")
    }
    developer = esco["ESCO:2512.4"]
    assert (developer.name, developer.name_en, developer.uri) == (
        "software developer",
        "software developer",
        ESCO_DEVELOPER,
    )
    # one label a line: a label with a comma stays whole
    assert developer.aliases == ("programmer", "software engineer", "programmer, application")
    assert developer.definition.startswith("Software developers implement")
    onet = read_occupations(
        data("onet/Occupation Data.txt"),
        "onet",
        "Occupation Data.txt",
        data("onet/Alternate Titles.txt"),
    )
    assert [o.code for o in onet] == ["ONET:15-1252.00", "ONET:15-1254.00", "ONET:29-1141.01"]
    assert onet[0].aliases == ("Application Developer", "Software Engineer", "Computer Programmer")
    assert onet[2].aliases == ()


@pytest.mark.parametrize(
    ("name", "file_format", "content", "place"),
    [
        (
            "occupations_en.csv",
            "esco",
            b"conceptUri,preferredLabel\nhttp://x.example/1,a\n",
            ("1", "code", "The header has no column code."),
        ),
        (
            "occupations_en.csv",
            "esco",
            b"conceptUri,code,preferredLabel\nhttp://x.example/1,2512.4,a\nhttp://x.example/2,25x,b\n",
            ("3", "code", "Line 3, column code: ESCO:25x is not a code of this classification."),
        ),
        (
            "Occupation Data.txt",
            "onet",
            (
                b"O*NET-SOC Code\tTitle\tDescription\r\n15-1252.00\tSoftware Developers\tx\r\n"
                b"15-1254.00\t\tx\r\n"
            ),
            ("3", "Title", "Line 3, column Title: empty."),
        ),
    ],
)
def test_a_bad_file_is_refused_at_its_first_problem(
    name: str, file_format: str, content: bytes, place: tuple[str, str, str]
) -> None:
    with pytest.raises(OccupationsError) as error:
        read_occupations(content, file_format, name)
    assert refused(error) == place


def test_onet_occupations_with_their_skills_and_importance(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_onet(uow)
    with database.unit_of_work() as uow:
        assert counts(uow) == (3, 1, 5, 5, 2)
        row = uow.session.get_one(OccupationRow, "ONET:15-1252.00")
        assert (row.name, row.name_en, row.level, row.parent_code) == (
            "Software Developers",
            "Software Developers",
            4,
            None,  # O*NET's files give no groups
        )
        provenance = uow.session.get_one(OccupationImportRow, row.import_id)
        assert provenance.source.startswith("O*NET database, U.S. Department of Labor")
        assert "CC BY 4.0" in provenance.licence
        assert provenance.version == "test"
        required = skills.occupation_skills(uow, "ONET:15-1252.00")
        # essential (importance 3 or more) first, by importance; Equipment Selection was rated
        # not relevant: not required
        assert [(r.skill.uri, r.relation, r.importance, r.level) for r in required] == [
            ("urn:onet:element:2.C.3.a", "essential", Decimal("4.71"), Decimal("5.98")),
            ("urn:onet:element:2.B.3.e", "essential", Decimal("4.62"), Decimal("5.25")),
            ("urn:onet:element:2.A.1.a", "essential", Decimal("3.75"), Decimal("4.12")),
            ("urn:onet:element:2.B.3.k", "optional", Decimal("2.88"), Decimal("3.50")),
        ]
        kinds = {r.skill.uri: r.skill.kind for r in required}
        assert kinds["urn:onet:element:2.C.3.a"] == "knowledge"
        assert kinds["urn:onet:element:2.B.3.e"] == "skill"
        skills_provenance = uow.session.scalars(select(SkillImportRow.licence)).all()
        assert all("CC BY 4.0" in licence for licence in skills_provenance)
    with database.unit_of_work() as uow:  # again: nothing changes, nothing is recorded
        again = import_occupations(
            uow,
            "onet/Occupation Data.txt",
            "onet",
            alternate_titles=data("onet/Alternate Titles.txt"),
        )
        skills_again = import_skills(uow, "onet/Skills.txt", "onet")
        assert (again.import_id, again.unchanged) == (None, 3)
        assert (skills_again.import_id, skills_again.linked) == (None, 0)
    with database.unit_of_work() as uow:
        assert counts(uow) == (3, 1, 5, 5, 2)


def test_esco_occupations_groups_skills_and_their_links(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_esco(uow)
    with database.unit_of_work() as uow:
        assert counts(uow) == (6, 2, 3, 4, 2)
        shown = views.show_occupation(ShowOccupation("ESCO:2512.4"), principal=None, uow=uow)
        assert shown.occupation.uri == ESCO_DEVELOPER
        # the groups came after the occupations: linked to them all the same
        assert [p.code for p in shown.parents] == ["ESCO:2", "ESCO:25", "ESCO:251", "ESCO:2512"]
        assert [c.code for c in shown.children] == ["ESCO:2512.4.1"]
        assert uow.session.get_one(OccupationRow, "ESCO:2512.4").parent_code == "ESCO:2512"
        assert shown.source.source.startswith("ESCO")
        assert "European Commission" in shown.source.licence
        required = skills.occupation_skills(uow, "ESCO:2512.4")
        assert [(r.skill.name, r.relation, r.importance, r.level) for r in required] == [
            ("computer programming", "essential", None, None),
            ("debug software", "essential", None, None),
            ("use markup languages", "optional", None, None),
        ]
        assert required[0].skill.kind == "knowledge"
    with database.unit_of_work() as uow:
        again = import_skills(uow, "esco/occupationSkillRelations_en.csv", "esco")
        assert (again.import_id, again.linked) == (None, 0)


def test_esco_relations_naming_what_the_bank_lacks_store_nothing(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_occupations(uow, "esco/occupations_en.csv", "esco")
        import_skills(uow, "esco/skills_en.csv", "esco")
    relations = data("esco/occupationSkillRelations_en.csv").decode()
    unknown_occupation = relations.replace(
        ESCO_DEVELOPER, "http://data.europa.eu/esco/occupation/x", 2
    )
    unknown_skill = relations.replace(MARKUP, "http://data.europa.eu/esco/skill/x")
    bad_relation = relations.replace("optional", "maybe")
    with database.unit_of_work() as uow:
        before = counts(uow)
    for content, place in (
        (unknown_occupation, ("2", "occupationUri")),
        (unknown_skill, ("4", "skillUri")),
        (bad_relation, ("4", "relationType")),
    ):
        with database.unit_of_work() as uow, pytest.raises(SkillsError) as error:
            import_skills(uow, "occupationSkillRelations_en.csv", "esco", content.encode())
        assert refused(error)[:2] == place
    with database.unit_of_work() as uow:
        assert counts(uow) == before


def test_a_uri_names_one_occupation(database: Database) -> None:
    twice = (
        "code,name,uri\n"
        "ONET:15-0000,Computer and Mathematical Occupations,https://example.org/soc/15\n"
        "ONET:17-0000,Architecture and Engineering Occupations,https://example.org/soc/15\n"
    )
    with database.unit_of_work() as uow, pytest.raises(OccupationsError) as error:
        import_occupations(uow, "ours.csv", "csv", twice.encode())
    assert refused(error)[:2] == ("2", "uri")
    with database.unit_of_work() as uow:
        import_occupations(uow, "esco/occupations_en.csv", "esco")
        before = counts(uow)
    taken = f"code,name,uri\nONET:15-0000,Computer occupations,{ESCO_DEVELOPER}\n"
    with database.unit_of_work() as uow, pytest.raises(OccupationsError) as error:
        import_occupations(uow, "ours.csv", "csv", taken.encode())
    assert refused(error)[2] == (
        "Occupation ONET:15-0000: its URI names ESCO:2512.4 in the bank already."
    )
    with database.unit_of_work() as uow:
        assert counts(uow) == before


def test_onet_ratings_out_of_scale_or_for_unknown_occupations_store_nothing(
    database: Database,
) -> None:
    with database.unit_of_work() as uow:
        import_occupations(uow, "onet/Occupation Data.txt", "onet")
        before = counts(uow)
    ratings = data("onet/Skills.txt").decode()
    out_of_scale = ratings.replace("\tIM\t4.62\t", "\tIM\t6.20\t")
    unknown = ratings.replace("15-1254.00", "15-9999.00")
    for content, place in (
        (
            out_of_scale,
            ("4", "Data Value", "Line 4, column Data Value: 6.20 is not a value from 1 to 5."),
        ),
        (
            unknown,
            (
                "10",
                "O*NET-SOC Code",
                "Line 10, column O*NET-SOC Code: the bank holds no occupation ONET:15-9999.00.",
            ),
        ),
    ):
        with database.unit_of_work() as uow, pytest.raises(SkillsError) as error:
            import_skills(uow, "Skills.txt", "onet", content.encode())
        assert refused(error) == place
    with database.unit_of_work() as uow, pytest.raises(OccupationsError) as titles_error:
        import_occupations(
            uow,
            "onet/Occupation Data.txt",
            "onet",
            alternate_titles=b"O*NET-SOC Code\tAlternate Title\r\n11-1011.00\tCEO\r\n",
        )
    assert refused(titles_error)[:2] == ("2", "O*NET-SOC Code")
    with database.unit_of_work() as uow:
        assert counts(uow) == before


def test_searched_beside_chinas_and_a_gap_shows_importance(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_onet(uow)
        import_esco(uow)
        number = learner(uow, 1, "测试学员")
    with database.unit_of_work() as uow:
        found = views.search_occupations(
            SearchOccupations("software developer", 5), principal=None, uow=uow
        )
        codes = [hit.occupation.code for hit in found]
        assert set(codes[:2]) == {"ESCO:2512.4", "ONET:15-1252.00"}
        alias = views.search_occupations(SearchOccupations("webmaster", 3), principal=None, uow=uow)
        assert (alias[0].occupation.code, alias[0].matched) == ("ONET:15-1254.00", "Webmaster")
    with database.unit_of_work() as uow:
        report = gaps.show_gaps(
            ShowGaps(number, occupation="ONET:15-1252.00"),
            principal=OPERATOR,
            uow=uow,
            now=datetime.now(UTC),
        )
        shown = GapRead.of(report, "en")
    assert shown.target.code == "ONET:15-1252.00"
    assert shown.required == 3
    assert [(s.name, s.importance) for s in shown.missing] == [
        ("Computers and Electronics", Decimal("4.71")),
        ("Programming", Decimal("4.62")),
        ("Reading Comprehension", Decimal("3.75")),
    ]
    assert [(s.name, s.importance) for s in shown.optional_missing] == [
        ("Troubleshooting", Decimal("2.88"))
    ]
    assert {s.name for s in shown.unteachable} == {
        "Computers and Electronics",
        "Programming",
        "Reading Comprehension",
    }
