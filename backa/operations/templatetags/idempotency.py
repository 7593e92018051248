from django import template
from django.utils.html import format_html

from backa.operations.idempotency import FORM_FIELD, new_form_token

register = template.Library()


@register.simple_tag(takes_context=True)
def idempotency_field(context):
    """The form's one-time token: kept when the form comes back with errors, new otherwise."""
    request = context.get("request")
    value = (
        request.POST.get(FORM_FIELD) if request is not None and request.method == "POST" else ""
    ) or new_form_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, value[:80])
