"""The portal on a benchmark database (BENCH_DB), for gunicorn: bench.wsgi_public:app."""

import os

from portal import create_app

app = create_app(
    {
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.environ['BENCH_DB']}",
    }
)
