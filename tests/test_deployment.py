"""Production settings and the docker-compose stack, checked without a Docker engine."""

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

from config import settings as project_settings

from .conftest import require_executable

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "ENV_FILE": "/dev/null",  # ignore the developer's .env
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "registre.example.org",
}


def manage(*args, environment):
    inherited = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the last one is set for Playwright
    clean = {key: value for key, value in os.environ.items() if key not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", environment=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_debug_a_secret_key_is_required():
    result = manage("check", environment={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_defaults_are_safe():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.CELERY_TASK_ALWAYS_EAGER)",
        environment={**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["False", "True", "True", "True", "True", "False"]


# --- docker-compose ----------------------------------------------------------------------


def settings_names() -> set[str]:
    """Every environment variable the settings module reads."""
    source = Path(project_settings.__file__).read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', source))


def compose_config() -> dict:
    docker_compose = require_executable("docker-compose", "apt-get install docker-compose")
    environment = {**os.environ, "SECRET_KEY": "compose-test"}
    check = subprocess.run(
        [docker_compose, "config", "-q"], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
    rendered = subprocess.run(
        [docker_compose, "config"], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return yaml.safe_load(rendered.stdout)


def test_compose_runs_the_whole_stack_with_health_checks():
    services = compose_config()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_compose_commands_name_real_entry_points():
    services = compose_config()["services"]
    web = " ".join(services["web"]["command"])
    assert "manage.py migrate --noinput" in web
    module, attribute = re.search(r"gunicorn (\S+):(\S+)", web).groups()
    assert callable(getattr(importlib.import_module(module), attribute))
    for name, role in (("worker", "worker"), ("beat", "beat")):
        command = services[name]["command"]
        assert command[:4] == ["celery", "-A", "config", role]
    import config

    assert config.celery_app.main == "registre"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_environment_uses_only_names_the_settings_read():
    services = compose_config()["services"]
    known = settings_names()
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert set(environment) <= known, f"{name}: {set(environment) - known} are not read by config/settings.py"
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= set(environment)
        assert environment["DEBUG"] == "false"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://redis:")


def test_web_and_worker_share_the_generated_files_volume():
    services = compose_config()["services"]
    media_root = services["web"]["environment"]["MEDIA_ROOT"]

    def mounts(name):
        # docker-compose 1.x renders "source:target:mode"; newer versions a mapping.
        return {
            (volume["source"], volume["target"]) if isinstance(volume, dict) else tuple(volume.split(":")[:2])
            for volume in services[name]["volumes"]
        }

    shared = mounts("web") & mounts("worker")
    assert any(target == media_root for _source, target in shared)
