"""The benchmark's database is configured as production's is (docker-compose.yml).

PostgreSQL's defaults assume spinning disks (a random page read costs four sequential
ones) and let a query start parallel workers. On SSD storage, with web requests whose
queries read a few thousand rows, both make plans slower: the planner scans whole
tables instead of following indexes, and workers take milliseconds to start.
"""

from __future__ import annotations

from django.db import connection

PLANNER_SETTINGS = {"random_page_cost": "1.1", "max_parallel_workers_per_gather": "0"}


def configure_as_production() -> dict[str, str]:
    """Set the planner settings on this database, for every new connection to it."""
    if connection.vendor != "postgresql":
        return {}
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        for setting, value in PLANNER_SETTINGS.items():
            # Names and values are this module's constants, not input.
            cursor.execute(f"ALTER DATABASE {name} SET {setting} = {value}")
    connection.close()  # the next connection starts with the settings
    return PLANNER_SETTINGS
