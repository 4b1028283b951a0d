from django.core.mail import send_mail

from . import DeliveryError, Message, NotificationBackend, RecipientGone


class EmailBackend(NotificationBackend):
    """Email through Django's mail settings (EMAIL_HOST, …, DEFAULT_FROM_EMAIL)."""

    channel = "email"

    def send(self, delivery, message: Message) -> None:
        address = delivery.notification.recipient.email
        if not address:
            raise RecipientGone("no email address")
        lines = [message.body, "", message.url]
        if message.attachment_url:
            lines.append(message.attachment_url)
        try:
            send_mail(message.subject, "\n".join(line for line in lines if line is not None).strip(), None,
                      [address], fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - smtplib, socket and backend errors alike
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
