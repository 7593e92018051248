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


class MergeChoicesMixin(AccessibleFormMixin):
    """For an optimistically locked form (backa.lib.merge, decision 0018): after a conflict,
    each field both people changed gets a required choice right below it, *keep mine* or *take
    theirs*, with the other person's value shown beside the editor's. The list of such fields
    travels in the hidden field ``merge_fields`` so that the choice survives a re-post."""

    def setup_merge_choices(self, conflicts: list | None = None):
        """`conflicts`: [(form field, label, my value, their value)] from the service; without
        it the fields come from the posted ``merge_fields``."""
        from django.utils.translation import gettext as _

        for stale in [k for k in self.fields if k.startswith("keep-")]:
            del self.fields[stale]
        self.fields["merge_fields"] = forms.CharField(widget=forms.HiddenInput, required=False)
        theirs = {}
        if conflicts is not None:
            names = [c[0] for c in conflicts if c[0] in self.fields]
            theirs = {c[0]: c[3] for c in conflicts}
            if self.is_bound:
                self.data = self.data.copy()
                self.data[self.add_prefix("merge_fields")] = ",".join(names)
                for name in names:
                    self.data.pop(self.add_prefix(f"keep-{name}"), None)
        else:
            posted = self.data.get(self.add_prefix("merge_fields"), "") if self.is_bound else ""
            names = [n for n in posted.split(",") if n in self.fields]
        self.merge_names = names
        order = list(self.fields)
        for name in names:
            label = self.fields[name].label
            their_text = theirs.get(name)
            choice = forms.ChoiceField(
                label=_("Both of you changed “%(field)s”. Which one is kept?") % {"field": label},
                choices=[
                    ("mine", _("Mine: what is in the field above")),
                    (
                        "theirs",
                        _("Theirs: %(value)s") % {"value": their_text or "–"}
                        if their_text is not None
                        else _("Theirs: what is saved now"),
                    ),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose whether your text or theirs is kept.")},
            )
            self.fields[f"keep-{name}"] = choice
            order.insert(order.index(name) + 1, f"keep-{name}")
        self.fields = {key: self.fields[key] for key in order + [k for k in self.fields if k not in order]}

    def fields_to_take_from_theirs(self) -> list[str]:
        return [n for n in getattr(self, "merge_names", []) if self.cleaned_data.get(f"keep-{n}") == "theirs"]


class MergeAccessibleForm(MergeChoicesMixin, forms.Form):
    pass


class MergeAccessibleModelForm(MergeChoicesMixin, forms.ModelForm):
    pass
