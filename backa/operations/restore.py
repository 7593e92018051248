"""Point-in-time restore: a base backup plus the WAL archive, replayed to a target.

`prepare()` copies the base backup into a new data directory and configures recovery
(restore_command from the archive, the target, promote at the target, archiving off so the
restored copy never writes into the primary's archive, its own port). `start()` starts it
and waits until it accepts writes; the elapsed time from the copy to that moment is the
measured recovery time (RTO, without the time to notice and decide).
"""

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from backa.operations import pgtools

MINIMAL_CONF = "# written by manage.py restore: the backup had no postgresql.conf (Debian keeps it in /etc)\n"


@dataclass
class RestorePlan:
    backup: Path
    archive: Path
    data_dir: Path
    port: int
    target_time: str | None = None
    target_name: str | None = None
    target_lsn: str | None = None

    def recovery_settings(self) -> dict:
        settings = {
            "restore_command": f'cp "{self.archive}/%f" "%p"',
            "recovery_target_action": "promote",
            "archive_mode": "off",
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.data_dir.parent),
        }
        if self.target_time:
            settings["recovery_target_time"] = self.target_time
        elif self.target_name:
            settings["recovery_target_name"] = self.target_name
        elif self.target_lsn:
            settings["recovery_target_lsn"] = self.target_lsn
        return settings

    def steps(self) -> list[str]:
        """The same restore by hand, for a cluster this command does not own."""
        conf = "\n".join(f"       {k} = '{v}'" for k, v in self.recovery_settings().items())
        return [
            f"1. Stop anything using port {self.port}; make an empty directory {self.data_dir} owned by postgres, mode 700.",
            f"2. Copy the base backup: cp -a {self.backup}/. {self.data_dir}/ && chown -R postgres: {self.data_dir}",
            f"3. Make sure {self.data_dir}/postgresql.conf exists (Debian keeps it in /etc/postgresql; an empty file will do).",
            f"4. Append to {self.data_dir}/postgresql.auto.conf:\n{conf}",
            f"5. touch {self.data_dir}/recovery.signal",
            f"6. As postgres: pg_ctl -D {self.data_dir} -l {self.data_dir.parent}/restore.log -w start",
            "7. Wait until SELECT pg_is_in_recovery() is false (promoted at the target); read the log for "
            "'recovery stopping before …' and 'archive recovery complete'.",
            f"8. manage.py verify --dsn 'host=127.0.0.1 port={self.port} dbname=<db> user=postgres' --manifest <backup>/manifest.json",
            "9. Point the application at the restored cluster only after verify reports OK.",
        ]


def prepare(plan: RestorePlan):
    if plan.data_dir.exists() and any(plan.data_dir.iterdir()):
        raise FileExistsError(f"{plan.data_dir} is not empty")
    plan.data_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(plan.backup, plan.data_dir, dirs_exist_ok=True)
    conf = plan.data_dir / "postgresql.conf"
    if not conf.exists():
        conf.write_text(MINIMAL_CONF)
    for stale in ("postmaster.pid", "postmaster.opts", "standby.signal"):
        (plan.data_dir / stale).unlink(missing_ok=True)
    with open(plan.data_dir / "postgresql.auto.conf", "a") as auto:
        auto.write("\n# recovery, written by manage.py restore\n")
        for key, value in plan.recovery_settings().items():
            auto.write(f"{key} = '{value.replace(chr(39), chr(39) * 2)}'\n")
    (plan.data_dir / "recovery.signal").write_text("")
    pgtools.give_to_postgres(plan.data_dir, 0o700)
    parent = plan.data_dir.parent
    if pgtools.is_root():
        shutil.chown(parent, "postgres")
        parent.chmod(0o755)


def start(plan: RestorePlan, timeout=900) -> pgtools.Cluster:
    cluster = pgtools.Cluster(plan.data_dir.parent, port=plan.port)
    cluster.data = plan.data_dir
    cluster.log = plan.data_dir.parent / "restore.log"
    pgtools.run("pg_ctl", "-D", plan.data_dir, "-l", cluster.log, "-w", "-t", timeout, "start", timeout=timeout + 10)
    cluster.wait_ready(timeout=timeout)
    return cluster


def restore(plan: RestorePlan, *, timeout=900) -> tuple[pgtools.Cluster, float]:
    started = time.monotonic()
    prepare(plan)
    cluster = start(plan, timeout=timeout)
    return cluster, time.monotonic() - started
