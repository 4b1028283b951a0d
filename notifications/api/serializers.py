from rest_framework import serializers

from ..models import Notification
from ..services import absolute, message_for


class NotificationSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "subject", "body", "url", "created_at", "read_at", "read"]

    def _message(self, obj):
        cache = self.context.setdefault("_messages", {})
        if obj.pk not in cache:
            cache[obj.pk] = message_for(obj)
        return cache[obj.pk]

    def get_subject(self, obj) -> str:
        return self._message(obj).subject

    def get_body(self, obj) -> str:
        return self._message(obj).body

    def get_url(self, obj) -> str:
        return absolute(obj.url)

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
