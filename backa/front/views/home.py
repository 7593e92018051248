"""Mina barn (the start page) and the search for a child."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from backa.access.gate import relationship_kinds, visible_children
from backa.audit.log import Action, log_access_many
from backa.audit.vocabulary import Purpose
from backa.children.forms import ChildSearchForm
from backa.children.models import number_match_q
from backa.lib import identity

PAGE_SIZE = 50


def _with_relationships(user, children):
    kinds = relationship_kinds(user, [c.pk for c in children])
    for child in children:
        child.relationships = kinds.get(child.pk, [])
    return children


@login_required
def my_children(request):
    queryset = (
        visible_children(request.user).select_related("home_district").order_by("family_name", "given_name", "id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    children = _with_relationships(request.user, list(page.object_list))
    log_access_many(request=request, action=Action.LIST, children=children, purpose=Purpose.MY_CHILDREN)
    return render(
        request, "front/my_children.html", {"page": page, "children": children, "search_form": ChildSearchForm()}
    )


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
            queryset = queryset.filter(number_match_q(identity.lookup_hash(number)))
        else:
            for word in form.cleaned_data["q"].split()[:3]:
                queryset = queryset.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
        children = _with_relationships(
            request.user, list(queryset.order_by("family_name", "given_name", "id")[:PAGE_SIZE])
        )
        log_access_many(request=request, action=Action.SEARCH, children=children, purpose=Purpose.SEARCH)
    return render(request, "front/search.html", {"form": form, "children": children, "limit": PAGE_SIZE})
