"""docker-compose.yml describes production. There is no Docker engine here, so the file is
checked by reading it: every variable production needs is supplied, every command runs
something that exists, and every dependency has a health check."""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def required_environment() -> tuple[str, ...]:
    tree = ast.parse((ROOT / "portal/settings/production.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "REQUIRED_ENVIRONMENT"
            for target in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("REQUIRED_ENVIRONMENT not found in production settings")


def env_example_keys() -> set[str]:
    keys = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            keys.add(line.split("=", 1)[0].strip())
    return keys


def command_words(service: dict) -> list[list[str]]:
    command = service.get("command")
    if command is None:
        return []
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in " ".join(words[2:]).split("&&")]
    return [words]


def test_the_production_services_exist(compose):
    assert {"db", "redis", "web", "worker", "beat"} <= set(compose["services"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_required_variable_is_supplied(compose, name):
    service = compose["services"][name]
    supplied = set(service.get("environment", {}))
    if service.get("env_file"):
        supplied |= env_example_keys()
    missing = [key for key in required_environment() if key not in supplied]
    assert not missing, f"{name} lacks {missing}: add them to .env.example or its environment"


def test_the_env_example_covers_the_compose_files_own_variables(compose):
    assert "POSTGRES_PASSWORD" in env_example_keys()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_command_runs_something_that_exists(compose, name):
    service = compose["services"][name]
    if "build" in service:
        assert (ROOT / "Dockerfile").exists()
    commands = command_words(service)
    assert commands, f"{name} has no command"
    for words in commands:
        program = words[0]
        if program == "exec":
            words, program = words[1:], words[1]
        if program == "python" and words[1] == "manage.py":
            assert words[2] in get_commands(), f"no management command {words[2]}"
        elif program == "gunicorn":
            module, attribute = words[1].split(":")
            path = ROOT / (module.replace(".", "/") + ".py")
            assert path.exists() and attribute in path.read_text()
        elif program == "celery":
            assert words[1:3] == ["-A", "portal"]
            from celery import Celery

            from portal.celery import app

            assert isinstance(app, Celery)
            assert words[3] in ("worker", "beat")
        else:
            raise AssertionError(f"{name} runs an unexpected program: {program}")


def test_dependencies_are_healthy_before_the_app_starts(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        for dependency, condition in services[name]["depends_on"].items():
            assert condition == {"condition": "service_healthy"}
            assert "healthcheck" in services[dependency], dependency
    assert "healthcheck" in services["web"]


def test_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes", {}))
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_the_image_installs_the_libraries_printable_packs_need():
    """WeasyPrint loads Pango, HarfBuzz-Subset and fontconfig at run time; the slim base
    image has none of them, so a pack's PDF would fail only in production."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in dockerfile, f"the image does not install {package}"
