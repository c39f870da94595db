import logging

import numpy as np
import pytest

from findings.retrieval.cache import ArrayCache, pack_strings, unpack_strings


@pytest.mark.parametrize("strings", [[], [""], ["a", "", "café", "Bath and North East Somerset", "a\0b\n"]])
def test_strings_pack_and_unpack_to_the_same_list(strings):
    assert unpack_strings(pack_strings(strings)) == strings


def derived(calls: list[str]):
    def derive():
        calls.append("derived")
        return {"ids": np.arange(5, dtype=np.int64), "scale": np.array(2.5), "empty": np.zeros(0)}

    return derive


def test_a_set_is_derived_once_then_mapped_read_only_by_the_next_reader(tmp_path):
    calls: list[str] = []
    first = ArrayCache(tmp_path / "state-1").arrays("numbers", derived(calls))
    second = ArrayCache(tmp_path / "state-1").arrays("numbers", derived(calls))
    assert calls == ["derived"]
    assert second["ids"].tolist() == first["ids"].tolist() == [0, 1, 2, 3, 4]
    assert float(second["scale"]) == 2.5 and second["scale"].shape == () and len(second["empty"]) == 0
    assert isinstance(second["ids"], np.memmap) and not second["ids"].flags.writeable


def test_nothing_is_kept_without_a_folder_or_once_the_store_moved_on(tmp_path):
    calls: list[str] = []
    ArrayCache(None).arrays("numbers", derived(calls))
    ArrayCache(tmp_path / "state-1", still_current=lambda: False).arrays("numbers", derived(calls))
    ArrayCache(tmp_path / "state-1").arrays("numbers", derived(calls))
    assert calls == ["derived"] * 3


def test_a_new_state_removes_the_earlier_states(tmp_path):
    ArrayCache(tmp_path / "state-1").arrays("numbers", derived([]))
    ArrayCache(tmp_path / "state-2").arrays("numbers", derived([]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state-2"]


@pytest.mark.parametrize("damage", [b"not an array", b""])  # garbage; a file emptied by a power cut
def test_a_damaged_set_is_derived_again_and_rewritten(tmp_path, caplog, damage):
    calls: list[str] = []
    ArrayCache(tmp_path / "state-1").arrays("numbers", derived(calls))
    (tmp_path / "state-1" / "numbers" / "ids.npy").write_bytes(damage)
    with caplog.at_level(logging.WARNING):
        again = ArrayCache(tmp_path / "state-1").arrays("numbers", derived(calls))
    assert calls == ["derived"] * 2 and again["ids"].tolist() == [0, 1, 2, 3, 4]
    assert "deriving them again" in caplog.text
    assert ArrayCache(tmp_path / "state-1").read("numbers")["ids"].tolist() == [0, 1, 2, 3, 4]


def test_a_folder_that_cannot_be_written_costs_only_the_derivation(tmp_path, caplog):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be")
    with caplog.at_level(logging.WARNING):
        arrays = ArrayCache(blocked / "state-1").arrays("numbers", derived([]))
    assert arrays["ids"].tolist() == [0, 1, 2, 3, 4] and "could not keep" in caplog.text


def test_a_write_that_fails_midway_leaves_no_partial_set(tmp_path, monkeypatch, caplog):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", full_disk)
    with caplog.at_level(logging.WARNING):
        ArrayCache(tmp_path / "state-1").arrays("numbers", derived([]))
    assert list((tmp_path / "state-1").iterdir()) == [] and "No space left" in caplog.text


def test_a_set_another_process_kept_first_is_left_as_it_is(tmp_path, caplog):
    cache = ArrayCache(tmp_path / "state-1")
    cache.arrays("numbers", derived([]))
    with caplog.at_level(logging.WARNING):
        cache.write("numbers", {"ids": np.arange(3)})
    assert cache.read("numbers")["ids"].tolist() == [0, 1, 2, 3, 4] and "could not keep" not in caplog.text
    assert sorted(p.name for p in (tmp_path / "state-1").iterdir()) == ["numbers"]


def test_a_set_losing_a_file_while_it_is_read_is_derived_not_half_returned(tmp_path):
    calls: list[str] = []
    ArrayCache(tmp_path / "state-1").arrays("numbers", derived(calls))
    (tmp_path / "state-1" / "numbers" / "scale.npy").unlink()  # as a newer state's writer removes it
    again = ArrayCache(tmp_path / "state-1", still_current=lambda: False).arrays("numbers", derived(calls))
    assert calls == ["derived"] * 2 and set(again) == {"ids", "scale", "empty"}
