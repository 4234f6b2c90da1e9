"""A hello-world Flask app, the baseline for bench/public.py: bench.wsgi_hello:app."""

from flask import Flask

app = Flask(__name__)


@app.get("/transparansi")
def hello() -> str:
    return "Hello, world!"
