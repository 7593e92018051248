"""The family's languages and interpreter needs (casefile.languages), and what a meeting or a
conversation needs: one place that answers "is an interpreter needed here, in which language?"."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType
from backa.casefile.common import _log, writing_organisation_id
from backa.casefile.languages import INTERPRETER_WARNING, Language, language_label
from backa.casefile.models import LanguageNeed


def guardians_with_custody(child) -> list:
    return [c.guardian for c in child.custodies.select_related("guardian") if c.has_custody]


def family_needs(child) -> dict:
    """{None: the child's row, guardian id: that guardian's row} for the rows that exist."""
    return {n.guardian_id: n for n in LanguageNeed.objects.filter(child=child)}


def interpreter_need(child) -> tuple[bool, str]:
    """Whether someone in the child's family (the child or a guardian with custody) needs an
    interpreter, and the first such language (the child's own first)."""
    custodians = {g.pk for g in guardians_with_custody(child)}
    rows = sorted(
        (
            n
            for n in LanguageNeed.objects.filter(child=child, interpreter_needed=True)
            if n.guardian_id is None or n.guardian_id in custodians
        ),
        key=lambda n: n.guardian_id is not None,
    )
    return (True, rows[0].interpreter_language) if rows else (False, "")


def do_set_language_need(
    *,
    acting_user,
    child,
    guardian=None,
    languages: Sequence[str] = (),
    other_language: str = "",
    interpreter_needed: bool = False,
    interpreter_language: str = "",
    position=None,
) -> LanguageNeed:
    """Record the languages of the child (guardian None) or of one of the child's guardians,
    and whether they need an interpreter in which language."""
    acting = as_acting(acting_user)
    errors = {}
    if guardian is not None and not child.custodies.filter(guardian=guardian).exists():
        errors["guardian"] = _("The guardian is not this child's guardian.")
    unknown = [code for code in languages if code not in Language.values]
    if unknown:
        errors["languages"] = _("Choose languages from the list.")
    if Language.OTHER in languages and not other_language.strip():
        errors["other_language"] = _("Write which other language.")
    if interpreter_needed and interpreter_language not in Language.values:
        errors["interpreter_language"] = _("Say in which language the interpreter is needed.")
    if interpreter_needed and interpreter_language == Language.SWEDISH:
        errors["interpreter_language"] = _("An interpreter is for another language than Swedish.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        need, _created = LanguageNeed.objects.update_or_create(
            child=child,
            guardian=guardian,
            defaults={
                "municipality_id": child.municipality_id,
                "languages": sorted(set(languages)),
                "other_language": other_language.strip() if Language.OTHER in languages else "",
                "interpreter_needed": interpreter_needed,
                "interpreter_language": interpreter_language if interpreter_needed else "",
                "organisation_id": writing_organisation_id(acting, position),
                "updated_by": acting.user,
            },
        )
        _log(acting, child, LogAction.UPDATE, ObjectType.LANGUAGE_NEED, need.id)
    return need


def validate_interpreter(*, interpreter_language: str, interpreter_booked: bool, errors: dict) -> None:
    """A booked interpreter has a language (meetings and conversations)."""
    if interpreter_booked and interpreter_language not in Language.values:
        errors["interpreter_language"] = _("Say in which language the interpreter is booked.")


def interpreter_notice(child) -> dict | None:
    """What the pages show when the family needs an interpreter: the language and the warning."""
    needed, language = interpreter_need(child)
    if not needed:
        return None
    return {"language": language_label(language), "warning": INTERPRETER_WARNING}
