import sys

import pytest

from findings.retrieval.lazy import lazy_import


def test_a_lazy_module_runs_at_its_first_attribute(tmp_path, monkeypatch):
    (tmp_path / "lazy_probe_module.py").write_text("import sys\nsys.lazy_probe_ran = True\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazy_probe_module", raising=False)
    module = lazy_import("lazy_probe_module")
    try:
        assert not getattr(sys, "lazy_probe_ran", False)
        assert module.VALUE == 42 and sys.lazy_probe_ran
        assert lazy_import("lazy_probe_module") is module
    finally:
        sys.modules.pop("lazy_probe_module", None)
        if hasattr(sys, "lazy_probe_ran"):
            del sys.lazy_probe_ran


def test_a_missing_module_is_refused_at_once():
    with pytest.raises(ModuleNotFoundError):
        lazy_import("no_such_module_anywhere")
