"""One settings module, configured from the environment with typed helpers.

Defaults give the zero-setup demo (SQLite in ./var). Production and the test suite set
DATABASE_URL to PostgreSQL. Secrets come from the environment; the demo derives
stable local keys so a laptop needs nothing configured.
"""

import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from backa.config import env_secret, parse_key_ring, refuse_weak_production_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def _hosts_and_ports(netloc: str) -> tuple[str, str]:
    """ "h1:5432,h2:5433" into ("h1,h2", "5432,5433"): libpq's multi-host form (Patroni, with
    target_session_attrs=read-write in the query). One host gives one host and its port."""
    hosts, ports = [], []
    for part in filter(None, netloc.split(",")):
        if part.startswith("["):  # [IPv6]:port
            host, _, rest = part[1:].partition("]")
            port = rest.lstrip(":")
        else:
            host, _, port = part.partition(":")
        hosts.append(unquote(host))
        ports.append(port)
    if not any(ports):
        return ",".join(hosts), ""
    return ",".join(hosts), ",".join(port or "5432" for port in ports)


def database_from_url(url: str) -> dict:
    """Parse postgresql://user:pass@host:port/name?opt=v or sqlite:///path into DATABASES['default']."""
    parsed = urlparse(url)
    if parsed.scheme in ("sqlite", "sqlite3"):
        path = unquote(parsed.path)
        if path.startswith("//"):  # sqlite:////abs/path
            path = path[1:]
        elif path.startswith("/"):
            path = path[1:] if not Path(path).is_absolute() else path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or str(BASE_DIR / "var" / "demo.sqlite3")}
    if parsed.scheme in ("postgres", "postgresql"):
        options = dict(parse_qsl(parsed.query))
        host, port = _hosts_and_ports(parsed.netloc.rpartition("@")[2])
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": host or options.pop("host", ""),
            "PORT": port,
            # Tests start and stop live servers; persistent connections would outlive them.
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 0 if BACKA_ENV == "test" else 60),
            # Revalidate persistent connections so the app recovers by itself after a
            # database restart instead of failing on a dead socket.
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
        if "host" in options:
            config["HOST"] = options.pop("host")
        return config
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


# Environment: "demo" (laptop, http on 127.0.0.1), "test", or "production". Anything else
# refuses to start: a typo such as BACKA_ENV=prod must never run with the demo's keys.
KNOWN_ENVS = ("demo", "test", "production")
BACKA_ENV = env_str("BACKA_ENV", "demo")
if BACKA_ENV not in KNOWN_ENVS:
    raise ImproperlyConfigured(f"BACKA_ENV={BACKA_ENV!r} is not one of {', '.join(KNOWN_ENVS)}")
DEBUG = env_bool("DEBUG", False)
# Benchmarks only (bench/): adds a trivial view, the framework floor. Never in production.
BACKA_BENCH = env_bool("BACKA_BENCH", False) and BACKA_ENV != "production"

# Secrets: NAME from the environment, or NAME_FILE naming a file that holds it (systemd
# credentials, a mounted secret). Production needs every one of them set explicitly and
# separately (config.py); the demo and the test suite derive stable local keys so a laptop
# needs nothing configured.
_demo_secret = "demo-only-" + hashlib.sha256(str(BASE_DIR).encode()).hexdigest()
SECRET_KEY = env_secret("SECRET_KEY") or (_demo_secret if BACKA_ENV != "production" else "")


def _derived(prefix: str) -> str:
    return "" if BACKA_ENV == "production" else hashlib.sha256((prefix + SECRET_KEY).encode()).hexdigest()


# Keys for personal identity numbers: AES-GCM for storage, HMAC-SHA256 for lookup.
# Separate keys so the lookup hash cannot be used to decrypt, and either can rotate.
# Each ciphertext is stored with the id of the key that wrote it (PNR_ENCRYPTION_KEY_ID);
# earlier keys stay readable through PNR_ENCRYPTION_OLD_KEYS ("id:hex,id:hex") until
# `manage.py reencrypt_identity_numbers` has moved every row to the current key.
PNR_ENCRYPTION_KEY = env_secret("PNR_ENCRYPTION_KEY") or _derived("enc")
PNR_ENCRYPTION_KEY_ID = env_str("PNR_ENCRYPTION_KEY_ID", "1")
PNR_ENCRYPTION_OLD_KEYS = parse_key_ring(env_secret("PNR_ENCRYPTION_OLD_KEYS"))
PNR_HASH_KEY = env_secret("PNR_HASH_KEY") or _derived("mac")
# Key of the study ids in research extracts (HMAC of the child id). Held by the key holder, never in an extract.
RESEARCH_PSEUDONYM_KEY = env_secret("RESEARCH_PSEUDONYM_KEY") or _derived("study")

# The header the trusted reverse proxy sets with the request id (deploy/nginx.conf sets
# X-Request-ID). Empty: the server makes every request id itself and ignores any header,
# so a client can never choose the id written to the access log.
REQUEST_ID_HEADER = env_str("REQUEST_ID_HEADER", "")

if BACKA_ENV == "production" and DEBUG:
    raise ImproperlyConfigured("production configuration refused: DEBUG must be off in production")
if BACKA_ENV == "production":
    refuse_weak_production_config(
        secret_key=SECRET_KEY,
        pnr_encryption_key=PNR_ENCRYPTION_KEY,
        pnr_encryption_key_id=PNR_ENCRYPTION_KEY_ID,
        pnr_old_keys=PNR_ENCRYPTION_OLD_KEYS,
        pnr_hash_key=PNR_HASH_KEY,
        research_key=RESEARCH_PSEUDONYM_KEY,
        database_url=env_str("DATABASE_URL"),
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "backa.lib",
    "backa.accounts",
    "backa.organisations",
    "backa.children",
    "backa.roles",
    "backa.audit",
    "backa.consent",
    "backa.access",
    "backa.casefile",
    "backa.synthetic",
    "backa.forums",
    "backa.impact",
    "backa.integrations",
    "backa.evaluation",
    "backa.operations",
    "backa.records",
    "backa.outbox",
    "backa.front",
    "backa.family",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backa.middleware.RequestIdMiddleware",
    "backa.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "backa.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backa.accounts.middleware.SessionLimitsMiddleware",
    "backa.accounts.middleware.SecondFactorMiddleware",
    "backa.family.middleware.FamilySessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "backa.middleware.NoStoreMiddleware",
    "backa.access.middleware.DeniedAccessMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backa.urls"
WSGI_APPLICATION = "backa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backa" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "backa.accounts.context.active_position",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}"))}
# Every request is one transaction: the access-log row and the read it records commit
# together or not at all (fail closed).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A read replica (Patroni's replica, streaming) for evaluation and extracts: used only inside
# backa.lib.dbrouter.replica_reads() and only when caught up with the primary.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(env_str("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["backa.lib.dbrouter.ReplicaRouter"]
REPLICA_MAX_WAIT_SECONDS = float(env_str("REPLICA_MAX_WAIT_SECONDS", "0.2"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "backa.accounts.oidc.SwedishOIDCBackend",
    "backa.accounts.saml.SwedishSAMLBackend",  # holds SAML sessions; the ACS view authenticates
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "front:my_children"
LOGOUT_REDIRECT_URL = "accounts:login"

# Throttling of failed logins (django-axes): five failures lock the username+IP pair.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Axes keeps the throttled name and the POSTed fields: a keyed hash of the name, the name
# field masked (a personnummer typed as a login name is never stored; accounts/lockout.py).
AXES_USERNAME_CALLABLE = "backa.accounts.lockout.throttle_key"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "password1", "password2", "code", "number"]
AXES_WHITELIST_CALLABLE = "backa.accounts.oidc.is_e_id_attempt"  # e-ID callbacks are not password attempts

# Staff login through the organisation's identity provider (OpenID Connect, accounts/oidc.py;
# mozilla-django-oidc). Off until OIDC_RP_CLIENT_ID is set. LoA3 is requested and required.
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_secret("OIDC_RP_CLIENT_SECRET")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str(
    "OIDC_RP_SCOPES",
    "openid profile https://id.oidc.se/scope/naturalPersonNumber https://id.oidc.se/scope/naturalPersonOrgId",
)
OIDC_CLAIM_HSA_ID = env_str("OIDC_CLAIM_HSA_ID")  # the IdP's HSA-id claim name, if it sends one
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # only pre-provisioned professionals
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_TIMEOUT = 10
# The citizens' e-ID broker (BankID/Freja through the municipality's broker, OpenID Connect at
# LoA3): its own client, apart from the staff IdP. Off until CITIZEN_OIDC_RP_CLIENT_ID is set.
CITIZEN_OIDC_OP_ISSUER = env_str("CITIZEN_OIDC_OP_ISSUER")
CITIZEN_OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("CITIZEN_OIDC_OP_AUTHORIZATION_ENDPOINT")
CITIZEN_OIDC_OP_TOKEN_ENDPOINT = env_str("CITIZEN_OIDC_OP_TOKEN_ENDPOINT")
CITIZEN_OIDC_OP_USER_ENDPOINT = env_str("CITIZEN_OIDC_OP_USER_ENDPOINT")
CITIZEN_OIDC_OP_JWKS_ENDPOINT = env_str("CITIZEN_OIDC_OP_JWKS_ENDPOINT")
CITIZEN_OIDC_RP_CLIENT_ID = env_str("CITIZEN_OIDC_RP_CLIENT_ID")
CITIZEN_OIDC_RP_CLIENT_SECRET = env_secret("CITIZEN_OIDC_RP_CLIENT_SECRET")
CITIZEN_OIDC_RP_SIGN_ALGO = env_str("CITIZEN_OIDC_RP_SIGN_ALGO", "RS256")
CITIZEN_OIDC_RP_SCOPES = env_str("CITIZEN_OIDC_RP_SCOPES", "openid https://id.oidc.se/scope/naturalPersonNumber")

# Staff login through a SAML 2.0 federation (accounts/saml.py, pysaml2 + xmlsec1; decision 0019).
# Off until SAML_IDP_METADATA_FILE is set. The metadata file is used only when its signature
# verifies against SAML_METADATA_SIGNING_CERT_FILE (the federation operator's certificate).
SAML_IDP_METADATA_FILE = env_str("SAML_IDP_METADATA_FILE")
SAML_METADATA_SIGNING_CERT_FILE = env_str("SAML_METADATA_SIGNING_CERT_FILE")
SAML_IDP_ENTITY_ID = env_str("SAML_IDP_ENTITY_ID")  # which IdP of the aggregate; empty: the only one
SAML_SP_ENTITY_ID = env_str("SAML_SP_ENTITY_ID")  # empty: BACKA_BASE_URL + /konto/saml/metadata/
SAML_SP_BASE_URL = env_str("SAML_SP_BASE_URL")  # empty: BACKA_BASE_URL
SAML_SP_KEY_FILE = env_str("SAML_SP_KEY_FILE")  # our signing/decryption key (PEM), never in the repository
SAML_SP_CERT_FILE = env_str("SAML_SP_CERT_FILE")
SAML_XMLSEC_BINARY = env_str("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")

# TOTP (django-otp) as the second factor for local password accounts. e-ID logins do not
# need it (the IdP authenticated at LoA3). Off only in the laptop demo.
# Who may open a child by number in an emergency (nödåtkomst): positions with a duty of care
# or protection. A comma-separated list of accounts.PositionKind values overrides it.
EMERGENCY_ACCESS_POSITION_KINDS = frozenset(
    env_str(
        "EMERGENCY_ACCESS_POSITION_KINDS",
        "social_worker,police_officer,physician,psychologist,school_nurse,bvc_nurse,midwife",
    ).split(",")
)
LOCAL_LOGIN_REQUIRES_TOTP = env_bool("LOCAL_LOGIN_REQUIRES_TOTP", BACKA_ENV != "demo")
OTP_TOTP_ISSUER = "Backa barnet"
OTP_TOTP_THROTTLE_FACTOR = 1  # each failure doubles the wait (1 s, 2 s, 4 s, ...), no permanent lockout

# Sessions: 15 minutes idle, 10 hours absolute (SessionLimitsMiddleware enforces both).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 15 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60)
# The family's own sessions (guardians and children with e-ID, backa.family): shorter.
FAMILY_SESSION_IDLE_SECONDS = env_int("FAMILY_SESSION_IDLE_SECONDS", 10 * 60)
FAMILY_SESSION_ABSOLUTE_SECONDS = env_int("FAMILY_SESSION_ABSOLUTE_SECONDS", 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# The demo serves plain http on 127.0.0.1; everywhere else cookies are Secure-only.
SECURE_COOKIES = env_bool("SECURE_COOKIES", BACKA_ENV != "demo")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if BACKA_ENV == "production":
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer and the metrics scraper talk plain http to the node itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail (the outbox worker, backa/outbox/worker.py, is the only sender; docs/operations.md).
# In production the worker refuses to start without EMAIL_HOST, EMAIL_FROM and BACKA_BASE_URL.
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1" if BACKA_ENV != "production" else "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # implicit TLS (port 465)
EMAIL_SSL_CAFILE = env_str("EMAIL_SSL_CAFILE")  # a private CA for the relay's certificate
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("EMAIL_FROM", "backa-barnet@localhost" if BACKA_ENV != "production" else "")
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost")
BACKA_BASE_URL_SET = bool(env_str("BACKA_BASE_URL")) and bool(DEFAULT_FROM_EMAIL)
BACKA_BASE_URL = env_str("BACKA_BASE_URL", "http://127.0.0.1:8000")
# The outbox worker: a row claimed longer than the lease belongs to a worker that stopped.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
OUTBOX_BATCH = env_int("OUTBOX_BATCH", 50)
OUTBOX_POLL_SECONDS = env_int("OUTBOX_POLL_SECONDS", 5)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_BACKOFF_SECONDS = env_int("OUTBOX_BACKOFF_SECONDS", 60)
OUTBOX_BACKOFF_CAP_SECONDS = env_int("OUTBOX_BACKOFF_CAP_SECONDS", 6 * 3600)
OUTBOX_DIGEST_HOUR = env_int("OUTBOX_DIGEST_HOUR", 7)
# Reminders (backa/casefile/reminders.py, manage.py send_reminders): days before / after.
REMINDER_FOLLOWUP_DUE_DAYS = env_int("REMINDER_FOLLOWUP_DUE_DAYS", 7)
REMINDER_HANDOVER_PENDING_DAYS = env_int("REMINDER_HANDOVER_PENDING_DAYS", 5)
REMINDER_CONSENT_EXPIRING_DAYS = env_int("REMINDER_CONSENT_EXPIRING_DAYS", 30)
REMINDER_EMERGENCY_UNREVIEWED_HOURS = env_int("REMINDER_EMERGENCY_UNREVIEWED_HOURS", 24)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict CSP: no inline script or style anywhere; everything is served from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "backa" / "locale"]
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "backa" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# The municipality this installation serves (SCB kommunkod). One tenant per installation
# for the pilot; every child-owned row still carries municipality_id for the national path.
MUNICIPALITY_CODE = env_str("MUNICIPALITY_CODE", "0180")

# Application logs: request ids and object ids only, never personnummer, names or notes.
LOG_DIR = Path(env_str("LOG_DIR", str(BASE_DIR / "var" / "log")))
LOG_DIR.mkdir(parents=True, exist_ok=True)
# Files are JSON lines for shipping (backa/lib/jsonlog.py): app.jsonl holds everything,
# security.jsonl only the security stream (backa.security, backa.security.events) for the
# municipality's SIEM. The console is JSON in production (journald ships it) and plain text
# elsewhere (LOG_FORMAT=json|plain overrides).
LOG_FORMAT = env_str("LOG_FORMAT", "json" if BACKA_ENV == "production" else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "backa.lib.jsonlog.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "file": {"class": "logging.FileHandler", "filename": str(LOG_DIR / "app.log"), "formatter": "plain"},
        "jsonfile": {"class": "logging.FileHandler", "filename": str(LOG_DIR / "app.jsonl"), "formatter": "json"},
        "security": {
            "class": "logging.FileHandler",
            "filename": str(LOG_DIR / "security.jsonl"),
            "formatter": "json",
        },
    },
    "root": {"handlers": ["console", "file", "jsonfile"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger can echo URLs and POST bodies; keep it at warning level
        # and never log request bodies.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # One line per request (RequestLogMiddleware): the JSON file and the console in
        # production, not the plain file.
        "backa.request": {
            "handlers": ["jsonfile"] + (["console"] if BACKA_ENV == "production" else []),
            "level": "INFO",
            "propagate": False,
        },
        "backa.security": {"handlers": ["security"], "level": "INFO", "propagate": True},
    },
}

# Health, readiness and metrics (backa/operations/health.py, docs/operations.md).
SEAL_OVERDUE_AFTER_HOURS = env_int("SEAL_OVERDUE_AFTER_HOURS", 27)
# R10: /readyz fails when the newest `restore_drill` failed or is older than this (0: not checked).
RESTORE_DRILL_MAX_AGE_HOURS = env_int("RESTORE_DRILL_MAX_AGE_HOURS", 0)  # a day's period + 1 h grace + 2 h
READINESS_EXTRA_CHECKS = env_list("READINESS_EXTRA_CHECKS", [])
OUTBOX_STUCK_AFTER_MINUTES = env_int("OUTBOX_STUCK_AFTER_MINUTES", 15)
METRICS_EXTRA_GAUGES: list[str] = []
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
METRICS_TOKEN = env_secret("METRICS_TOKEN")

# The demo's SQLite cannot enforce NULLS NOT DISTINCT unique constraints (LifePhaseConfig);
# PostgreSQL, where pilots and tests run, does. Keep the demo's start-up quiet about it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
