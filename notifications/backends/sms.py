import logging

from . import Message, NotificationBackend, RecipientGone

logger = logging.getLogger(__name__)


class LoggingSmsBackend(NotificationBackend):
    """An example SMS backend that only logs (off by default). A real gateway's backend posts
    ``message.subject`` to the person's ``phone`` and raises DeliveryError when refused."""

    channel = "sms"

    def send(self, delivery, message: Message) -> None:
        phone = delivery.notification.recipient.phone
        if not phone:
            raise RecipientGone("no phone number")
        logger.info("SMS to %s: %s %s", phone, message.subject, message.url)
