"""Group robots by webhook: WeCom (企业微信) and DingTalk (钉钉).

Both answer HTTP 200 with ``{"errcode": 0, …}`` when they took the message; any other answer,
a timeout or an unreachable host is a failure (DeliveryError) and the delivery is retried."""

import base64
import hashlib
import hmac
import time
import urllib.parse

import requests
from django.conf import settings

from . import DeliveryError, Message, NotificationBackend


def _markdown(message: Message) -> str:
    parts = [f"### {message.subject}", "", message.body]
    if message.url:
        parts += ["", f"[{message.url}]({message.url})"]
    if message.attachment_url:
        parts += [f"[{message.attachment_url}]({message.attachment_url})"]
    return "\n".join(parts)


def dingtalk_signed_url(webhook_url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk's 加签: sign = urlencode(base64(HMAC-SHA256(secret, "timestamp\\nsecret")))."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in webhook_url else "?"
    return f"{webhook_url}{joiner}timestamp={timestamp}&sign={sign}"


def post_json(url: str, payload: dict) -> None:
    try:
        answer = requests.post(url, json=payload, timeout=settings.NOTIFICATION_HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if answer.status_code != 200:
        raise DeliveryError(f"HTTP {answer.status_code}: {answer.text[:200]}")
    try:
        data = answer.json()
    except ValueError as exc:
        raise DeliveryError(f"not JSON: {answer.text[:200]}") from exc
    if not isinstance(data, dict) or data.get("errcode") != 0:
        raise DeliveryError(f"refused: {str(data)[:200]}")


class WeComRobotBackend(NotificationBackend):
    channel = "wecom"
    personal = False

    def send(self, delivery, message: Message) -> None:
        robot = delivery.notification.robot
        post_json(robot.webhook_url, {"msgtype": "markdown", "markdown": {"content": _markdown(message)}})


class DingTalkRobotBackend(NotificationBackend):
    channel = "dingtalk"
    personal = False

    def send(self, delivery, message: Message) -> None:
        robot = delivery.notification.robot
        url = dingtalk_signed_url(robot.webhook_url, robot.secret) if robot.secret else robot.webhook_url
        post_json(url, {"msgtype": "markdown", "markdown": {"title": message.subject, "text": _markdown(message)}})
