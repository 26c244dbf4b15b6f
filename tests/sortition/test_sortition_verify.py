"""Publishing and checking a draw: fingerprint, seed, tampering, reproducibility."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from consultation.sortition import (
    ENGINE_VERSION,
    Person,
    Quota,
    draw,
    fingerprint,
    replacement,
    seed_to_index,
    verify,
)

ROOT = Path(__file__).resolve().parents[2]


def small_pool():
    people = []
    for i in range(40):
        household = f"street {i // 2}" if i % 5 == 0 else None
        people.append(
            Person(
                f"v{i:03d}",
                {
                    "gender": ["f", "m", "x"][i % 3 if i % 7 else 2],
                    "age": ["18-34", "35-64", "65+"][i % 4 % 3],
                    "area": "NS"[i % 2],
                },
                household,
            )
        )
    quotas = [
        Quota("gender", "f", 2, 4),
        Quota("gender", "m", 2, 4),
        Quota("gender", "x", 0, 1),
        Quota("age", "18-34", 1, 3),
        Quota("age", "35-64", 1, 3),
        Quota("age", "65+", 1, 3),
        Quota("area", "N", 3, 4),
        Quota("area", "S", 3, 4),
    ]
    return people, quotas, 7


@pytest.fixture(scope="module")
def published():
    people, quotas, seats = small_pool()
    return people, quotas, seats, draw(people, quotas, seats, "31415", reserves=4)


def test_a_genuine_draw_checks_out_also_from_json(published):
    people, quotas, seats, result = published
    assert verify(people, quotas, seats, result) == []
    assert verify(people, quotas, seats, json.loads(json.dumps(result.to_dict()))) == []


def test_a_tampered_multiplicity_is_detected(published):
    people, quotas, seats, result = published
    data = result.to_dict()
    data["lottery"][0][1] += 1
    problems = verify(people, quotas, seats, data)
    assert any("add up to" in p for p in problems)


def test_a_panel_swapped_for_one_breaking_quotas_is_detected(published):
    people, quotas, seats, result = published
    data = result.to_dict()
    ids, m = data["lottery"][-1]
    outsider = next(p.id for p in people if p.id not in ids and p.features["area"] == "N")
    insider = next(i for i in ids if i.endswith(("1", "3", "5", "7", "9")))  # an S person
    data["lottery"][-1] = [sorted([*(i for i in ids if i != insider), outsider]), m]
    problems = verify(people, quotas, seats, data)
    assert any("panel" in p for p in problems)


def test_a_wrong_seed_to_panel_is_detected(published):
    people, quotas, seats, result = published
    data = result.to_dict()
    data["seed"] = "27182"
    assert any("ticket" in p for p in verify(people, quotas, seats, data))
    data = result.to_dict()
    other = next(j for j in range(len(result.lottery)) if j != result.panel_index)
    data["selected"] = list(result.lottery[other][0])
    assert any("selected people" in p for p in verify(people, quotas, seats, data))


def test_a_wrong_fingerprint_is_detected(published):
    people, quotas, seats, result = published
    data = result.to_dict()
    data["fingerprint"] = "0" * 64
    assert any("fingerprint" in p for p in verify(people, quotas, seats, data))
    # and a changed pool no longer matches the published fingerprint
    changed = [*people[:-1], Person(people[-1].id, {**people[-1].features, "area": "N"})]
    assert any("fingerprint" in p for p in verify(changed, quotas, seats, result))


def test_tampered_probabilities_are_detected(published):
    people, quotas, seats, result = published
    data = result.to_dict()
    first = next(iter(data["probabilities"]))
    data["probabilities"][first] += 0.01
    assert any("probabilities" in p for p in verify(people, quotas, seats, data))


def test_seed_to_index_rules():
    fp = "ab" * 32
    assert seed_to_index("123456", fp, 1000) == 456
    assert seed_to_index("0042", fp, 1000) == 42
    expected = int(hashlib.sha256(f"{fp}:conseil 2025".encode()).hexdigest(), 16) % 1000
    assert seed_to_index("conseil 2025", fp, 1000) == expected
    assert (
        seed_to_index("-5", fp, 7) == int(hashlib.sha256(f"{fp}:-5".encode()).hexdigest(), 16) % 7
    )


def test_fingerprint_is_canonical():
    people, quotas, seats = small_pool()
    reordered = [
        Person(p.id, dict(reversed(list(p.features.items()))), p.household) for p in people
    ]
    base = fingerprint(people, quotas, seats, "leximin")
    assert fingerprint(reordered[::-1], quotas[::-1], seats, "leximin") == base
    assert len(base) == 64
    assert fingerprint(people, quotas, seats + 1, "leximin") != base
    assert fingerprint(people, quotas, seats, "legacy") != base
    assert fingerprint(people, quotas[1:], seats, "leximin") != base
    assert ENGINE_VERSION


def test_reserves_are_deterministic_and_eligible(published):
    people, quotas, seats, result = published
    again = draw(people, quotas, seats, "31415", reserves=4)
    assert again.reserves == result.reserves
    assert len(result.reserves) == 4
    selected_households = {p.household for p in people if p.id in result.selected} - {None}
    for r in result.reserves:
        assert r not in result.selected
        person = next(p for p in people if p.id == r)
        assert person.household is None or person.household not in selected_households


def test_replacement_takes_the_first_fitting_reserve_or_draws(published):
    people, quotas, seats, result = published
    leaving = result.selected[0]
    found = replacement(
        people, quotas, seats, result.selected, leaving, "99", reserves=result.reserves
    )
    assert found.person_id not in result.selected
    assert leaving not in found.panel and found.person_id in found.panel
    assert verify_panel(people, quotas, seats, found.panel)
    if found.source == "reserve":
        fitting = [
            r
            for r in result.reserves
            if verify_panel(people, quotas, seats, sorted([*result.selected[1:], r]))
        ]
        assert found.person_id == fitting[0]
    drawn = replacement(people, quotas, seats, result.selected, leaving, "99", reserves=())
    assert drawn.source == "draw"
    assert verify_panel(people, quotas, seats, drawn.panel)
    assert set(result.selected) - {leaving} <= set(drawn.panel)
    assert verify(people, quotas, seats, drawn.draw) == []


def verify_panel(people, quotas, seats, panel):
    from consultation.sortition import panel_problems

    return panel_problems({p.id: p for p in people}, quotas, seats, panel) == []


SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
sys.path.insert(0, {here!r})
from test_sortition_verify import small_pool
from consultation.sortition import draw
people, quotas, seats = small_pool()
print(json.dumps(draw(people, quotas, seats, "31415", reserves=4).to_dict(), sort_keys=True))
"""


@pytest.mark.parametrize("hash_seed", ["1", "4242"])
def test_same_result_in_another_process(published, hash_seed):
    """Another process, another hash seed: byte-identical JSON, and nothing
    else on standard output (the solver's banner would break the JSON)."""
    result = published[3]
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    code = SCRIPT.format(root=str(ROOT), here=str(Path(__file__).parent))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out == json.dumps(result.to_dict(), sort_keys=True) + "\n"


def test_a_draw_prints_nothing(capfd):
    people, quotas, seats = small_pool()
    draw(people, quotas, seats, "1", reserves=2)
    draw(people, quotas, seats, "1", algorithm="legacy")
    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_a_draw_by_an_earlier_engine_version_still_verifies(published):
    """The fingerprint is checked against the engine version the draw records."""
    people, quotas, seats, result = published
    data = result.to_dict()
    data["engine_version"] = "1"
    assert any("fingerprint" in p for p in verify(people, quotas, seats, data))
    data["fingerprint"] = fingerprint(people, quotas, seats, "leximin", engine_version="1")
    data["ticket"] = seed_to_index(data["seed"], data["fingerprint"], data["lottery_size"])
    start = 0
    for j, (_, m) in enumerate(data["lottery"]):
        if start <= data["ticket"] < start + m:
            data["panel_index"], data["selected"] = j, data["lottery"][j][0]
            break
        start += m
    assert verify(people, quotas, seats, data) == []
