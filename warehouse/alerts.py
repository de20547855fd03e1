"""Alerts: tell whoever runs the warehouse that a run failed, tests failed or warned, or sources went stale.

Delivery goes through apprise: WAREHOUSE_ALERT_URLS lists the channels as apprise URLs (Slack, a JSON webhook, email,
Teams, Discord and the rest apprise supports), WAREHOUSE_ALERT_SUCCESS_URLS the channels that also get a summary of
each successful run (docs/alerts.md). `send_alert` never raises, so a broken channel cannot mask the run's own error,
and no secret (an alert URL's token or password, any *PASSWORD/*TOKEN/*CREDENTIALS value) reaches a log line, an
exception, a delivery result or the alert text itself.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

import apprise
from apprise.plugins.email import NotifyEmail
from apprise.utils.parse import parse_urls

from warehouse.errors import WarehouseError

logger = logging.getLogger("warehouse.alerts")

URLS_VARIABLE = "WAREHOUSE_ALERT_URLS"
SUCCESS_URLS_VARIABLE = "WAREHOUSE_ALERT_SUCCESS_URLS"

SEVERITY_TAGS = {
    "run_failed": "FAILED",
    "tests_failed": "FAILED",
    "tests_warned": "WARNING",
    "sources_stale": "STALE",
    "run_succeeded": "OK",
}
KINDS = tuple(SEVERITY_TAGS)
_NOTIFY_TYPES = {
    "FAILED": apprise.NotifyType.FAILURE,
    "WARNING": apprise.NotifyType.WARNING,
    "STALE": apprise.NotifyType.WARNING,
    "OK": apprise.NotifyType.SUCCESS,
}

# Env vars whose values are secrets: never logged, and blanked out of anything an alert sends.
_SECRET_NAME_PARTS = ("PASSWORD", "SECRET", "TOKEN", "CREDENTIALS", "API_KEY", "WEBHOOK_URL", "ALERT_URLS")
# Variables of the hand-written channels this module had before apprise: read no more, but named when set.
_RETIRED_WEBHOOK = ("WAREHOUSE_ALERT_WEBHOOK_URL", "WAREHOUSE_ALERT_WEBHOOK_ON_SUCCESS")
_RETIRED_EMAIL = (
    "WAREHOUSE_ALERT_EMAIL_TO",
    "WAREHOUSE_ALERT_EMAIL_FROM",
    "WAREHOUSE_ALERT_EMAIL_ON_SUCCESS",
    "WAREHOUSE_SMTP_HOST",
    "WAREHOUSE_SMTP_PORT",
    "WAREHOUSE_SMTP_USER",
    "WAREHOUSE_SMTP_PASSWORD",
)
_URL_PIECES = re.compile(r"[/:@?&=,#]+")
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
    channel skipped it (a success summary on a channel not in WAREHOUSE_ALERT_SUCCESS_URLS, or a misconfigured one)."""

    channel: str
    ok: bool
    detail: str
    sent: bool = True


@dataclass(frozen=True)
class Channel:
    """One apprise URL, ready to send. `name` is apprise's privacy form of the URL cut before the path (for json://
    and its kin the path is often the token): safe to log. `secrets` are the URL's parts to blank out of any text."""

    name: str
    service: apprise.NotifyBase = field(repr=False, compare=False)
    on_success: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)


class Redactor:
    """Blanks every known secret out of a text (longest first, so a URL goes before its path)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({value for value in secrets if value and len(value) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


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
                found += [password, unquote(password)]
    return found


class _AppriseLog(logging.Handler):
    """Collects what apprise logs while it loads or sends a URL."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.entries: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append((record.levelname, record.getMessage()))


@contextmanager
def _apprise_log_kept_apart() -> Iterator[_AppriseLog]:
    """apprise logs why a URL is unusable or a delivery failed (the refused connection, the service's answer), some
    of it at DEBUG next to lines that hold the full URL. Collect all of it for the caller, and keep apprise's lines
    out of the application's log: one line of ours per channel says what happened, secrets blanked."""
    apprise_logger = logging.getLogger("apprise")
    level, propagate = apprise_logger.level, apprise_logger.propagate
    collected = _AppriseLog()
    apprise_logger.addHandler(collected)
    apprise_logger.setLevel(logging.DEBUG)
    apprise_logger.propagate = False
    try:
        yield collected
    finally:
        apprise_logger.removeHandler(collected)
        apprise_logger.setLevel(level)
        apprise_logger.propagate = propagate


# ---------------------------------------------------------------------------------------------------------------
# configuration


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


def _url_secrets(url: str, service: apprise.NotifyBase) -> tuple[str, ...]:
    """What apprise hides in the URL's privacy form (password, tokens), plus its path and query."""
    shown = set(_URL_PIECES.split(service.url(privacy=True)))
    hidden = set(_URL_PIECES.split(service.url(privacy=False))) - shown
    parts = urlsplit(url)
    hidden |= {url, parts.path, parts.query, parts.password or ""}
    return tuple(sorted(hidden | {unquote(value) for value in hidden}))


def _plain_login_refused(service: apprise.NotifyBase) -> str | None:
    """apprise's mailto:// logs in without TLS: allow that only to a server on this machine."""
    if (
        isinstance(service, NotifyEmail)
        and service.secure_mode == "insecure"
        and service.user
        and service.password
        and not _is_loopback(service.smtp_host)
    ):
        return (
            "mailto:// would send the SMTP password unencrypted to a server that is not on this machine: "
            "use mailtos:// (STARTTLS, port 587) or mailtos://...?mode=ssl (port 465)"
        )
    return None


def _configure(env: Mapping[str, str]) -> tuple[list[Channel], dict[str, str]]:
    """The channels of WAREHOUSE_ALERT_URLS and WAREHOUSE_ALERT_SUCCESS_URLS, and what is wrong with each unusable
    URL, keyed by a name that holds no secret (the variable, the entry's position and its scheme)."""
    channels: dict[str, Channel] = {}
    broken: dict[str, str] = {}
    asset = apprise.AppriseAsset(app_id="customer warehouse", app_desc="customer warehouse alerts")
    for variable in (URLS_VARIABLE, SUCCESS_URLS_VARIABLE):
        for position, url in enumerate(parse_urls(env.get(variable, "")), start=1):
            scheme = url.split("://", 1)[0] if "://" in url else "?"
            label = f"{variable} entry {position} ({scheme}://)"
            with _apprise_log_kept_apart() as apprise_log:
                service = apprise.Apprise.instantiate(url, asset=asset)
            if service is None:
                redact = Redactor([url, *_URL_PIECES.split(url.split("://", 1)[-1])])
                said = [redact(m) for level, m in apprise_log.entries if level != "DEBUG" and "://" not in m]
                why = "; ".join(said) or "unknown scheme, missing token or bad address"
                broken[label] = f"apprise cannot use this URL ({why}): check it against https://appriseit.com/services/"
                continue
            refusal = _plain_login_refused(service)
            if refusal:
                broken[label] = refusal
                continue
            parts = urlsplit(service.url(privacy=True))
            name = f"{parts.scheme}://{parts.netloc}"
            on_success = variable == SUCCESS_URLS_VARIABLE
            known = channels.get(service.url())  # the same URL in both lists: one channel, with summaries
            channels[service.url()] = (
                replace(known, on_success=known.on_success or on_success)
                if known
                else Channel(name, service, on_success, _url_secrets(url, service))
            )
    return list(channels.values()), broken


def channels_from_env(env: Mapping[str, str] | None = None) -> list[Channel]:
    """The alert channels the environment configures (possibly none); an unusable URL raises WarehouseError."""
    channels, broken = _configure(os.environ if env is None else env)
    if broken:
        raise WarehouseError(
            "alert channel misconfigured: " + "; ".join(f"{name}: {problem}" for name, problem in broken.items()),
            hint=f"fix or remove those entries of {URLS_VARIABLE} / {SUCCESS_URLS_VARIABLE} (see docs/alerts.md).",
        )
    return channels


def _retired_variables_line(env: Mapping[str, str]) -> str | None:
    """One line naming the pre-apprise variables still set, and the apprise URL that replaces them."""
    webhook = [name for name in _RETIRED_WEBHOOK if env.get(name, "").strip()]
    email = [name for name in _RETIRED_EMAIL if env.get(name, "").strip()]
    if not webhook and not email:
        return None
    fixes = []
    if webhook:
        fixes.append(
            "the webhook URL itself for a Slack webhook (https://hooks.slack.com/services/...), or "
            "json://host/path for another JSON endpoint"
        )
    if email:
        fixes.append("mailtos://user:password@smtp-host:587/ops@example.com?from=warehouse@example.com for email")
    return (
        f"{', '.join(webhook + email)} {'is' if len(webhook + email) == 1 else 'are'} no longer read and nothing is "
        f"sent through {'it' if len(webhook + email) == 1 else 'them'}: put the equivalent apprise URL in "
        f"{URLS_VARIABLE} ({'; '.join(fixes)}; success summaries: {SUCCESS_URLS_VARIABLE}), see docs/alerts.md"
    )


# ---------------------------------------------------------------------------------------------------------------
# sending


def _details_with_run_id(alert: Alert) -> list[str]:
    details = list(alert.details)
    if alert.run_id and not any(alert.run_id in line for line in details):
        details.append(f"run id: {alert.run_id}")
    return details


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def alert_message(alert: Alert, text: Redactor | None = None) -> tuple[str, str]:
    """The title (severity tag + title) and the plain-text body (one detail per line, then the sending host)."""
    text = text or Redactor([])
    title = " ".join(text(f"{alert.tag} {alert.title}").split())
    body = [
        *(text(line) for line in _details_with_run_id(alert)),
        "",
        f"-- the customer warehouse on {socket.gethostname()}",
    ]
    return title, "\n".join(body)


def send_alerts(alerts: Sequence[Alert], env: Mapping[str, str] | None = None) -> list[Delivery]:
    """Send each alert to every configured channel; never raises. With no channel: one log line, nothing sent."""
    try:
        env = os.environ if env is None else env
        channels, broken = _configure(env)
        redact = Redactor([*env_secrets(env), *(secret for channel in channels for secret in channel.secrets)])
        retired = _retired_variables_line(env)
        if retired:
            logger.warning("%s", retired)
        if not channels and not broken:
            if alerts and not retired:
                logger.info(
                    "no alert channel configured (set %s): not sent: %s",
                    URLS_VARIABLE,
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


def _reason(level: str, message: str) -> str | None:
    """The part of one apprise log entry that explains a failure, in a few words; None for the rest."""
    if level in ("WARNING", "ERROR", "CRITICAL"):
        return message
    if message.startswith("Response Details:"):
        answer = re.sub(r"^b'(.*)'$", r"\1", message.removeprefix("Response Details:").strip())
        return f"the service answered: {_clip(answer, 200)}" if answer else None
    if message.startswith("Socket Exception:"):
        cause = message.removeprefix("Socket Exception:").strip()
        if errno := re.search(r"\[Errno -?\d+\] ([^\"')]+)", cause):
            return errno.group(1).strip()
        if smtp := re.fullmatch(r"\((\d{3}), b?'(.*)'\)", cause):
            code, answer = smtp.groups()
            hint = ": check the user and password in the URL" if code == "535" else ""
            return f"the SMTP server answered {code} {answer}{hint}"
        return _clip(cause, 200)
    return None


def _deliver(alert: Alert, channel: Channel, redact: Redactor) -> Delivery:
    if alert.is_success and not channel.on_success:
        return Delivery(
            channel.name, ok=True, detail=f"not sent: success summaries go only to {SUCCESS_URLS_VARIABLE}", sent=False
        )
    title, body = alert_message(alert, redact)
    with _apprise_log_kept_apart() as apprise_log:
        result = apprise.Apprise(channel.service).notify(
            body=body,
            title=title,
            notify_type=_NOTIFY_TYPES[SEVERITY_TAGS[alert.kind]],
            body_format=apprise.NotifyFormat.TEXT,
            log_level=logging.DEBUG,
        )
    if result:
        logger.info("alert %s sent to %s", alert.kind, channel.name)
        return Delivery(channel.name, ok=True, detail=f"sent to {channel.name}")
    reasons = [_reason(level, message) for level, message in apprise_log.entries]
    reason = redact("; ".join(dict.fromkeys(r for r in reasons if r))) or "apprise reported a failure"
    logger.warning("alert %s not delivered to %s: %s", alert.kind, channel.name, reason)
    return Delivery(channel.name, ok=False, detail=f"failed: {channel.name}: {reason}")


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
