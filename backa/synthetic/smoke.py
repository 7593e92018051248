"""The demo's smoke check: every persona's pages answer without a server error, and the
register import runs against the demo's database (SQLite). Run in a demo environment:

    BACKA_ENV=demo DATABASE_URL=sqlite:///PATH manage.py shell -c "from backa.synthetic.smoke import main; main()"

It prints one JSON object: {"pages": n, "errors": [[persona, path, status], …], "imports": […]}.
The test backa/tests/test_demo_sqlite.py runs it on a fresh SQLite database.
"""

import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

from django.core.management import call_command
from django.test import Client

SKIP = ("/admin", "/api", "/konto/logga-ut", "/static", "/i18n", "/media")
PER_PERSONA = 25


def crawl(client, start: str = "/") -> tuple[int, list]:
    seen: set = set()
    queue, errors = [start], []
    while queue and len(seen) < PER_PERSONA:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            errors.append((path, response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        import re

        for href in re.findall(r'href="([^"#]+)"', response.content.decode()):
            target = urlparse(urljoin(path, href))
            if target.netloc or target.path.startswith(SKIP) or target.scheme in ("mailto", "tel"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen and "format=" not in link:
                queue.append(link)
    return len(seen), errors


def main() -> None:
    from backa.accounts.models import User
    from backa.records.demo import ARCHIVE_LOGIN
    from backa.synthetic.generator import Generator
    from backa.testing import force_verified_login

    pages, errors = 0, []
    for username in [p[0] for p in Generator.PERSONAS] + [ARCHIVE_LOGIN[0]]:
        user = User.objects.filter(username=username).first()
        if user is None:
            errors.append((username, "-", "missing persona"))
            continue
        client = force_verified_login(Client(HTTP_HOST="localhost"), user)
        n, problems = crawl(client)
        pages += n
        errors += [(username, path, status) for path, status in problems]
    imports = []
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "bad.csv"
        bad.write_text("not a register extract\n", encoding="utf-8")
        try:
            call_command("import_register", str(bad), "--no-progress", stdout=sys.stderr, stderr=sys.stderr)
            imports.append(("bad", "accepted"))
        except Exception as error:  # a refusal is a CommandError; anything else is the crash
            imports.append(("bad", type(error).__name__))
        from datetime import date

        from backa.integrations.register import HEADER
        from backa.organisations.models import District
        from backa.synthetic.testnumbers import make_number

        district = District.objects.order_by("code").first()
        code = district.code if district else "JARVA"
        line = [make_number(date(2020, 5, 17), 987).formatted, "Alva", "Ek", "", code, "N", "", "", "", "", "", ""]
        good = Path(tmp) / "good.csv"
        good.write_text(";".join(HEADER) + "\n" + ";".join(line) + "\n#ANTAL;1\n", encoding="utf-8")
        try:
            call_command("import_register", str(good), "--no-progress", stdout=sys.stderr, stderr=sys.stderr)
            imports.append(("good", "done"))
        except Exception as error:
            imports.append(("good", type(error).__name__ + ": " + str(error)[:200]))
    print(json.dumps({"pages": pages, "errors": errors, "imports": imports}))
