"""The forum inventory (district level), burden signals (district level, suppressed) and
meetings per child (child level, through the access gate)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.gate import get_child_for_request
from backa.access.objects import NotFound, reachable_object
from backa.accounts.positions import current_position
from backa.audit.context import Acting
from backa.audit.log import Action
from backa.audit.vocabulary import ObjectType
from backa.children.lifephase import add_years
from backa.forums import burden
from backa.forums.access import (
    administered_district_ids,
    get_district_for_admin,
    get_district_for_reading,
    is_district_admin,
)
from backa.forums.forms import BurdenSettingsForm, ForumForm, ForumMeetingForm
from backa.forums.models import BurdenSettings, Forum, ForumMeeting, Participation
from backa.forums.services import (
    ForumConflict,
    do_record_forum_meeting,
    do_save_forum,
    do_set_burden_thresholds,
    inventory_overlaps,
)
from backa.lib.csv import csv_response
from backa.lib.merge import read_base
from backa.organisations.models import District


def _municipality_id(request):
    position = current_position(request)
    if position is None:
        raise NotFound(object_type=ObjectType.FORUM)
    return position.unit.organisation.municipality_id


@login_required
def district_list(request):
    districts = (
        District.objects.filter(municipality_id=_municipality_id(request))
        .annotate(forum_count=Count("forums"))
        .order_by("name")
    )
    return render(
        request,
        "forums/district_list.html",
        {
            "districts": districts,
            "administered": administered_district_ids(request),
        },
    )


def _forums(district):
    return list(Forum.objects.filter(district=district).order_by("-is_active", "name"))


@login_required
def inventory(request, district_id):
    district = get_district_for_reading(request, district_id)
    return render(
        request,
        "forums/inventory.html",
        {
            "district": district,
            "forums": _forums(district),
            "can_edit": is_district_admin(request, district),
        },
    )


@login_required
def inventory_print(request, district_id):
    district = get_district_for_reading(request, district_id)
    return render(
        request,
        "forums/inventory_print.html",
        {
            "district": district,
            "forums": _forums(district),
            "printed_at": timezone.localtime(),
        },
    )


@login_required
def inventory_csv(request, district_id):
    district = get_district_for_reading(request, district_id)
    header = [
        _("Name"),
        _("Kind"),
        _("Purpose"),
        _("Purpose areas"),
        _("Legal basis"),
        _("Target group"),
        _("Participating sectors"),
        _("Participating organisations and roles"),
        _("Meeting frequency"),
        _("Who convenes"),
        _("Children take part"),
        _("Guardians take part"),
        _("Discusses individual children"),
        _("Active"),
    ]
    rows = [
        [
            f.name,
            f.get_kind_display(),
            f.purpose,
            ", ".join(f.get_purposes_display()),
            f.legal_basis,
            f.target_group,
            ", ".join(f.get_sectors_display()),
            f.participants,
            f.get_frequency_display(),
            f.convener,
            f.get_children_take_part_display(),
            f.get_guardians_take_part_display(),
            _("Yes") if f.discusses_individual_children else _("No"),
            _("Yes") if f.is_active else _("No"),
        ]
        for f in _forums(district)
    ]
    # Semicolons and a BOM: the file is for Excel with Swedish settings (å, ä, ö).
    return csv_response(f"forums-{district.code.lower()}.csv", header, rows, delimiter=";", excel_bom=True)


@login_required
def compare(request, district_id):
    district = get_district_for_reading(request, district_id)
    forums = [f for f in _forums(district) if f.is_active]
    return render(
        request,
        "forums/compare.html",
        {
            "district": district,
            "forums": forums,
            "overlaps": inventory_overlaps(forums),
            "participation": Participation,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def forum_edit(request, district_id, forum_id=None):
    district = get_district_for_admin(request, district_id)
    forum = None
    if forum_id is not None:
        forum = reachable_object(Forum.objects.filter(district=district), forum_id, ObjectType.FORUM)
    form = ForumForm(request.POST or None, instance=forum, district=district)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = do_save_forum(
                acting_user=request.user,
                district=district,
                data=data,
                forum=forum,
                expected_version=form.cleaned_data.get("version"),
                base=read_base(form.cleaned_data.get("base") or ""),
                keep_theirs=form.fields_to_take_from_theirs(),
            )
        except ForumConflict as conflict:
            # Three-way merge (decision 0018): the form now holds the forum as saved, with this
            # administrator's own changes as typed; each field both changed asks for a choice.
            current = ForumForm(instance=conflict.forum, district=district)
            posted = request.POST.copy()
            for name in form.Meta.fields:
                if name in conflict.mine:
                    continue
                value = current[name].value()
                if isinstance(value, list):
                    posted.setlist(name, [str(v) for v in value])
                elif isinstance(value, bool):
                    if value:
                        posted[name] = "on"
                    else:
                        posted.pop(name, None)
                else:
                    posted[name] = "" if value is None else str(value)
            posted["version"] = str(conflict.forum.version)
            posted["base"] = current["base"].value()
            form = ForumForm(posted, instance=conflict.forum, district=district)
            form.setup_merge_choices(conflict.conflicts)
            form.is_valid()  # shows the choices still to make
            form.add_error(
                None,
                _("Someone else changed this forum while you were editing. Choose below which value is kept."),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The forum %(name)s was saved.") % {"name": saved.name})
            return redirect("forums:inventory", district_id=district.id)
    return render(request, "forums/forum_form.html", {"district": district, "forum": forum, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def burden_view(request, district_id):
    """The district's burden and overlap signals. Counts only, small cells suppressed:
    administrators see forum-level numbers, never which children."""
    district = get_district_for_admin(request, district_id)
    today = timezone.localdate()
    term = burden.Term.parse(request.GET.get("termin", ""), burden.Term.of(today))
    thresholds = BurdenSettings.objects.filter(district=district).first() or BurdenSettings(district=district)
    form = BurdenSettingsForm(request.POST or None, instance=thresholds)
    if request.method == "POST" and form.is_valid():
        do_set_burden_thresholds(acting_user=request.user, district=district, **form.cleaned_data)
        messages.success(request, _("The thresholds were saved."))
        return redirect(reverse("forums:burden", args=[district.id]) + f"?termin={term.code}")
    signals = burden.district_signals(district, term)
    forum_names = dict(Forum.objects.filter(district=district).values_list("id", "name"))
    per_forum = sorted(
        (
            {
                "name": forum_names.get(_uuid(key), key),
                "meetings": burden.suppress_small(v["meetings"]),
                "children": burden.suppress_small(v["children"]),
            }
            for key, v in signals["per_forum"].items()
        ),
        key=lambda row: row["name"],
    )
    pairs = [
        {"a": a, "b": b, "shared": burden.suppress_small(n)} for (a, b), n in sorted(signals["forum_pairs"].items())
    ]
    return render(
        request,
        "forums/burden.html",
        {
            "district": district,
            "term": term,
            "terms": [term.previous(), term, _next(term)],
            "form": form,
            "meetings": burden.suppress_small(signals["meetings"]),
            "children": burden.suppress_small(signals["children"]),
            "children_in_several_forums": burden.suppress_small(signals["children_in_several_forums"]),
            "families_over_limit": burden.suppress_small(signals["families_over_limit"]),
            "family_limit": signals["family_limit"],
            "min_shared": signals["min_shared"],
            "per_forum": per_forum,
            "pairs": pairs,
            "threshold": burden.SUPPRESSION_THRESHOLD,
        },
    )


def _next(term):
    return burden.Term(term.year + 1, "vt") if term.half == "ht" else burden.Term(term.year, "ht")


def _uuid(key):
    import uuid

    try:
        return uuid.UUID(key)
    except ValueError:
        return key


@login_required
@require_http_methods(["GET", "POST"])
def child_meetings(request, child_id):
    """All meetings about the child across forums, the per-term counter, and recording a meeting."""
    is_post = request.method == "POST"
    child = get_child_for_request(
        request,
        child_id,
        action=Action.CREATE if is_post else Action.VIEW,
        object_type=ObjectType.FORUM_MEETINGS,
    )
    form = ForumMeetingForm(request.POST or None, municipality_id=child.municipality_id)
    if is_post and form.is_valid():
        fields = dict(form.cleaned_data)
        forum = fields.pop("forum")
        try:
            do_record_forum_meeting(acting_user=Acting.of(request), child=child, forum=forum, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("forums:child_meetings", child_id=child.id)
    meetings = list(
        ForumMeeting.objects.filter(child=child).select_related("forum__district").order_by("-held_on", "-recorded_at")
    )
    today = timezone.localdate()
    events = burden.meeting_events(start=add_years(today, -2), end=today, child=child)  # 29 Feb -> 28 Feb
    counts = burden.child_term_counts(events)
    current_term = burden.Term.of(today)
    term_events = [e for e in events if current_term.start <= e.held_on <= current_term.end]
    several = burden.children_in_several_forums(term_events)
    thresholds = (
        BurdenSettings.objects.filter(district_id=child.home_district_id).first() if child.home_district_id else None
    )
    family_limit = (
        thresholds.family_meetings_per_term
        if thresholds
        else BurdenSettings._meta.get_field("family_meetings_per_term").default
    )
    invited = len({(e.forum_key, e.held_on) for e in term_events if e.guardians_invited})
    return render(
        request,
        "forums/child_meetings.html",
        {
            "child": child,
            "meetings": meetings,
            "counts": counts,
            "form": form,
            "current_term": current_term,
            "several": [(f"{year}-{month:02d}", names) for (_child, (year, month)), names in sorted(several.items())],
            "family_invited": invited,
            "family_limit": family_limit,
            "family_over": invited > family_limit,
        },
    )
