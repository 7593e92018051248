"""Running PostgreSQL's own tools from Python: binaries, the postgres OS account, throwaway
clusters (drills and restores), and conninfo from the Django settings.

PostgreSQL's server programs refuse to run as root; as root we run them as the `postgres`
account from `/` (a directory it can read), as ./run does. Client programs (pg_basebackup,
psql) run as whoever we are.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

SERVER_PROGRAMS = {"initdb", "pg_ctl", "postgres", "pg_checksums", "pg_resetwal"}


def bindir() -> Path:
    configured = os.environ.get("PG_BINDIR")
    if configured:
        return Path(configured)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) for x in p.split("/")[-2].split(".") if x.isdigit()],
    )
    if not found:
        raise FileNotFoundError("No PostgreSQL binaries under /usr/lib/postgresql/*/bin (set PG_BINDIR)")
    return Path(found[-1])


def is_root() -> bool:
    return os.geteuid() == 0


def may_run_server() -> bool:
    """Root (through runuser) or the postgres account itself can start clusters here."""
    if is_root():
        return shutil.which("runuser") is not None
    return pwd.getpwuid(os.geteuid()).pw_name == "postgres"


def run(program: str, *args, check=True, capture=True, timeout=None, **kwargs) -> subprocess.CompletedProcess:
    command = [str(bindir() / program), *map(str, args)]
    cwd = kwargs.pop("cwd", None)
    if program in SERVER_PROGRAMS and is_root():
        command = ["runuser", "-u", "postgres", "--", *command]
        cwd = "/"
    return subprocess.run(command, check=check, capture_output=capture, text=True, timeout=timeout, cwd=cwd, **kwargs)


def give_to_postgres(path: Path, mode=0o700):
    """Make a directory the postgres account's (only needed when we are root)."""
    path.mkdir(parents=True, exist_ok=True)
    if is_root():
        pw = pwd.getpwnam("postgres")
        for root, _dirs, files in os.walk(path):
            os.chown(root, pw.pw_uid, pw.pw_gid)
            for name in files:
                os.chown(os.path.join(root, name), pw.pw_uid, pw.pw_gid)
    os.chmod(path, mode)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def conninfo_from_settings(alias="default") -> dict:
    from django.conf import settings

    db = settings.DATABASES[alias]
    if not db["ENGINE"].endswith("postgresql"):
        raise RuntimeError("backup and restore need PostgreSQL (DATABASE_URL)")
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "dbname": db["NAME"],
        "password": db.get("PASSWORD") or "",
    }


def conninfo_string(info: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in info.items() if v)


class Cluster:
    """A PostgreSQL cluster in a directory of our own, started and stopped as postgres."""

    def __init__(self, root: Path, port: int | None = None):
        self.root = Path(root)
        self.data = self.root / "data"
        self.port = port or free_port()
        self.log = self.root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def dsn(self, dbname="postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def initdb(self, *extra):
        run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", *extra)

    def configure(self, **settings):
        with open(self.data / "postgresql.auto.conf", "a") as conf:
            for key, value in settings.items():
                conf.write(f"{key} = '{value}'\n")

    def start(self, timeout=120):
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", timeout, "-o", opts, "start", timeout=timeout + 10)

    def stop(self, mode="fast"):
        run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False, timeout=120)

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None

    def wait_ready(self, timeout=60.0):
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.dsn(), connect_timeout=2) as conn:
                    if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                        return
            except psycopg.OperationalError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"cluster on port {self.port} not ready after {timeout}s; see {self.log}")
            time.sleep(0.1)

    def server_log(self) -> str:
        try:
            return self.log.read_text()
        except OSError:
            return ""


@contextmanager
def throwaway_cluster(prefix="backa-drill-", *, initdb_args=("--data-checksums",), **settings):
    """A fresh cluster in a temp dir, removed afterwards even on failure."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(root, 0o755)
    if is_root():
        shutil.chown(root, "postgres")
    cluster = Cluster(root)
    try:
        cluster.initdb(*initdb_args)
        if settings:
            cluster.configure(**settings)
        cluster.start()
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
