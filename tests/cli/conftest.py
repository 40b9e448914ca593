"""Running `mercato` in-process on the test database."""

import pytest
from typer.testing import CliRunner

from mercato.cli.commands import app


@pytest.fixture
def mercato(database_url, settings, tmp_path):
    """Run `mercato` with arguments; returns (exit code, stdout, stderr)."""
    runner = CliRunner()
    env = {
        "MERCATO_DATABASE_URL": database_url,
        "MERCATO_DATA_DIR": str(tmp_path),
        # Triggers may call the documentation network (TEST-NET-1) as if an admin allowed it.
        "MERCATO_OUTGOING_ALLOWED_NETWORKS": "192.0.2.0/24",
    }

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.stdout, result.stderr

    return run
