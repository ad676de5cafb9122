"""docker-compose.yml describes the same stack and a Compose implementation accepts it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.fail("no Compose implementation found; ./yaku.sh test installs docker-compose")


def test_compose_config_accepts_the_file() -> None:
    done = subprocess.run(
        [*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_compose_runs_the_whole_stack_with_health_checks() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    assert set(services) == {"db", "redis", "minio", "migrate", "api", "proxy", "worker", "beat"}
    assert services["db"]["image"].startswith("postgis/postgis")
    for name in ("db", "redis", "minio", "api", "proxy", "worker"):
        assert "healthcheck" in services[name], name
    assert "yaku seed" in " ".join(services["migrate"]["command"])
    for name in ("api", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_compose_scales_api_and_workers_behind_the_proxy_with_shared_storage() -> None:
    """`docker compose up --scale api=3 --scale worker=2`: nothing that several replicas would
    fight over (a fixed host port, a container name, a local file only one of them sees)."""
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    for name in ("api", "worker", "beat"):
        assert "ports" not in services[name], f"{name} publishes a port: it could not scale"
        assert "container_name" not in services[name], name
        env = services[name]["environment"]
        assert env["YAKU_STORAGE_BACKEND"] == "s3"
        assert env["YAKU_STORAGE_ENDPOINT_URL"] == "http://minio:9000"
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["minio"]["condition"] == "service_healthy"
    assert services["minio"]["image"].startswith("minio/minio")
    assert services["proxy"]["ports"] == ["${YAKU_PORT:-8000}:8000"]
    assert services["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"
    api_command = " ".join(services["api"]["command"])
    assert "--proxy-headers" in api_command and "--forwarded-allow-ips" in api_command
    mount = next(v for v in services["proxy"]["volumes"] if "nginx.conf" in v)
    conf = (ROOT / mount.split(":")[0]).read_text()
    assert "resolver 127.0.0.11" in conf and "http://api:8000" in conf
    # the schedule's lock lives in Redis: no beat schedule file on a volume
    assert "--schedule" not in services["beat"]["command"]


def test_compose_accepts_the_scaled_stack() -> None:
    """The Compose implementation itself resolves the file with three API replicas."""
    command = compose_command()
    done = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "--services"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert {"api", "proxy", "minio", "worker"} <= set(done.stdout.split())
