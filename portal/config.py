"""Default settings. instance/config.py and PORTAL_* environment variables override them."""

from datetime import timedelta

MiB = 1024 * 1024


class Defaults:
    # Core
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = "sqlite:///portal.sqlite3"  # relative to instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    PREFERRED_URL_SCHEME = "http"

    # i18n
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    # Legal windows: the report form warns when this many days (or fewer) are left.
    LEGAL_WINDOW_WARN_DAYS = 2
    # A team's registration number unless an admin set its own (cases/registration/numbers.py).
    REGISTRATION_NUMBER_FORMAT = "{seq:03d}/Reg/LP/PW/{region}/{month_roman}/{year}"
    REGISTRATION_REGION_CODE = "00.00"  # the {region} field: the office's region code
    FORMAL_CHECK_RATE_LIMIT = "300 per hour"  # the report form's live checklist (a script)

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    FORCE_HTTPS = False
    # Behind N trusted reverse proxies: take the client address and scheme from their headers
    # (rate limits and login throttling key on the client address). 0 = no proxy.
    PROXY_FIX_X_FOR = 0

    # Forms and uploads
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    MAX_FILE_BYTES = 10 * MiB
    MAX_FILES = 10
    MAX_LINKS = 10
    MAX_PIXELS = 40_000_000
    MAX_SIDE = 20_000
    THUMBNAIL_SIDE = 480
    # The request body may carry MAX_FILES files at their limit plus the form itself.
    MAX_CONTENT_LENGTH = 10 * 10 * MiB + MiB

    # Storage: "local" (UPLOAD_FOLDER) or "s3"
    STORAGE_BACKEND = "local"
    UPLOAD_FOLDER: str | None = None  # defaults to <project>/uploads
    S3_ENDPOINT_URL: str | None = None
    S3_BUCKET = "portal-uploads"
    S3_ACCESS_KEY: str | None = None
    S3_SECRET_KEY: str | None = None
    S3_REGION = "us-east-1"
    SWEEP_GRACE_MINUTES = 60
    # evidence
    S3_PREFIX = ""  # key prefix inside the bucket, e.g. "portal/" when the bucket is shared

    # Tracking codes: keyed hash; defaults to a key derived from SECRET_KEY
    TRACKING_KEY: str | None = None
    # A double-submitted report form gets the first receipt: only from the same browser session,
    # with the same content, within this many hours (intake/idempotency.py)
    IDEMPOTENCY_HOURS = 6
    IDEMPOTENCY_HMAC_KEY: str | None = None  # keys the stored form hashes; derived from SECRET_KEY
    # Images sent with a report form that was refused (or uploaded ahead by the page's script)
    # are kept for the same form and browser session this long, then removed by the worker
    HELD_UPLOAD_HOURS = 2.0
    UPLOAD_CHUNK_BYTES = 256 * 1024  # the largest piece of a file one upload request may carry

    # Rate limits (Flask-Limiter)
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # A shared store (Redis) that is down: each process counts on its own meanwhile, rather
    # than refusing every login and report with an error.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    REPORT_RATE_LIMIT = "10 per hour"
    TRACK_RATE_LIMIT = "20 per hour"
    # intake
    RECEIPT_PDF_RATE_LIMIT = "20 per hour"  # receipt PDFs (WeasyPrint takes a CPU second each)
    REPLY_RATE_LIMIT = "30 per hour"  # reporter replies on the status page, per client
    UPLOAD_RATE_LIMIT = "600 per hour"  # upload requests (each chunk is one), per client
    TRACK_IDLE_MINUTES = 30  # a tracked report is forgotten on the device after this idle time

    # accounts: login throttling, staff session timeouts, password policy
    LOGIN_RATE_LIMIT = "20 per 15 minutes"  # failed login POSTs per client address
    LOGIN_MAX_FAILURES = 5  # per account; then a lock of 1, 2, 4, ... minutes
    LOGIN_LOCK_MAX_MINUTES = 15
    STAFF_IDLE_MINUTES = 30
    STAFF_MAX_HOURS = 12
    PASSWORD_MIN_LENGTH = 12
    # accounts: two-step sign-in
    TWO_FACTOR_PENDING_SECONDS = 300  # time between the password and the code of one login
    TWO_FACTOR_KEY: str | None = None  # key of stored TOTP secrets; derived from SECRET_KEY

    # Mail (Flask-Mail, sent through the outbox)
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Portal Aduan Warga <noreply@localhost>"
    MAIL_TIMEOUT = 10
    OUTBOX_MAX_ATTEMPTS = 8
    # notify
    OUTBOX_BACKOFF_SECONDS = 30  # first retry after this; doubles each attempt
    OUTBOX_BACKOFF_MAX_SECONDS = 3600
    OUTBOX_LEASE_SECONDS = 300  # a claimed message is due again after this if its sender died
    # cases_dup (duplicates)
    DUPLICATE_PHASH_DISTANCE = 10  # max differing bits of two screenshots' perceptual hashes
    DUPLICATE_ACCOUNT_WINDOW_HOURS = 72  # same reported account within this many hours

    # cases (triage queue, escalation)
    CASES_PAGE_SIZE = 50  # rows per queue page
    CASES_COUNT_CAP = 1000  # tab counts stop here and show "1000+" (keeps the queue fast)
    CASES_MANY_REPORTS = 5  # "reported by many": at least this many reports
    # Custodians hold confidential reporters' identities: officers see a label until a
    # custodian approves a reasoned request (cases/identity). False: officers see them as before.
    IDENTITY_CUSTODIAN = True
    CASES_ESCALATE_INTERVAL = 300  # seconds between `flask cases escalate --loop` runs

    # Public site
    SITE_NAME = "Portal Aduan Warga"
    PUBLIC_URL: str | None = None
    # public
    PUBLISH_REQUIRES_REVIEW = False  # a second officer or a supervisor approves publication
    TRANSPARENCY_K = 5  # counts from fewer reports than this are shown as "<k"
    # Public pages shared by every visitor (portal/pagecache.py), in Flask-Caching: a directory
    # under instance/ by default, shared by the server's processes; "RedisCache" with
    # CACHE_REDIS_URL as soon as there are two app machines (kept pages are found by tokens
    # every commit renews in the cache). Tests use one cache per app ("SimpleCache").
    CACHE_TYPE = "FileSystemCache"
    CACHE_DIR: str | None = None  # defaults to instance/cache
    CACHE_THRESHOLD = 2000
    PAGE_CACHE_SECONDS = 60
    # The case page and the queue kept per viewer (portal/cases/kept.py). Never stale: a commit
    # renews the tokens they are found by, so this bounds how long an unused copy takes space
    # (and how long one may outlive a commit that could not reach the cache).
    STAFF_PAGE_CACHE_SECONDS = 600
    # Keys carry this prefix so that emptying the cache (refresh-stats, a new start) removes only
    # the portal's pages, never other keys of a shared Redis.
    CACHE_KEY_PREFIX = "portal-page:"
    STATS_CACHE_SECONDS = 60  # in-process cache of the transparency figures per filter
    OPEN311_MAX_IDS = 200  # service_request_id list length
    OPEN311_PAGE_SIZE = 50
    OPEN311_MAX_PAGE_SIZE = 200
    OPEN311_CONTACT = "Portal Aduan Warga"
    OPEN311_RATE_LIMIT = "300 per hour"  # POST requests per API key
    # lat/long this far (degrees, about 5.5 km) outside the shipped boundaries are still taken,
    # with the region to be confirmed; farther out they are refused
    OPEN311_AREA_MARGIN_DEGREES = 0.05
    # capture (link snapshots, liveness, worker, evidence bundle)
    CAPTURE_ALLOW_PRIVATE = False  # tests only: lets the fetcher reach a loopback server
    CAPTURE_ALLOW_HOSTS: tuple = ()  # tests only: exact "host:port" endpoints let through
    CAPTURE_ALLOWED_PORTS = (80, 443)
    CAPTURE_MAX_REDIRECTS = 5
    CAPTURE_MAX_BYTES = 5 * MiB  # the body is cut off here and the capture marked too_large
    CAPTURE_TIMEOUT = 20  # seconds for the whole fetch, redirects and slow bodies included
    CAPTURE_USER_AGENT = "PortalAduanWarga-Capture/1.0"
    CAPTURE_SCREENSHOT = True
    CAPTURE_SCREENSHOT_TIMEOUT = 20  # seconds for rendering the captured page
    CHROMIUM_PATH = "/usr/bin/chromium"
    CAPTURE_LIVENESS_HOURS = (1, 3, 6, 12, 24)  # then daily until CAPTURE_LIVENESS_DAYS
    CAPTURE_LIVENESS_DAYS = 30
    # Officer-supplied platform sessions are sealed under a key derived from this secret (at
    # least 32 characters); unset, the feature is off. Changing it makes stored sessions unusable.
    CAPTURE_SESSION_KEY: str | None = None
    CAPTURE_SESSION_MAX_BYTES = MiB  # a storage-state upload larger than this is refused
    # Tests only: more hosts counted as a platform's, e.g. {"instagram": ["127.0.0.1"]}.
    CAPTURE_PLATFORM_HOSTS: dict = {}
    # A public web archive's Save Page Now endpoint (e.g. "https://web.archive.org/save");
    # unset, no link is sent anywhere. CAPTURE_ARCHIVE_AUTH is "accesskey:secret" (archive.org S3).
    CAPTURE_ARCHIVE_ENDPOINT: str | None = None
    CAPTURE_ARCHIVE_AUTH: str | None = None
    CAPTURE_ARCHIVE_TIMEOUT = 120  # seconds to wait for the archive's copy, polling included
    CAPTURE_ARCHIVE_POLL_SECONDS = 5
    WORKER_LEASE_SECONDS = 300  # a job claimed by a worker that died is retried after this
    WORKER_MAX_ATTEMPTS = 5
    WORKER_RETRY_SECONDS = 60  # first retry after a crash-free failure; doubles each attempt
    WORKER_INTERVAL = 2  # seconds between passes of `flask worker`
    WORKER_ESCALATE_INTERVAL = 300  # seconds between deadline escalation runs in the worker
    WORKER_BACKOFF_MAX_SECONDS = 60  # longest pause after failed passes (1 s, doubling)
    OFFICIAL_ACCOUNT_PRIORITY = 1  # a case naming an official account gets at least this
    BUNDLE_OFFICERS_GET_ORIGINALS = False  # officers' bundles include sealed originals
    # proof (trusted timestamps, signing key)
    TIMESTAMP_URLS: tuple = ()  # RFC 3161 TSAs, tried in order; empty: no timestamps
    TIMESTAMP_CA_FILE: str | None = None  # PEM roots trusted for TSA tokens; None: system bundle
    TIMESTAMP_TIMEOUT = 10  # seconds per TSA request
    TIMESTAMP_BATCH = 20  # hashes stamped per worker pass at most
    TIMESTAMP_LEASE_SECONDS = 120  # a row claimed by a worker that died is tried again after this
    TIMESTAMP_BACKOFF_SECONDS = 60  # first pause after every TSA failed; doubles each attempt
    TIMESTAMP_BACKOFF_MAX_SECONDS = 3600
    SIGNING_KEY_FILE: str | None = None  # Ed25519 private key (PEM); None: instance folder
    # privacy: the retention schedule (portal/privacy/policy.py; README "Privacy and retention").
    # Each rule erases one kind of data (contact | messages | screenshots) `days` after a case
    # became `status` (resolved | closed | rejected), optionally only for one rejection reason.
    RETENTION_SCHEDULE: tuple = (
        {"kind": "contact", "status": "resolved", "days": 365},
        {"kind": "contact", "status": "closed", "days": 365},
        {"kind": "contact", "status": "rejected", "days": 90},
        {"kind": "messages", "status": "closed", "days": 730},
        {"kind": "messages", "status": "rejected", "days": 90},
        {"kind": "screenshots", "status": "rejected", "reason": "spam", "days": 30},
        {"kind": "screenshots", "status": "closed", "days": 1825},
    )
    RETENTION_INTERVAL_HOURS = 24  # the worker runs the schedule this often
    # Who controls the data, named in the privacy notice, and where residents send requests
    PRIVACY_CONTROLLER = "Portal Aduan Warga"
    PRIVACY_CONTACT = "privasi@example.org"
