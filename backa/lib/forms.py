"""Accessible form plumbing shared by the concerns and plans pages: every field with an
error is marked aria-invalid and tied to its message and help text by aria-describedby,
and errors from service functions land on the right field."""
from django import forms
from django.core.exceptions import ValidationError


class AccessibleForm(forms.Form):
    template_name = "lib/_form.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_fields()

    def mark_fields(self):
        errors = self._errors or {}
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if name in errors:
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self):
        super().full_clean()
        self.mark_fields()

    def apply_service_errors(self, error: ValidationError):
        """Put a service's ValidationError on the matching fields (or on the form)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
        self.mark_fields()


def error_messages(error: ValidationError) -> list[str]:
    """Every message of a service's ValidationError, for a page that shows them in one list."""
    return [m for messages_ in getattr(error, "message_dict", {"": error.messages}).values() for m in messages_]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
