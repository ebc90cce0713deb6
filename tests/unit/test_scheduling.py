"""The suite's own scheduler (tests/support/scheduling.py): units and their order."""

from __future__ import annotations

from tests.support.scheduling import longest_first, unit_of


def test_a_unit_is_a_module_on_one_backend() -> None:
    assert unit_of("tests/api/test_x.py::test_a[sqlite]") == "tests/api/test_x.py[sqlite]"
    assert (
        unit_of("tests/api/test_x.py::test_b[postgresql-a case-with dashes]")
        == "tests/api/test_x.py[postgresql]"
    )
    assert unit_of("tests/corpus/test_c.py::test_d[sqlite-long-line.jsonl]") == (
        "tests/corpus/test_c.py[sqlite]"
    )
    assert unit_of("tests/unit/test_y.py::test_c") == "tests/unit/test_y.py"
    assert unit_of("tests/unit/test_y.py::Group::test_c[3]") == "tests/unit/test_y.py::Group"
    smoke = "tests/smoke/test_benchmarks_run.py::test_runs[transcript]"
    assert unit_of(smoke) == smoke
    assert unit_of("tests/fuzz/test_f.py::test_fuzz[sqlite]") == "tests/fuzz/test_f.py"


def test_units_go_out_longest_first_and_keep_their_tests_in_order() -> None:
    collection = [
        "tests/unit/test_a.py::test_1",
        "tests/unit/test_a.py::test_2",
        "tests/api/test_b.py::test_1[sqlite]",
        "tests/api/test_b.py::test_1[postgresql]",
        "tests/api/test_b.py::test_2[sqlite]",
        "tests/concurrency/test_c.py::test_1[postgresql]",
        "tests/unit/test_d.py::test_1",
    ]
    assert longest_first(collection) == [
        "tests/concurrency/test_c.py::test_1[postgresql]",
        "tests/api/test_b.py::test_1[sqlite]",
        "tests/api/test_b.py::test_2[sqlite]",
        "tests/api/test_b.py::test_1[postgresql]",
        "tests/unit/test_a.py::test_1",
        "tests/unit/test_a.py::test_2",
        "tests/unit/test_d.py::test_1",
    ]
