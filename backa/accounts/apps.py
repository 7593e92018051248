from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backa.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from backa.accounts import signals  # noqa: F401
