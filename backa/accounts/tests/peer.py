"""The local OpenID Provider for e-ID tests: oidc-provider (npm, MIT) run with Node.js.

`running_peer(redirect_uri, accounts)` starts oidc_peer/provider.js on a free port and yields
{"issuer", "discovery"}. The provider runs on the clock of the test that starts it
(oidc_peer/clock.cjs): start it inside the test, where backa/conftest.py has frozen the clock.
node_modules is installed with `npm ci` from the committed package-lock.json when missing.
Without Node.js or npm the test fails with a clear message — it never skips (CI has both). Numbers are Skatteverket test numbers made here, never stored
in a file.
"""

import json
import math
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import requests
import time_machine

from backa.synthetic.testnumbers import make_number

PEER_DIR = Path(__file__).parent / "oidc_peer"
LOA = "http://id.elegnamnden.se/loa/1.0/"
PNR = "https://id.oidc.se/claim/personalIdentityNumber"
AFFILIATION = "https://id.oidc.se/claim/orgAffiliation"
CLIENT_ID, CLIENT_SECRET = "backa-test", "backa-test-secret-only-for-the-local-peer"
BRITTA_NUMBER = make_number(date(1979, 4, 2), 987)
UNKNOWN_NUMBER = make_number(date(1981, 9, 9), 988)
RASMUS_AFFILIATION = "R-1001@2120000142"
PEER_ACCOUNTS = {
    "britta-loa3": {"acr": LOA + "loa3", "claims": {PNR: BRITTA_NUMBER.digits, "name": "Britta Berg"}},
    "britta-loa4": {"acr": LOA + "loa4", "claims": {PNR: BRITTA_NUMBER.digits}},
    "britta-loa2": {"acr": LOA + "loa2", "claims": {PNR: BRITTA_NUMBER.digits}},
    "britta-no-acr": {"acr": None, "claims": {PNR: BRITTA_NUMBER.digits}},
    "stranger-loa3": {"acr": LOA + "loa3", "claims": {PNR: UNKNOWN_NUMBER.digits}},
    "rasmus-employee": {"acr": LOA + "loa3", "claims": {AFFILIATION: RASMUS_AFFILIATION}},
}


def _node() -> str:
    node = shutil.which("node") or ("/usr/bin/node" if os.path.exists("/usr/bin/node") else None)
    if node is None:
        pytest.fail(
            "Node.js is required for the e-ID login tests (the local OpenID Provider runs on it); "
            "install Debian's nodejs package. CI has it."
        )
    return node


def _ensure_node_modules():
    if (PEER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is required to install the local OpenID Provider (oidc_peer/package-lock.json).")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True, timeout=600, stdout=subprocess.DEVNULL
    )


@contextmanager
def running_peer(redirect_uri: str, accounts: dict, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
    node = _node()
    _ensure_node_modules()
    config = {
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": redirect_uri,
        "accounts": accounts,
    }
    # The test's clock minus the real one, rounded down: the provider is never ahead of the
    # platform, which refuses an ID token issued in its future ("not yet valid (iat)").
    offset_ms = math.floor((time.time() - time_machine.escape_hatch.time.time()) * 1000)
    env = {**os.environ, "PEER_CONFIG": json.dumps(config), "PEER_CLOCK_OFFSET_MS": str(offset_ms)}
    log_dir = os.environ.get("LOG_DIR") or tempfile.gettempdir()
    with open(Path(log_dir) / "oidc-peer.stderr", "a") as log:
        process = subprocess.Popen(
            [node, "--require", "./clock.cjs", "provider.js"],
            cwd=PEER_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"The local OpenID Provider did not start (exit code {process.wait(5)}); see {log.name}")
            issuer = json.loads(line)["issuer"]
            discovery = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
            yield {"issuer": issuer, "discovery": discovery}
        finally:
            process.terminate()
            process.wait(10)


def configure(settings, peer, world):
    """Point the platform at the peer and provision Britta (number) and Rasmus (employee id)."""
    d = peer["discovery"]
    settings.OIDC_OP_ISSUER = d["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = d["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = d["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = d["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = d["jwks_uri"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    world.britta.set_identity_number(BRITTA_NUMBER)
    world.britta.save()
    world.rasmus.employee_id = RASMUS_AFFILIATION
    world.rasmus.save()
