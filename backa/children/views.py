"""My children, search within them, and the child overview. All through the access gate."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from backa.audit.log import Action, log_access, log_access_many
from backa.roles.models import RoleAssignment, role_active_on

from . import identity
from .access import get_child_for_request, relationship_kinds, visible_children
from .forms import ChildSearchForm

PAGE_SIZE = 50


def _with_relationships(user, children):
    kinds = relationship_kinds(user, [c.pk for c in children])
    for child in children:
        child.relationships = kinds.get(child.pk, [])
    return children


@login_required
def my_children(request):
    queryset = visible_children(request.user).select_related("home_district").order_by("family_name", "given_name", "id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    children = _with_relationships(request.user, list(page.object_list))
    log_access_many(request=request, action=Action.LIST, children=children, purpose="my_children")
    return render(request, "children/my_children.html", {"page": page, "children": children, "search_form": ChildSearchForm()})


@login_required
@require_http_methods(["GET", "POST"])
def search(request):
    """Search by POST only: a personnummer must never end up in a URL or an access-log line."""
    form = ChildSearchForm(request.POST or None)
    children = None
    if request.method == "POST" and form.is_valid():
        queryset = visible_children(request.user).select_related("home_district")
        number = form.cleaned_data.get("number")
        if number is not None:
            queryset = queryset.filter(pnr_hash=identity.lookup_hash(number))
        else:
            for word in form.cleaned_data["q"].split()[:3]:
                queryset = queryset.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
        children = _with_relationships(request.user, list(queryset.order_by("family_name", "given_name", "id")[:PAGE_SIZE]))
        log_access_many(request=request, action=Action.SEARCH, children=children, purpose="search")
    return render(request, "children/search.html", {"form": form, "children": children, "limit": PAGE_SIZE})


@login_required
@require_http_methods(["GET", "POST"])
def child_overview(request, child_id):
    child = get_child_for_request(request, child_id, action=Action.VIEW)
    show_number = False
    if request.method == "POST" and request.POST.get("show") == "identity_number":
        # Showing the whole number is its own, separately logged read.
        log_access(request=request, action=Action.VIEW, child=child, object_type="identity_number", purpose="verify_identity")
        show_number = True
    today = timezone.localdate()
    custodies = list(child.custodies.select_related("guardian").order_by("guardian__family_name", "guardian__given_name"))
    enrolments = list(child.enrolments.select_related("unit__organisation").order_by("-valid_from"))
    roles = list(
        RoleAssignment.objects.filter(role_active_on(today), child=child)
        .select_related("position__user", "position__unit__organisation")
        .order_by("kind")
    )
    number = child.identity_number
    return render(
        request,
        "children/overview.html",
        {
            "child": child,
            "number": number,
            "show_number": show_number,
            "custodies": custodies,
            "current_enrolments": [e for e in enrolments if e.valid_to is None or e.valid_to >= today],
            "past_enrolments": [e for e in enrolments if e.valid_to is not None and e.valid_to < today],
            "roles": roles,
        },
    )


__all__ = ["my_children", "search", "child_overview", "require_POST"]
