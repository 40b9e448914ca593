"""Configuration defaults that make `mercato serve` work on a fresh checkout."""

from mercato.settings import Settings


def test_defaults_put_everything_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MERCATO_DATABASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path)

    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'mercato.db'}"
    assert (settings.base_url, settings.host, settings.port) == (
        "http://127.0.0.1:8000",
        "127.0.0.1",
        8000,
    )


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = Settings(data_dir=tmp_path / "new").resolved_secret_key()
    again = Settings(data_dir=tmp_path / "new").resolved_secret_key()

    assert first == again and len(first) >= 48
    assert (tmp_path / "new" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_variables_override_defaults(monkeypatch):
    monkeypatch.setenv("MERCATO_DATABASE_URL", "postgresql+psycopg://db/mercato")
    monkeypatch.setenv("MERCATO_SECRET_KEY", "from-env")
    monkeypatch.setenv("MERCATO_PORT", "9000")
    settings = Settings()

    assert settings.resolved_database_url == "postgresql+psycopg://db/mercato"
    assert settings.resolved_secret_key() == "from-env"
    assert settings.port == 9000
