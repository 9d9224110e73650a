"""docs/spec-facts.yaml: every quote is the spec's text, and every unit or integration fact has a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from journey_guard.paths import REPO
from journey_guard.quality import spec_facts

TEST_DIRS = {"unit": REPO / "tests" / "unit", "integration": REPO / "tests" / "integration"}


@pytest.fixture(scope="module")
def facts() -> dict[str, list[dict]]:
    return spec_facts.load()


@pytest.mark.parametrize("layer", sorted(TEST_DIRS))
def test_every_fact_of_the_layer_has_a_marked_test(facts: dict[str, list[dict]], layer: str) -> None:
    marked = spec_facts.spec_markers(TEST_DIRS[layer])
    assert facts[layer], f"no {layer} facts"
    assert [f["id"] for f in facts[layer] if f["id"] not in marked] == []


def test_every_marker_names_a_fact_of_its_layer(facts: dict[str, list[dict]]) -> None:
    for layer, directory in TEST_DIRS.items():
        ids = {f["id"] for f in facts[layer]}
        assert {fid: tests for fid, tests in spec_facts.spec_markers(directory).items() if fid not in ids} == {}, layer


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unit: []\n", "top-level keys must be exactly plan, unit, integration"),
        (
            "plan: []\nintegration: []\nunit:\n- {id: a, section: '4', quote: 'not in the spec at all'}\n",
            "unit fact 'a': quote is not text",
        ),
        (
            "plan: []\nintegration: []\nunit:\n- {id: a, section: '4', quote: 'positive above 0.6'}\n- {id: a, section: '4', quote: 'positive'}\n",
            "already used",
        ),
        ("plan: []\nintegration: []\nunit:\n- {id: Bad_Id, section: '4', quote: 'positive'}\n", "not a lower-case slug"),
        ("plan: []\nintegration: []\nunit:\n- {id: a, quote: 'positive'}\n", "field 'section' must be non-empty"),
        ("plan: []\nintegration: []\nunit:\n- {id: a, section: '4', quote: 'positive', weight: 1}\n", r"unknown field\(s\) \['weight'\]"),
    ],
)
def test_load_rejects_a_fact_the_spec_does_not_hold(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(spec_facts.FactsError, match=message):
        spec_facts.load(_write(tmp_path, text))


def test_markers_are_read_from_the_source(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        "import pytest\nfrom pytest import mark\n\n"
        "@pytest.mark.spec('a')\n@pytest.mark.spec('b', 'c')\ndef test_one():\n    pass\n\n"
        "@mark.spec('a')\ndef test_two():\n    pass\n\n"
        "@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.spec('d'))])\ndef test_four(x):\n    pass\n\n"
        "@pytest.mark.slow\ndef test_three():\n    pass\n"
    )
    found = spec_facts.spec_markers(tmp_path)
    assert {k: [t.rsplit("::", 1)[1] for t in v] for k, v in found.items()} == {
        "a": ["test_one", "test_two"],
        "b": ["test_one"],
        "c": ["test_one"],
        "d": ["test_four"],
    }
