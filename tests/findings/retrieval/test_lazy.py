import sys
import threading

import pytest

from findings.retrieval.lazy import lazy_import

PROBE = ("import sys, time\nsys.lazy_probe_runs = getattr(sys, 'lazy_probe_runs', 0) + 1\n"
         "time.sleep(0.2)\nVALUE = 42\n")  # slow enough for the threads to meet


@pytest.fixture()
def probe(tmp_path, monkeypatch):
    (tmp_path / "lazy_probe_module.py").write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazy_probe_module", raising=False)
    monkeypatch.setattr(sys, "lazy_probe_runs", 0, raising=False)
    yield
    sys.modules.pop("lazy_probe_module", None)


def test_a_lazy_module_runs_once_at_its_first_attribute(probe):
    module = lazy_import("lazy_probe_module")
    assert sys.lazy_probe_runs == 0
    assert module.VALUE == 42 and module.VALUE == 42 and sys.lazy_probe_runs == 1


def test_threads_reading_it_first_at_once_all_see_the_whole_module(probe):
    module = lazy_import("lazy_probe_module")
    seen: list[int] = []
    threads = [threading.Thread(target=lambda: seen.append(module.VALUE)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [42] * 4 and sys.lazy_probe_runs == 1


def test_a_missing_module_is_refused_at_once():
    with pytest.raises(ModuleNotFoundError):
        lazy_import("no_such_module_anywhere")
