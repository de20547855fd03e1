"""Alerts: tell whoever runs the warehouse that a run failed, tests failed or warned, or sources went stale.

Channels are configured only by environment variables (see docs/alerts.md): an HTTP webhook that takes
Slack-compatible JSON, and email over SMTP. `send_alert` never raises, so a broken alert channel cannot mask the
run's own error, and no secret (webhook URL, SMTP password, any *PASSWORD/*TOKEN/*CREDENTIALS value) ever reaches a
log line, an exception, a delivery result or the alert text itself.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from warehouse.errors import WarehouseError

logger = logging.getLogger("warehouse.alerts")

TIMEOUT_SECONDS = 10.0

SEVERITY_TAGS = {
    "run_failed": "FAILED",
    "tests_failed": "FAILED",
    "tests_warned": "WARNING",
    "sources_stale": "STALE",
    "run_succeeded": "OK",
}
KINDS = tuple(SEVERITY_TAGS)

# Env vars whose values are secrets: never logged, and blanked out of anything an alert sends.
_SECRET_NAME_PARTS = ("PASSWORD", "SECRET", "TOKEN", "CREDENTIALS", "API_KEY", "WEBHOOK_URL")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
_MAX_LISTED = 10  # failing tests / stale sources listed by name; the rest are counted
_MAX_ERROR_LINES = 8
_MAX_LINE_CHARS = 300


@dataclass(frozen=True)
class Alert:
    """One message for the people running the warehouse: a one-line title and a few short detail lines."""

    kind: str  # one of KINDS
    title: str
    details: list[str]
    run_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SEVERITY_TAGS:
            raise ValueError(f"unknown alert kind {self.kind!r}; use one of {', '.join(KINDS)}")

    @property
    def tag(self) -> str:
        """The severity tag that prefixes the subject, e.g. "[warehouse FAILED]"."""
        return f"[warehouse {SEVERITY_TAGS[self.kind]}]"

    @property
    def is_success(self) -> bool:
        return self.kind == "run_succeeded"


@dataclass(frozen=True)
class Delivery:
    """What happened to an alert on one channel. `ok` is False only for a failed delivery; `sent` is False when the
    channel skipped it (a success summary on a channel without *_ON_SUCCESS=true, or a misconfigured channel)."""

    channel: str
    ok: bool
    detail: str
    sent: bool = True


class Channel:
    """A configured alert channel: `target` is safe to log, `send` raises on failure (send_alert catches it)."""

    name: str = "channel"
    on_success: bool = False
    on_success_variable: str = ""

    @property
    def target(self) -> str:
        raise NotImplementedError

    def secrets(self) -> list[str]:
        return []

    def send(self, alert: Alert, text: Redactor) -> str:
        """Deliver the alert; return a short description of what was done."""
        raise NotImplementedError


@dataclass(frozen=True)
class WebhookChannel(Channel):
    """HTTP POST of Slack-compatible JSON. The URL is a secret (its path is the token): only scheme://host shows."""

    url: str = field(repr=False)
    on_success: bool = False
    timeout: float = TIMEOUT_SECONDS
    name = "webhook"
    on_success_variable = "WAREHOUSE_ALERT_WEBHOOK_ON_SUCCESS"

    @property
    def target(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or "?"
        if ":" in host:
            host = f"[{host}]"
        return f"webhook {parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")

    def secrets(self) -> list[str]:
        parts = urlsplit(self.url)
        hidden = [self.url, parts.path + (f"?{parts.query}" if parts.query else ""), parts.query]
        if parts.password:
            hidden.append(parts.password)
        return [value for value in hidden if len(value) > 1]

    def send(self, alert: Alert, text: Redactor) -> str:
        body = json.dumps(slack_payload(alert, text)).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "customer-warehouse-alerts"},
        )
        opener = urllib.request.build_opener(_NoRedirects())
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            answer = error.read(200).decode("utf-8", "replace").strip()
            reason = f"answered HTTP {error.code} {error.reason}" + (f": {answer}" if answer else "")
            raise _DeliveryFailed(reason) from None
        if not 200 <= status < 300:
            raise _DeliveryFailed(f"answered HTTP {status}")
        return f"sent to {self.target} (HTTP {status})"


@dataclass(frozen=True)
class EmailChannel(Channel):
    """Plain-text email over SMTP: implicit TLS on port 465, else STARTTLS when the server offers it."""

    host: str
    port: int
    recipients: tuple[str, ...]
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    on_success: bool = False
    timeout: float = TIMEOUT_SECONDS
    name = "email"
    on_success_variable = "WAREHOUSE_ALERT_EMAIL_ON_SUCCESS"

    @property
    def target(self) -> str:
        return f"email smtp://{self.host}:{self.port}"

    def secrets(self) -> list[str]:
        return [self.password] if self.password else []

    def send(self, alert: Alert, text: Redactor) -> str:
        message = email_message(alert, self.sender, self.recipients, text)
        context = ssl.create_default_context()
        if self.port == 465:
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            client.ehlo()
            encrypted = self.port == 465
            if not encrypted and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
                encrypted = True
            if self.user:
                if not encrypted and not _is_loopback(self.host):
                    raise _DeliveryFailed(
                        "the server offers no STARTTLS: refusing to send the SMTP password unencrypted "
                        "(use port 465 or a server with STARTTLS)"
                    )
                client.login(self.user, self.password or "")
            refused = client.send_message(message, from_addr=self.sender, to_addrs=list(self.recipients))
        accepted = len(self.recipients) - len(refused)
        how = ("TLS" if encrypted else "no TLS") + (f", login {self.user}" if self.user else "")
        note = f"; refused: {', '.join(sorted(refused))}" if refused else ""
        return f"sent to {accepted} recipient(s) via {self.target} ({how}){note}"


class Redactor:
    """Blanks every known secret out of a text (longest first, so a URL goes before its path)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({value for value in secrets if value and len(value) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class _DeliveryFailed(Exception):
    """A delivery failure whose message is already safe to show."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is misconfigured: fail (as a non-2xx answer) instead of re-posting elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl) -> None:
        return None


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def env_secrets(env: Mapping[str, str]) -> list[str]:
    """Values of env vars that hold secrets, plus passwords embedded in URL-valued ones."""
    found = []
    for name, value in env.items():
        if value and any(part in name.upper() for part in _SECRET_NAME_PARTS):
            found.append(value)
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password:
                found.append(password)
    return found


# ---------------------------------------------------------------------------------------------------------------
# configuration


def _flag(env: Mapping[str, str], name: str, problems: list[str]) -> bool:
    value = env.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        problems.append(f"{name}={env[name]!r} is not a boolean: use true or false (taken as false)")
    return False


def warn_threshold(env: Mapping[str, str] | None = None) -> int:
    """WAREHOUSE_ALERT_WARN_THRESHOLD: warned tests alert only when their count is above it (default 0)."""
    env = os.environ if env is None else env
    value = env.get("WAREHOUSE_ALERT_WARN_THRESHOLD", "").strip()
    if not value:
        return 0
    try:
        threshold = int(value)
        if threshold < 0:
            raise ValueError(value)
    except ValueError:
        logger.warning(
            "WAREHOUSE_ALERT_WARN_THRESHOLD=%r is not a whole number >= 0: using 0 (any warned test alerts)", value
        )
        return 0
    return threshold


def _configure(env: Mapping[str, str]) -> tuple[list[Channel], dict[str, str]]:
    """The configured channels, and for each misconfigured channel what is wrong (never a secret)."""
    channels: list[Channel] = []
    broken: dict[str, str] = {}

    url = env.get("WAREHOUSE_ALERT_WEBHOOK_URL", "").strip()
    if url:
        problems: list[str] = []
        on_success = _flag(env, "WAREHOUSE_ALERT_WEBHOOK_ON_SUCCESS", problems)
        try:
            parts = urlsplit(url)
            usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            usable = False
        if usable:
            channels.append(WebhookChannel(url=url, on_success=on_success))
            for problem in problems:
                logger.warning("alert channel webhook: %s", problem)
        else:
            broken["webhook"] = (
                "WAREHOUSE_ALERT_WEBHOOK_URL is not an http(s) URL with a host: set it to the full URL the chat "
                "service gave you, e.g. https://hooks.slack.com/services/..."
            )

    recipients_value = env.get("WAREHOUSE_ALERT_EMAIL_TO", "").strip()
    if recipients_value:
        problems = []
        on_success = _flag(env, "WAREHOUSE_ALERT_EMAIL_ON_SUCCESS", problems)
        recipients = tuple(address.strip() for address in recipients_value.split(",") if address.strip())
        host = env.get("WAREHOUSE_SMTP_HOST", "").strip()
        user = env.get("WAREHOUSE_SMTP_USER", "").strip() or None
        password = env.get("WAREHOUSE_SMTP_PASSWORD") or None
        port_value = env.get("WAREHOUSE_SMTP_PORT", "").strip()
        sender = env.get("WAREHOUSE_ALERT_EMAIL_FROM", "").strip() or f"warehouse@{socket.gethostname()}"
        bad_addresses = [address for address in recipients if "@" not in address]
        port = 587 if user else 25
        if port_value:
            port = int(port_value) if port_value.isdigit() and 0 < int(port_value) < 65536 else -1
        if not host:
            broken["email"] = "WAREHOUSE_ALERT_EMAIL_TO is set but WAREHOUSE_SMTP_HOST is not: set the SMTP server"
        elif port < 0:
            broken["email"] = f"WAREHOUSE_SMTP_PORT={port_value!r} is not a port number: use e.g. 587, 465 or 25"
        elif bad_addresses:
            broken["email"] = (
                f"WAREHOUSE_ALERT_EMAIL_TO holds {', '.join(repr(a) for a in bad_addresses)}, not an email address: "
                "use a comma-separated list like ops@example.com,data@example.com"
            )
        else:
            if password and not user:
                problems.append("WAREHOUSE_SMTP_PASSWORD is set without WAREHOUSE_SMTP_USER: sending without login")
            channels.append(
                EmailChannel(
                    host=host,
                    port=port,
                    recipients=recipients,
                    sender=sender,
                    user=user,
                    password=password if user else None,
                    on_success=on_success,
                )
            )
            for problem in problems:
                logger.warning("alert channel email: %s", problem)
    return channels, broken


def channels_from_env(env: Mapping[str, str] | None = None) -> list[Channel]:
    """The alert channels the environment configures (possibly none); a misconfigured one raises WarehouseError."""
    channels, broken = _configure(os.environ if env is None else env)
    if broken:
        raise WarehouseError(
            "alert channel misconfigured: " + "; ".join(f"{name}: {problem}" for name, problem in broken.items()),
            hint="fix or unset the variables named above (see docs/alerts.md).",
        )
    return channels


# ---------------------------------------------------------------------------------------------------------------
# rendering


def _details_with_run_id(alert: Alert) -> list[str]:
    details = list(alert.details)
    if alert.run_id and not any(alert.run_id in line for line in details):
        details.append(f"run id: {alert.run_id}")
    return details


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(alert: Alert, text: Redactor | None = None) -> dict:
    """The webhook body: `text` (the notification and the fallback) plus Slack blocks (header, section, context)."""
    text = text or Redactor([])
    title = " ".join(text(f"{alert.tag} {alert.title}").split())
    details = [text(line) for line in _details_with_run_id(alert)]
    section = "\n".join(f"• {_slack_escape(line)}" for line in details) or "(no details)"
    return {
        "text": _clip("\n".join(_slack_escape(line) for line in [title, *details]), 3900),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": _clip(title, 150), "emoji": False}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(section, 3000)}},
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": _slack_escape(f"customer warehouse on {socket.gethostname()}")}
                ],
            },
        ],
    }


def email_message(alert: Alert, sender: str, recipients: Sequence[str], text: Redactor | None = None) -> EmailMessage:
    """The email: subject = severity tag + title, plain-text body = title and one detail per line."""
    text = text or Redactor([])
    message = EmailMessage()
    message["Subject"] = " ".join(text(f"{alert.tag} {alert.title}").split())
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    body = [text(alert.title), "", *(text(line) for line in _details_with_run_id(alert))]
    body += ["", f"-- sent by the customer warehouse on {socket.gethostname()}"]
    message.set_content("\n".join(body) + "\n")
    return message


# ---------------------------------------------------------------------------------------------------------------
# sending


def send_alerts(alerts: Sequence[Alert], env: Mapping[str, str] | None = None) -> list[Delivery]:
    """Send each alert to every configured channel; never raises. With no channel: one log line, nothing sent."""
    try:
        env = os.environ if env is None else env
        channels, broken = _configure(env)
        redact = Redactor([*env_secrets(env), *(secret for channel in channels for secret in channel.secrets())])
        if not channels and not broken:
            if alerts:
                logger.info(
                    "no alert channel configured (set WAREHOUSE_ALERT_WEBHOOK_URL or WAREHOUSE_ALERT_EMAIL_TO): "
                    "not sent: %s",
                    redact("; ".join(alert.title for alert in alerts)),
                )
            return []
        deliveries = []
        for alert in alerts:
            for name, problem in broken.items():
                logger.warning("alert %s not sent by %s: %s", alert.kind, name, problem)
                deliveries.append(Delivery(name, ok=False, detail=f"not sent: {problem}", sent=False))
            deliveries += [_deliver(alert, channel, redact) for channel in channels]
        return deliveries
    except Exception as error:  # an alert must never mask the run's own error
        logger.warning("alerts not sent: unexpected %s", type(error).__name__)
        return [Delivery("alerts", ok=False, detail=f"not sent: unexpected {type(error).__name__}", sent=False)]


def send_alert(alert: Alert, env: Mapping[str, str] | None = None) -> list[Delivery]:
    """Send one alert to every configured channel and return a Delivery per channel; never raises."""
    return send_alerts([alert], env)


def _deliver(alert: Alert, channel: Channel, redact: Redactor) -> Delivery:
    if alert.is_success and not channel.on_success:
        return Delivery(
            channel.name,
            ok=True,
            detail=f"not sent: success summaries need {channel.on_success_variable}=true",
            sent=False,
        )
    try:
        done = channel.send(alert, redact)
    except Exception as error:
        reason = redact(_reason(error))
        logger.warning("alert %s not delivered to %s: %s", alert.kind, channel.target, reason)
        return Delivery(channel.name, ok=False, detail=f"failed: {channel.target}: {reason}")
    logger.info("alert %s %s", alert.kind, done)
    return Delivery(channel.name, ok=True, detail=done)


def _reason(error: Exception) -> str:
    """A one-line, human reason for a failed delivery."""
    if isinstance(error, _DeliveryFailed):
        return str(error)
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused (is the URL's host and port right?)"
        if isinstance(reason, socket.gaierror):
            return "host name not found"
        if isinstance(reason, TimeoutError):
            return f"no answer within {TIMEOUT_SECONDS:.0f} s"
        return f"cannot connect: {reason}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"login refused by the SMTP server ({error.smtp_code}): "
            "check WAREHOUSE_SMTP_USER and WAREHOUSE_SMTP_PASSWORD"
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"the SMTP server does not support this: {error}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"every recipient refused: {', '.join(sorted(error.recipients))}"
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error
        return f"SMTP server answered {error.smtp_code} {message}"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {getattr(error, 'verify_message', None) or error.reason or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the host and port right?)"
    if isinstance(error, socket.gaierror):
        return "host name not found"
    if isinstance(error, TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS:.0f} s"
    return f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------------------------------------------------------
# alerts of a finished run


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _listed(label: str, names: Sequence[str]) -> list[str]:
    lines = [f"{label}: {_clip(name, _MAX_LINE_CHARS)}" for name in names[:_MAX_LISTED]]
    if len(names) > _MAX_LISTED:
        lines.append(f"... and {len(names) - _MAX_LISTED} more")
    return lines


def _counts_line(counts: Mapping[str, int]) -> str | None:
    order = ["success", "pass", "warn", "fail", "error", "skipped"]
    keys = [key for key in order if key in counts] + sorted(key for key in counts if key not in order)
    return "dbt: " + ", ".join(f"{counts[key]} {key}" for key in keys) if keys else None


def alerts_for_run(
    *,
    status: str,
    error: str | None = None,
    step: str | None = None,
    status_counts: Mapping[str, int] | None = None,
    failing_tests: Sequence[str] | None = None,
    stale_sources: Sequence[str] | None = None,
    run_id: str | None = None,
    command: str | None = None,
    seconds: float | None = None,
    threshold: int | None = None,
    record: object | None = None,
    env: Mapping[str, str] | None = None,
) -> list[Alert]:
    """The alerts for a finished run: one for its outcome, plus one when sources are stale.

    The outcome is the most severe of: run_failed (status is not "success"/"succeeded"/"ok", or dbt errors),
    tests_failed (dbt tests failed), tests_warned (more warned tests than the threshold, from
    WAREHOUSE_ALERT_WARN_THRESHOLD unless given) and run_succeeded. A run record (warehouse.run_log.RunRecord, or
    anything with its attribute names) supplies what the keyword arguments leave out.
    """
    if record is not None:
        status_counts = status_counts if status_counts is not None else getattr(record, "dbt_status_counts", None)
        failing_tests = failing_tests if failing_tests is not None else getattr(record, "failing_tests", None)
        stale_sources = stale_sources if stale_sources is not None else getattr(record, "stale_sources", None)
        run_id = run_id or getattr(record, "run_id", None)
        command = command or getattr(record, "command", None)
        seconds = seconds if seconds is not None else getattr(record, "duration_seconds", None)
    failing_tests, stale_sources = list(failing_tests or []), list(stale_sources or [])
    if command and not command.startswith("warehouse"):
        command = f"warehouse {command}"
    counts = dict(status_counts or {})
    failed = status.strip().lower() not in ("success", "succeeded", "ok")
    n_fail, n_error, n_warn = counts.get("fail", 0), counts.get("error", 0), counts.get("warn", 0)
    limit = warn_threshold(env) if threshold is None else threshold
    what_ran = command or "warehouse run"

    tail = [line for line in [_counts_line(counts)] if line]
    if command:
        tail.append(f"command: {command}")
    if run_id:
        tail.append(f"run id: {run_id}")
    if seconds is not None:
        tail.append(f"duration: {_duration(float(seconds))}")
    tests = _listed("failed", failing_tests)

    if failed and (n_error or not (n_fail or failing_tests)):
        lines = [line.strip() for line in (error or "").splitlines() if line.strip()]
        error_lines = [_clip(line, _MAX_LINE_CHARS) for line in lines[:_MAX_ERROR_LINES]]
        if len(lines) > _MAX_ERROR_LINES:
            error_lines.append(f"... {len(lines) - _MAX_ERROR_LINES} more lines in the run's log")
        if not error_lines:
            error_lines = ["error: no error text was recorded; see the run's log"]
        where = [f"failed step: {step}"] if step else []
        title = f"{what_ran} failed: {step}" if step else f"{what_ran} failed"
        outcome = Alert("run_failed", title, [*where, *error_lines, *tests, *tail], run_id)
    elif n_fail or failing_tests:
        count = max(n_fail, len(failing_tests))
        what_to_do = (
            "what to do: failing rows are stored in the schema test_failures; fix the source data or the model, "
            "then run `warehouse build` again"
        )
        outcome = Alert("tests_failed", f"warehouse tests failed: {count} failing", [*tests, what_to_do, *tail], run_id)
    elif n_warn > limit:
        what_to_do = (
            "what to do: the run finished and the marts are updated; look at the warned tests' rows in the schema "
            "test_failures (raise WAREHOUSE_ALERT_WARN_THRESHOLD to tolerate more warnings)"
        )
        title = f"warehouse tests warned: {n_warn} warnings (threshold {limit})"
        outcome = Alert("tests_warned", title, [what_to_do, *tail], run_id)
    else:
        note = [f"{n_warn} warned test(s), within the threshold of {limit}"] if n_warn else []
        outcome = Alert("run_succeeded", f"{what_ran} succeeded", [*note, *tail], run_id)

    alerts = [outcome]
    if stale_sources:
        names = stale_sources
        short = [name.split(": ", 1)[0] for name in names]  # "crm.customers: error (last load 72 h ago)"
        shown = ", ".join(short[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        what_to_do = (
            "what to do: check that the source systems still deliver (new CRM files in the landing folder, "
            "new rows in the shop database), then run `warehouse run` again"
        )
        details = [*_listed("stale source", names), what_to_do, *[line for line in tail if line.startswith("run id")]]
        alerts.append(Alert("sources_stale", f"warehouse sources stale: {shown}", details, run_id))
    return alerts
