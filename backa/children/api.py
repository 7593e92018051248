"""JSON API for children, through the same gate and access log as the pages."""
import uuid
from datetime import date

from ninja import Query, Router, Schema

from backa.audit.log import Action, log_access_many

from .access import get_child_for_request, visible_children

router = Router(tags=["children"])


class ChildOut(Schema):
    id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date | None
    sex: str
    life_phase: str
    home_district: str | None
    protected_identity: bool

    @staticmethod
    def resolve_life_phase(obj):
        return obj.life_phase()

    @staticmethod
    def resolve_home_district(obj):
        # Where a child lives is address-related: hidden for protected identity.
        if obj.protected_identity or obj.home_district is None:
            return None
        return obj.home_district.name


@router.get("/children", response=list[ChildOut], summary="Children visible to the caller")
def list_children(request, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)):
    children = list(
        visible_children(request.user).select_related("home_district").order_by("family_name", "given_name", "id")[
            offset : offset + limit
        ]
    )
    log_access_many(request=request, action=Action.LIST, children=children, purpose="api_list")
    return children


@router.get("/children/{child_id}", response=ChildOut, summary="One child (logged)")
def get_child(request, child_id: uuid.UUID):
    return get_child_for_request(request, child_id, action=Action.VIEW)
