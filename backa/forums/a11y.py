"""Ties each field's help and error texts to its control (WCAG 3.3.1, 1.3.1)."""


class DescribedFieldsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe_fields()

    def full_clean(self):
        super().full_clean()
        self.describe_fields()

    def describe_fields(self):
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if self.is_bound and hasattr(self, "_errors") and self._errors is not None and bound.errors:
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids and not getattr(field.widget, "allow_multiple_selected", False):
                field.widget.attrs["aria-describedby"] = " ".join(ids)
