"""Alerts reach real servers on loopback through apprise: an HTTP webhook (http.server) and SMTP (aiosmtpd).

No mocks: apprise posts and mails for real.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from warehouse.alerts import (
    Alert,
    alerts_for_run,
    channels_from_env,
    send_alert,
    send_alerts,
)
from warehouse.errors import WarehouseError
from warehouse.run_log import RunRecord

WEBHOOK_PATH = "/services/T0SECRET/B0SECRET/xoxb-webhook-token-abc123"
SMTP_USER = "alerts@example.com"
SMTP_PASSWORD = "hunter2-smtp-secret"
SOURCE_PASSWORD = "s3cret-shop-password"
# the loopback test server takes AUTH without TLS on purpose (aiosmtpd warns about it)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

SECRETS = ("T0SECRET", "xoxb-webhook-token-abc123", SMTP_PASSWORD, SOURCE_PASSWORD)


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test: capture warehouse.alerts at INFO, and fail if any logged line holds a secret."""
    caplog.set_level(logging.INFO, logger="warehouse.alerts")
    yield
    logged = "\n".join(record.getMessage() for record in caplog.get_records("call"))
    for secret in SECRETS:
        assert secret not in logged


# ---------------------------------------------------------------------------------------------------------------
# a real webhook receiver


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append(ReceivedRequest(self.command, self.path, dict(self.headers), body))
        answer = b"ok" if self.server.status < 300 else b"no_service"
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass


class WebhookServer(ThreadingHTTPServer):
    requests: list[ReceivedRequest]
    status: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{WEBHOOK_PATH}"


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    """An HTTP server on 127.0.0.1 that records every POST and answers `status` (200 unless a test changes it)."""
    server = WebhookServer(("127.0.0.1", 0), _Recorder)
    server.requests, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------------------------------------------------------
# a real SMTP server


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage
    tls: bool
    login: str | None

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")


@dataclass
class Mailbox:
    host: str
    port: int
    mails: list[ReceivedMail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.mails.append(ReceivedMail(envelope.mail_from, envelope.rcpt_tos, message, session.ssl is not None, login))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((mechanism, login))
        if (login, password) == (SMTP_USER, SMTP_PASSWORD):
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)  # the server answers 535


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def start_mailbox(host: str = "127.0.0.1", **smtp_options: object) -> tuple[Mailbox, Controller]:
    mailbox = Mailbox(host, free_port(host))
    if smtp_options.pop("with_auth", False):
        smtp_options.update(authenticator=mailbox.authenticate, auth_required=True)
    controller = Controller(mailbox, hostname=host, port=mailbox.port, **smtp_options)
    controller.start()
    return mailbox, controller


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    """An open SMTP relay on 127.0.0.1 (no TLS, no login), recording every message."""
    mailbox, controller = start_mailbox()
    yield mailbox
    controller.stop()


@pytest.fixture
def smtp_with_login() -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 that requires AUTH (LOGIN or PLAIN) as SMTP_USER / SMTP_PASSWORD, without TLS."""
    mailbox, controller = start_mailbox(with_auth=True, auth_require_tls=False)
    yield mailbox
    controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by the openssl command; the test skips without it)."""
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    command += ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    command += [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,digitalSignature,keyCertSign",
    ]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


@pytest.fixture
def smtp_with_starttls(certificate: tuple[Path, Path]) -> Iterator[Mailbox]:
    """An SMTP server that offers STARTTLS and accepts AUTH only after it, like a real submission server."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    mailbox, controller = start_mailbox(with_auth=True, tls_context=context)
    yield mailbox
    controller.stop()


def json_url(server: WebhookServer) -> str:
    """The apprise URL of the test webhook: json:// posts apprise's JSON body to the path (here, the token)."""
    return f"json://127.0.0.1:{server.server_address[1]}{WEBHOOK_PATH}"


def mail_url(
    mailbox: Mailbox, login: tuple[str, str] | None = None, scheme: str = "mailto", port: int | None = None
) -> str:
    """The apprise URL that mails ops@ and data-team@ through the test server (mailto:// plain, mailtos:// TLS)."""
    auth = f"{quote(login[0], safe='')}:{quote(login[1], safe='')}@" if login else ""
    recipients = "ops@example.com/data-team@example.com"
    return f"{scheme}://{auth}{mailbox.host}:{port or mailbox.port}/{recipients}?from=warehouse@example.com"


def urls(*entries: str, success: tuple[str, ...] = ()) -> dict[str, str]:
    env = {"WAREHOUSE_ALERT_URLS": ", ".join(entries)}
    if success:
        env["WAREHOUSE_ALERT_SUCCESS_URLS"] = " ".join(success)
    return env


def ingest_failure(run_id: str = "run-2024-06-01-0300") -> Alert:
    error = WarehouseError(
        "customers file data/landing/customers/export_0601.csv, line 17: unterminated quote",
        hint="fix or remove the file, then run `warehouse run` again.",
    )
    [alert] = alerts_for_run(
        status="failed", error=str(error), step="ingest", run_id=run_id, command="warehouse run", seconds=83.4
    )
    return alert


def success(env: dict[str, str]) -> Alert:
    [alert] = alerts_for_run(status="success", status_counts={"success": 40, "pass": 150}, run_id="r1", env=env)
    return alert


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.get_records("call") if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------------------------------------------------------
# delivery, through apprise


def test_a_failed_run_reaches_the_webhook_and_every_email_recipient(webhook: WebhookServer, smtp: Mailbox) -> None:
    deliveries = send_alert(ingest_failure(), urls(json_url(webhook), mail_url(smtp)))

    port = webhook.server_address[1]
    assert [(d.channel, d.ok, d.sent) for d in deliveries] == [
        (f"json://127.0.0.1:{port}", True, True),
        (f"mailto://127.0.0.1:{smtp.port}", True, True),
    ]
    [request] = webhook.requests
    assert request.method == "POST"
    assert request.path == WEBHOOK_PATH
    assert request.headers["Content-Type"].startswith("application/json")
    payload = request.json
    assert payload["title"] == "[warehouse FAILED] warehouse run failed: ingest"
    assert payload["type"] == "failure"
    assert payload["message"].startswith("failed step: ingest\n")
    for expected in ("export_0601.csv, line 17", "what to do: fix or remove", "run id: run-2024-06-01-0300"):
        assert expected in payload["message"]
    assert "duration: 1 min 23 s" in payload["message"]

    assert sorted(r for mail in smtp.mails for r in mail.recipients) == ["data-team@example.com", "ops@example.com"]
    for mail in smtp.mails:  # apprise sends one message per recipient
        assert mail.sender == "warehouse@example.com"
        assert mail.message["Subject"] == "[warehouse FAILED] warehouse run failed: ingest"
        assert mail.message.get_content_type() == "text/plain"
        body = mail.body
        assert body.startswith("failed step: ingest\n")
        assert "what to do: fix or remove the file, then run `warehouse run` again." in body
        assert "command: warehouse run" in body
        assert "run id: run-2024-06-01-0300" in body


@pytest.mark.parametrize("asks", ["webhook", "email", "neither", "webhook in both lists"])
def test_a_success_summary_goes_only_to_channels_that_ask_for_it(
    asks: str, webhook: WebhookServer, smtp: Mailbox
) -> None:
    hook, mail = json_url(webhook), mail_url(smtp)
    env = {
        "webhook": urls(mail, success=(hook,)),
        "email": urls(hook, success=(mail,)),
        "neither": urls(hook, mail),
        "webhook in both lists": urls(hook, mail, success=(hook,)),
    }[asks]

    deliveries = send_alert(success(env), env)

    assert len(deliveries) == 2, "one delivery per channel, even for a URL in both lists"
    assert len(webhook.requests) == (1 if asks.startswith("webhook") else 0)
    assert len(smtp.mails) == (2 if asks == "email" else 0)
    assert all(d.ok for d in deliveries)
    skipped = [d for d in deliveries if not d.sent]
    assert len(skipped) == (2 if asks == "neither" else 1)
    assert all("WAREHOUSE_ALERT_SUCCESS_URLS" in d.detail for d in skipped)
    if asks == "email":
        assert smtp.mails[0].message["Subject"] == "[warehouse OK] warehouse run succeeded"
        assert "dbt: 40 success, 150 pass" in smtp.mails[0].body
    if asks.startswith("webhook"):
        assert webhook.requests[0].json["type"] == "success"


@pytest.mark.parametrize(("threshold", "alerted"), [(None, True), ("1", True), ("2", False), ("3", False)])
def test_warned_tests_alert_only_above_the_threshold(
    threshold: str | None, alerted: bool, webhook: WebhookServer
) -> None:
    env = urls(json_url(webhook))
    if threshold is not None:
        env["WAREHOUSE_ALERT_WARN_THRESHOLD"] = threshold

    [alert] = alerts_for_run(status="success", status_counts={"pass": 150, "warn": 2}, run_id="r7", env=env)
    send_alert(alert, env)

    if alerted:
        [request] = webhook.requests
        expected = f"[warehouse WARNING] warehouse tests warned: 2 warnings (threshold {threshold or 0})"
        assert request.json["title"] == expected
        assert request.json["type"] == "warning"
        assert "dbt: 150 pass, 2 warn" in request.json["message"]
    else:
        assert alert.kind == "run_succeeded"
        assert f"2 warned test(s), within the threshold of {threshold}" in alert.details
        assert webhook.requests == []


def test_without_a_channel_nothing_is_sent_and_one_line_says_so(caplog: pytest.LogCaptureFixture) -> None:
    stale = Alert("sources_stale", "warehouse sources stale: crm.customers", [])
    deliveries = send_alerts([ingest_failure(), stale], {"WAREHOUSE_ALERT_URLS": " "})

    assert deliveries == []
    [record] = caplog.get_records("call")
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "no alert channel configured" in message
    assert "WAREHOUSE_ALERT_URLS" in message
    assert "warehouse run failed: ingest" in message and "warehouse sources stale" in message


def test_the_old_variables_are_named_in_one_warning_and_not_used(
    webhook: WebhookServer, caplog: pytest.LogCaptureFixture
) -> None:
    old = {
        "WAREHOUSE_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{webhook.server_address[1]}{WEBHOOK_PATH}",
        "WAREHOUSE_ALERT_EMAIL_TO": "ops@example.com",
        "WAREHOUSE_SMTP_HOST": "smtp.example.com",
        "WAREHOUSE_SMTP_PASSWORD": SMTP_PASSWORD,
    }

    assert send_alert(ingest_failure(), old) == []
    assert webhook.requests == []
    [line] = warnings_logged(caplog)
    for name in (*old, "WAREHOUSE_ALERT_URLS", "mailtos://"):
        assert name in line
    assert "no longer read" in line
    caplog.clear()

    [delivery] = send_alert(ingest_failure(), {**old, **urls(json_url(webhook))})  # the new variable still sends

    assert delivery.ok and len(webhook.requests) == 1
    assert len(warnings_logged(caplog)) == 1


def test_a_webhook_answering_500_is_a_failed_delivery_logged_without_its_token(
    webhook: WebhookServer, smtp: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    webhook.status = 500

    webhook_delivery, email_delivery = send_alert(ingest_failure(), urls(json_url(webhook), mail_url(smtp)))

    assert not webhook_delivery.ok
    assert f"json://127.0.0.1:{webhook.server_address[1]}" in webhook_delivery.detail
    assert "error=500" in webhook_delivery.detail
    assert "no_service" in webhook_delivery.detail  # what the service answered: the clue to the fix
    assert WEBHOOK_PATH not in webhook_delivery.detail
    assert email_delivery.ok and len(smtp.mails) == 2  # one broken channel does not stop the other
    [warning] = warnings_logged(caplog)  # ours only: apprise's own lines (some name the full URL) are kept apart
    assert f"not delivered to json://127.0.0.1:{webhook.server_address[1]}: " in warning
    assert "error=500" in warning


def test_unreachable_channels_fail_quietly_without_leaking_secrets(caplog: pytest.LogCaptureFixture) -> None:
    closed = free_port()
    mailbox = Mailbox("127.0.0.1", closed)
    env = urls(
        f"json://127.0.0.1:{closed}{WEBHOOK_PATH}",
        mail_url(mailbox, login=(SMTP_USER, SMTP_PASSWORD), scheme="mailtos"),
    )

    deliveries = send_alert(ingest_failure(), env)

    assert [(d.channel, d.ok) for d in deliveries] == [
        (f"json://127.0.0.1:{closed}", False),
        (f"mailtos://alerts:****@127.0.0.1:{closed}", False),
    ]
    assert all("Connection refused" in d.detail for d in deliveries)
    for secret in SECRETS:
        assert secret not in repr(deliveries)
    assert len(warnings_logged(caplog)) == 2


def test_email_logs_in_when_the_url_has_a_user(smtp_with_login: Mailbox) -> None:
    env = urls(mail_url(smtp_with_login, login=(SMTP_USER, SMTP_PASSWORD)))  # plain SMTP: allowed on loopback

    [delivery] = send_alert(ingest_failure(), env)

    assert delivery.ok, delivery.detail
    assert [mail.login for mail in smtp_with_login.mails] == [SMTP_USER, SMTP_USER]
    assert smtp_with_login.mails[0].message["Subject"] == "[warehouse FAILED] warehouse run failed: ingest"


def test_a_wrong_smtp_password_is_a_failed_delivery_that_says_so(smtp_with_login: Mailbox) -> None:
    env = urls(mail_url(smtp_with_login, login=(SMTP_USER, SMTP_PASSWORD + "-old")))

    [delivery] = send_alert(ingest_failure(), env)

    assert not delivery.ok
    assert "answered 535" in delivery.detail and "check the user and password" in delivery.detail
    assert SMTP_PASSWORD not in delivery.detail
    assert smtp_with_login.logins and smtp_with_login.mails == []


def test_mailtos_uses_starttls_and_verifies_the_certificate(
    smtp_with_starttls: Mailbox, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = urls(mail_url(smtp_with_starttls, login=(SMTP_USER, SMTP_PASSWORD), scheme="mailtos"))

    [untrusted] = send_alert(ingest_failure(), env)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # OpenSSL's own variable: trust the test certificate
    [trusted] = send_alert(ingest_failure(), env)

    assert not untrusted.ok
    assert "certificate verify failed" in untrusted.detail
    assert trusted.ok, trusted.detail
    assert len(smtp_with_starttls.mails) == 2  # only the verified connection delivered
    assert all(mail.tls and mail.login == SMTP_USER for mail in smtp_with_starttls.mails)


def test_mailtos_never_logs_in_without_tls(smtp_with_login: Mailbox) -> None:
    """apprise's mailtos:// requires STARTTLS: a server that does not offer it never sees the password."""
    env = urls(mail_url(smtp_with_login, login=(SMTP_USER, SMTP_PASSWORD), scheme="mailtos"))

    [delivery] = send_alert(ingest_failure(), env)

    assert not delivery.ok
    assert "STARTTLS" in delivery.detail
    assert smtp_with_login.logins == [] and smtp_with_login.mails == []


def test_the_smtp_password_is_not_sent_unencrypted_to_a_remote_server() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no non-loopback IPv4 address on this machine")
    mailbox, controller = start_mailbox(address, with_auth=True, auth_require_tls=False)
    try:
        env = urls(mail_url(mailbox, login=(SMTP_USER, SMTP_PASSWORD)))
        [delivery] = send_alert(ingest_failure(), env)
    finally:
        controller.stop()

    assert not delivery.ok and not delivery.sent
    assert "would send the SMTP password unencrypted" in delivery.detail and "mailtos://" in delivery.detail
    assert mailbox.logins == [] and mailbox.mails == []


def test_secrets_in_the_error_text_never_leave_the_machine(webhook: WebhookServer, smtp: Mailbox) -> None:
    credentials = f"postgresql://reader:{SOURCE_PASSWORD}@shop-db.example.com:5432/shop"
    env = {**urls(json_url(webhook), mail_url(smtp)), "SOURCES__TRANSACTIONS__CREDENTIALS": credentials}
    [alert] = alerts_for_run(
        status="failed",
        step="ingest",
        error=f"cannot connect to {credentials}: password authentication failed for <reader> at {WEBHOOK_PATH}",
    )

    send_alert(alert, env)

    payload = webhook.requests[0].body.decode()
    body = smtp.mails[0].body
    for received in (payload, body):
        assert SOURCE_PASSWORD not in received
        assert WEBHOOK_PATH not in received  # an alert URL's token is a secret too
        assert "password authentication failed" in received
    assert "for <reader>" in webhook.requests[0].json["message"] and "for <reader>" in body


def test_a_misconfigured_channel_is_reported_and_the_other_still_sends(webhook: WebhookServer) -> None:
    env = urls(json_url(webhook), "mailto://127.0.0.1:25/ops@example.com?from=warehouse")  # no valid sender

    deliveries = send_alert(ingest_failure(), env)

    broken = {d.channel: d for d in deliveries if not d.ok}
    assert list(broken) == ["WAREHOUSE_ALERT_URLS entry 2 (mailto://)"]
    assert "Invalid ~From~ email" in broken["WAREHOUSE_ALERT_URLS entry 2 (mailto://)"].detail
    assert [d.ok for d in deliveries if d.channel.startswith("json://")] == [True]
    assert len(webhook.requests) == 1
    with pytest.raises(WarehouseError, match="WAREHOUSE_ALERT_URLS entry 2"):
        channels_from_env(env)


def test_channels_come_from_the_environment_and_hide_their_secrets() -> None:
    slack_token = "xoxbWebhookTokenAbc123"  # Slack's third token is letters and digits
    slack = f"https://hooks.slack.com/services/T0SECRET/B0SECRET/{slack_token}"
    login = f"{quote(SMTP_USER, safe='')}:{SMTP_PASSWORD}"
    env = urls(slack, success=(f"mailtos://{login}@smtp.example.com/ops@example.com?from=warehouse@example.com",))

    hook, mail = channels_from_env(env)

    assert (hook.name, hook.on_success) == ("slack://T...T", False)  # apprise's privacy form, before the path
    assert (mail.name, mail.on_success) == ("mailtos://alerts:****@smtp.example.com", True)
    for secret in (*SECRETS, slack_token):
        assert secret not in repr([hook, mail])
    assert channels_from_env({}) == []


# ---------------------------------------------------------------------------------------------------------------
# what the alerts of a run say


def test_failing_tests_make_one_tests_failed_alert_and_stale_sources_another() -> None:
    failing = [f"test.customer_warehouse.not_null_dim_customers_c{i}" for i in range(12)]
    outcome, stale = alerts_for_run(
        status="failed",
        error="`dbt build` failed (exit code 1)",
        step="dbt build",
        status_counts={"success": 40, "pass": 150, "warn": 2, "fail": 12, "error": 0},
        failing_tests=failing,
        stale_sources=["crm.customers: error (last load 72.0 h ago)", "shop.transactions: warn (last load 30.1 h ago)"],
        run_id="r9",
        seconds=7.25,
    )

    assert outcome.kind == "tests_failed"
    assert outcome.title == "warehouse tests failed: 12 failing"
    assert f"failed: {failing[0]}" in outcome.details
    assert "... and 2 more" in outcome.details  # ten named, the rest counted
    assert any(line.startswith("what to do:") for line in outcome.details)
    assert "dbt: 40 success, 150 pass, 2 warn, 12 fail, 0 error" in outcome.details
    assert "duration: 7.2 s" in outcome.details
    assert stale.kind == "sources_stale"
    assert stale.title == "warehouse sources stale: crm.customers, shop.transactions"
    assert "stale source: crm.customers: error (last load 72.0 h ago)" in stale.details
    assert stale.run_id == "r9"


def test_a_dbt_error_is_a_run_failure_even_with_failing_tests() -> None:
    [outcome] = alerts_for_run(
        status="failed",
        error="`dbt build` failed (exit code 1): model.customer_warehouse.dim_customers: relation does not exist",
        step="dbt build",
        status_counts={"success": 3, "error": 1, "fail": 1, "skipped": 30},
        failing_tests=["test.customer_warehouse.unique_dim_customers_customer_id"],
    )

    assert outcome.kind == "run_failed"
    assert outcome.title == "warehouse run failed: dbt build"
    assert any("relation does not exist" in line for line in outcome.details)
    assert "failed: test.customer_warehouse.unique_dim_customers_customer_id" in outcome.details


def test_an_unknown_alert_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="run_failed"):
        Alert("run_failure", "typo", [])


def test_a_run_record_supplies_the_counts_tests_sources_and_run_id() -> None:
    record = RunRecord(
        run_id="5f0c2a9e31b4",
        trigger="schedule",
        command="refresh",
        dbt_status_counts={"success": 41, "pass": 150, "warn": 3},
        stale_sources=["crm.customers: warn (last load 30.1 h ago)"],
    )

    outcome, stale = alerts_for_run(record=record, status="success", threshold=2)
    failure, _stale = alerts_for_run(
        record=record, status="failed", error="cannot reach the transactions source database"
    )

    assert outcome.title == "warehouse tests warned: 3 warnings (threshold 2)"
    assert outcome.run_id == stale.run_id == "5f0c2a9e31b4"
    assert "command: warehouse refresh" in outcome.details
    assert stale.title == "warehouse sources stale: crm.customers"
    assert failure.title == "warehouse refresh failed"
    assert "cannot reach the transactions source database" in failure.details


def test_a_run_that_cannot_reach_its_database_alerts_too(
    webhook: WebhookServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The refresh workflow adds no alert when `warehouse refresh` fails: the run alerts even before it starts."""
    from warehouse import job
    from warehouse.settings import load_settings

    monkeypatch.setenv("WAREHOUSE_HOST", "127.0.0.1")
    monkeypatch.setenv("WAREHOUSE_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("WAREHOUSE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("WAREHOUSE_ALERT_URLS", json_url(webhook))

    with pytest.raises(WarehouseError, match="cannot connect"), job.logged_run(load_settings(), "refresh"):
        pytest.fail("the run must not start without its database")

    [request] = webhook.requests
    assert request.json["title"] == "[warehouse FAILED] warehouse refresh failed"
    assert "command: warehouse refresh" in request.json["message"]
