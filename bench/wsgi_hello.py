"""A hello-world Flask app, the baseline of the HTTP benchmarks: bench.wsgi_hello:app."""

from flask import Flask

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def hello(path: str) -> str:
    return "Hello, world!"
