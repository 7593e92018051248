"""The accessible form kit: one mixin, one field partial (lib/_field.html) and one error
summary (lib/_errors.html, through the ``error_summary`` tag) for every form in the project.

Every field with an error is marked aria-invalid (Django does that) and tied to its help text
and error message by aria-describedby (ids ``<auto_id>_help`` and ``<auto_id>_error``, written
by lib/_field.html). Radio and checkbox groups get the description on their fieldset instead of
on every option. Errors from service functions land on the right field."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField


class AccessibleBoundField(BoundField):
    """A bound field that knows the ids lib/_field.html gives its help text and error."""

    @property
    def help_id(self) -> str:
        return f"{self.auto_id}_help" if self.auto_id and self.help_text and not self.is_hidden else ""

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error" if self.auto_id and self.errors and not self.is_hidden else ""

    @property
    def describedby(self) -> str:
        """The ids describing this field: on its control, or on its fieldset for a group."""
        return " ".join(i for i in (self.help_id, self.error_id) if i)

    @property
    def aria_describedby(self):
        # Django puts this on the control (never on the options of a radio or checkbox group:
        # the group's fieldset carries it there). An explicit widget attribute wins.
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        return self.describedby

    @property
    def anchor_id(self) -> str:
        """The id the error summary links to: the control, or a group's first option."""
        return self.id_for_label or (f"{self.auto_id}_0" if self.auto_id else "")

    @property
    def is_checkbox(self) -> bool:
        return isinstance(self.field.widget, forms.CheckboxInput)


class AccessibleFormMixin:
    """For forms.Form and forms.ModelForm alike (see AccessibleForm, AccessibleModelForm)."""

    template_name = "lib/_form.html"
    bound_field_class = AccessibleBoundField

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


class AccessibleForm(AccessibleFormMixin, forms.Form):
    pass


class AccessibleModelForm(AccessibleFormMixin, forms.ModelForm):
    pass


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
