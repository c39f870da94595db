from __future__ import annotations

from findings.settings import (
    CorpusSettings,
    EncoderSettings,
    IndexSettings,
    ServingSettings,
    Settings,
    setting_names,
)


def test_every_setting_is_read_from_its_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("FINDINGS_HNSW_M", "16")
    monkeypatch.setenv("FINDINGS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("FINDINGS_LEXICAL_BACKEND", "")
    settings = Settings()
    assert (settings.hnsw_m, settings.cache_dir, settings.lexical_backend) == (16, tmp_path, "")
    assert settings.db_path == settings.data_dir / "findings.db"


def test_the_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("FINDINGS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert Settings().cache_dir == tmp_path / "findings"


def test_the_groups_partition_the_settings():
    groups = [CorpusSettings, EncoderSettings, IndexSettings, ServingSettings]
    names = [name for group in groups for name in group.model_fields]
    assert sorted(names) == sorted(Settings.model_fields) and len(names) == len(set(names))
    assert len(setting_names()) == len(names) and all(n.startswith("FINDINGS_") for n in setting_names())


def test_the_store_and_corpus_defaults_do_not_depend_on_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("FINDINGS_DATA_DIR", raising=False)
    monkeypatch.delenv("FINDINGS_CORPUS", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.data_dir.is_absolute() and settings.corpus.is_absolute()
    assert settings.data_dir.parent == settings.model_dir.parent.parent  # data/ in the project folder
