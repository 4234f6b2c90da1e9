"""Walk the URL map: every endpoint says who may call it, staff pages refuse strangers and
officers where they must, and every POST needs a CSRF token. Generic on purpose: endpoints
added later are checked without touching this file."""

import pytest
from werkzeug.routing import Rule

from portal.access import ACCESS_ATTR
from portal.accounts.models import Role
from portal.extensions import csrf

# Endpoints that may take a POST without the session's CSRF token, and why. Keep it short.
CSRF_EXEMPT_APIS = {
    # Open311 GeoReport v2: machine clients authenticate with an API key, not a cookie.
    "open311.create_request",
}
CSRF_CHECKED_BY_FORM = {
    # The report form validates its own token so that a refusal keeps what the resident typed.
    "intake.report",
}
CSRF_CHECKED_BY_ORIGIN = {
    # The language switch on every page: its Origin (or Referer) must be this site, so that
    # public pages carry no token and a first-time visitor needs no session.
    "site.set_language",
}
# Public endpoints under the staff prefix (everything else there must be role-checked).
PUBLIC_STAFF_PATHS = {"accounts.login", "twofactor.login_code"}
STAFF_PREFIX = "/petugas/"
EXPIRED = "Formulir kedaluwarsa atau tidak dikirim dari situs ini."


def access_of(app, endpoint: str):
    return getattr(app.view_functions[endpoint], ACCESS_ATTR, None)


def rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def dummy_url(rule: Rule) -> str:
    """The rule's path with a harmless value for each argument (1 for numbers, "x" otherwise)."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = (
            1 if type(converter).__name__ in ("IntegerConverter", "NumberConverter") else "x"
        )
    return rule.build(values, append_unknown=False)[1]


def sent_to_login(response) -> bool:
    """What every staff URL answers a visitor who is not logged in: the login form."""
    return response.status_code == 302 and response.headers["Location"].startswith(
        "/petugas/masuk?next="
    )


def staff_rules(app) -> list[tuple[Rule, tuple]]:
    marked = [(rule, access_of(app, rule.endpoint)) for rule in rules(app)]
    return [
        (rule, mark[1]) for rule, mark in marked if isinstance(mark, tuple) and mark[0] == "staff"
    ]


def test_every_endpoint_is_marked_public_or_staff(app):
    unmarked = sorted(
        f"{rule.endpoint} ({rule.rule})"
        for rule in rules(app)
        if access_of(app, rule.endpoint) is None
    )
    assert not unmarked, "endpoints without @public or @roles_required: " + ", ".join(unmarked)


def test_marks_are_well_formed_and_name_known_roles(app):
    known = {role.value for role in Role}
    bad = []
    for rule in rules(app):
        mark = access_of(app, rule.endpoint)
        if mark is None or mark == "public":
            continue
        if not (
            isinstance(mark, tuple)
            and mark[0] == "staff"
            and all(str(role) in known for role in mark[1])
        ):
            bad.append(f"{rule.endpoint}: {mark!r}")
    assert not bad, "malformed access marks: " + ", ".join(bad)


def test_staff_area_has_no_public_pages_but_login(app):
    public = sorted(
        rule.endpoint
        for rule in rules(app)
        if rule.rule.startswith(STAFF_PREFIX)
        and access_of(app, rule.endpoint) == "public"
        and rule.endpoint not in PUBLIC_STAFF_PATHS
    )
    assert not public, "public endpoints under /petugas/: " + ", ".join(public)


def test_anonymous_visitor_gets_no_staff_page(app):
    client = app.test_client()
    leaks = []
    for rule, _roles in staff_rules(app):
        if "GET" not in rule.methods:
            continue
        url = dummy_url(rule)
        response = client.get(url)
        if not sent_to_login(response):
            leaks.append(f"{rule.endpoint} GET {url} -> {response.status_code}")
    assert not leaks, "staff pages open to anonymous visitors: " + "; ".join(leaks)


def test_anonymous_post_to_staff_endpoints_changes_nothing(app):
    client = app.test_client()
    leaks = []
    for rule, _roles in staff_rules(app):
        if "POST" not in rule.methods:
            continue
        response = client.post(dummy_url(rule), data={})
        if not sent_to_login(response):
            leaks.append(f"{rule.endpoint} -> {response.status_code}")
    assert not leaks, "staff POSTs open to anonymous visitors: " + "; ".join(leaks)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR])
def test_endpoints_for_higher_roles_refuse_lower_ones(app, make_user, login_as, role):
    client = app.test_client()
    login_as(client, make_user(role=role))
    leaks = []
    for rule, roles in staff_rules(app):
        if not roles or role in {str(r) for r in roles}:
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(dummy_url(rule), method=method, data={})
            if response.status_code != 403:  # refused before the view looks anything up
                leaks.append(f"{rule.endpoint} {method} -> {response.status_code}")
    assert not leaks, f"endpoints reachable by a {role}: " + "; ".join(leaks)


def test_every_post_needs_a_csrf_token(make_app, make_user, login_as):
    make_app()  # the first app sets up the database for both
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    login_as(client, make_user(role=Role.ADMIN, team=None))
    accepted = []
    for rule in rules(protected):
        if "POST" not in rule.methods or rule.endpoint in CSRF_EXEMPT_APIS:
            continue
        if rule.endpoint in CSRF_CHECKED_BY_ORIGIN:
            response = client.post(dummy_url(rule), headers={"Origin": "https://evil.example"})
            if response.status_code != 400:
                accepted.append(f"{rule.endpoint} from another site -> {response.status_code}")
            continue
        response = client.post(dummy_url(rule), data={"anything": "1"})
        # 400 with the error page, or with the form shown again and what was typed kept
        if response.status_code != 400 or EXPIRED not in response.text:
            accepted.append(f"{rule.endpoint} -> {response.status_code}")
    assert not accepted, "POST without CSRF token not refused: " + "; ".join(accepted)


def test_csrf_exemptions_are_all_on_the_list(app):
    exempt = {
        rule.endpoint
        for rule in rules(app)
        if _qualified_name(app.view_functions[rule.endpoint]) in csrf._exempt_views
    }
    unlisted = exempt - CSRF_EXEMPT_APIS - CSRF_CHECKED_BY_FORM - CSRF_CHECKED_BY_ORIGIN
    assert not unlisted, "csrf.exempt without a line in this file: " + ", ".join(sorted(unlisted))


def _qualified_name(view) -> str:
    """The name Flask-WTF's csrf.exempt records for a view."""
    return f"{view.__module__}.{view.__name__}"
