from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "backa.outbox"
    label = "outbox"
    verbose_name = "Outbox: e-mail and other side effects, sent after commit"
