"""``{% error_summary form [form ...] errors=... %}``: the one error summary (lib/_errors.html).

One summary for all the forms of a page, with their non-field errors, a link to each field in
error, and a plain list of ``errors`` (a service's messages: a list, one string or a ValidationError)."""

from django import template
from django.core.exceptions import ValidationError
from django.utils.functional import Promise

from backa.lib.forms import error_messages

register = template.Library()


@register.inclusion_tag("lib/_errors.html")
def error_summary(*forms, errors=None):
    forms = [form for form in forms if form]
    if isinstance(errors, ValidationError):
        errors = error_messages(errors)
    elif isinstance(errors, (str, Promise)):
        errors = [errors]
    service_errors = [message for message in (errors or []) if message]
    return {
        "forms": forms,
        "service_errors": service_errors,
        "show": bool(service_errors) or any(form.errors for form in forms),
    }
