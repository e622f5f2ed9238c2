"""Security headers, the Content Security Policy, and the admin's login throttle."""

import re
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template import engines
from django.template.context_processors import csp
from django.test import RequestFactory
from django.urls import reverse

from moviedb.admin import lockout_username
from moviedb.middleware import client_ip

pytestmark = pytest.mark.django_db


def directives(policy):
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def test_pages_send_the_security_headers(client, mask):
    response = client.get(mask.get_absolute_url())
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_content_security_policy_allows_only_this_origin(client, mask):
    """No inline code without a nonce, no eval, and no source from another origin."""
    policy = client.get(mask.get_absolute_url())["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    rules = directives(policy)
    assert rules["default-src"] == ["'self'"]
    assert rules["object-src"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    for values in rules.values():
        for source in values:
            assert source in {"'self'", "'none'"} or source.startswith("'nonce-"), source


def test_a_page_that_uses_the_nonce_gets_it_in_its_policy(rf):
    """An inline script carrying {{ csp_nonce }} is allowed by exactly that nonce."""
    request = rf.get("/")
    middleware = ContentSecurityPolicyMiddleware(lambda r: None)
    middleware.process_request(request)
    html = engines["django"].from_string("<script nonce='{{ csp_nonce }}'></script>")
    response = HttpResponse(html.render(csp(request)))
    response = middleware.process_response(request, response)
    nonce = re.search(r"nonce='([^']+)'", response.content.decode())[1]
    assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["script-src"]


def test_the_admin_works_under_the_policy(editor, mask):
    """The film change page loads, and every script and style it uses comes from this
    origin's files: nothing inline that the policy would block."""
    response = editor.get(reverse("admin:films_film_change", args=[mask.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts
    for attrs in scripts:
        src = re.search(r'src="([^"]+)"', attrs)
        if src is None:
            # Data blocks (JSON) are never executed, so the policy does not apply.
            assert re.search(r'type="application/(ld\+)?json"', attrs), attrs
        else:
            assert not urlsplit(src[1]).netloc, src[1]
    for href in re.findall(r'<link[^>]+href="([^"]+)"', html):
        assert not urlsplit(href).netloc, href
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_passwords_are_hashed_with_argon2(django_user_model, settings):
    settings.PASSWORD_HASHERS = import_module("moviedb.settings").PASSWORD_HASHERS
    user = django_user_model.objects.create_user("someone", password="a long passphrase")
    assert identify_hasher(user.password).algorithm == "argon2"


def login(client, username, password, address="192.0.2.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_repeated_failed_logins_lock_out_that_user_from_that_address(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.com", "right password")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "editor", "wrong").status_code == 200  # the form again
    assert login(client, "editor", "wrong").status_code == 429
    locked = login(client, "editor", "right password")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "locked for 15 minutes" in " ".join(locked.content.decode().split())
    # The same user from another address, and another user from this one, are not locked.
    assert login(client, "editor", "right password", address="192.0.2.2").status_code == 302


def test_a_lockout_does_not_block_other_users_from_the_same_address(client, django_user_model):
    django_user_model.objects.create_superuser("other", "other@example.com", "their password")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "editor", "wrong")
    assert login(client, "other", "their password").status_code == 302


def test_the_client_address_comes_from_the_trusted_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw; the rest is the client's
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer hops than proxies: not forwarded by ours


@pytest.mark.parametrize("length", [255, 256, 10_000])
def test_a_user_name_of_any_length_gets_the_form_with_an_error(client, length):
    """The login form answers, with its error, whatever the length of the user name; on
    PostgreSQL a name longer than the throttle's column was a 500."""
    response = login(client, "x" * length, "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_failed_logins_with_a_long_user_name_count_towards_the_lockout(client):
    long_name = "editor" * 2000
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, long_name, "wrong").status_code == 200
    assert login(client, long_name, "wrong").status_code == 429
    assert login(client, long_name, "wrong", address="192.0.2.2").status_code == 200
    # Another long name that begins the same is another user name, not locked out.
    assert login(client, long_name + "x", "wrong").status_code == 200


def test_the_throttle_keeps_names_that_fit_and_shortens_the_others(rf):
    request = rf.post("/")
    assert lockout_username(request, {"username": "editor"}) == "editor"
    assert lockout_username(request, {"username": "e" * 255}) == "e" * 255
    long_names = [lockout_username(request, {"username": "e" * n}) for n in (256, 10_000)]
    assert all(len(name) == 255 for name in long_names)
    assert long_names[0] != long_names[1]
    assert lockout_username(rf.post("/", {"username": "x" * 300}))[:100] == "x" * 100


def test_every_response_sends_the_policy_headers(client, mask):
    for url in [mask.get_absolute_url(), "/no/such/page/", "/healthz", "/robots.txt"]:
        response = client.get(url)
        policy = dict(feature.split("=") for feature in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert policy[feature] == "()", (url, feature)
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_an_editors_session_lasts_a_working_day(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.com", "right password")
    assert login(client, "editor", "right password").status_code == 302
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["max-age"] == 8 * 60 * 60
