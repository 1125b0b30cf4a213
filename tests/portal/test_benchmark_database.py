"""The benchmark configures its database's planner as docker-compose.yml configures
production's, so its figures describe the deployment."""

from pathlib import Path

import pytest
from django.db import connection

from portal.operations.benchmark.database import PLANNER_SETTINGS, configure_as_production

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_production_runs_with_the_same_planner_settings():
    compose = COMPOSE.read_text()
    for setting, value in PLANNER_SETTINGS.items():
        assert f'"-c", "{setting}={value}"' in compose


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_new_connections_to_the_benchmark_database_use_them():
    assert connection.vendor == "postgresql"
    configure_as_production()
    with connection.cursor() as cursor:
        for setting, value in PLANNER_SETTINGS.items():
            cursor.execute(f"SHOW {setting}")
            assert cursor.fetchone()[0] == value
