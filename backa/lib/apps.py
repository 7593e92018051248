from django.apps import AppConfig


class LibConfig(AppConfig):
    """An app only so that the form kit's templates are found by the form renderer."""

    name = "backa.lib"
    label = "lib"
