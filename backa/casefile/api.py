"""JSON API for the concern-to-plan flow, through the same gate, services and access log
as the pages. Validation errors are 422 with a message per field; a plan save based on an
outdated version is 409 with what changed."""

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.responses import Status

from backa.access.gate import ChildNotFound, get_child_for_request, visible_children, visible_entry_scope
from backa.accounts.positions import current_position
from backa.audit.context import Acting
from backa.audit.log import Action, log_access_many
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile import authority, secrecy
from backa.casefile.assessments import do_record_assessment
from backa.casefile.chronology import chronology
from backa.casefile.compass import AREA_CODES, CompassArea
from backa.casefile.concerns import do_register_concern
from backa.casefile.models import Assessment, Concern, ConcernReport, Meeting, Plan
from backa.casefile.plan import PlanConflict, active_plan, do_create_plan, do_update_plan
from backa.casefile.reports import do_report_to_social_services
from backa.casefile.views.concerns import get_concern_for_request
from backa.lib.api_input import MAX_OFFSET, InputSchema
from backa.operations import idempotency
from backa.organisations.models import Organisation

router = Router(tags=["concerns and plans"])
IDEMPOTENCY_NOTE = (
    "Send an `Idempotency-Key` header (any unique string, at most 80 characters) to make retries safe: "
    "the same key and body again creates nothing and returns the first answer; the same key with "
    "another body is 422."
)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class ConflictOut(Schema):
    detail: str
    current_version: int
    changed_by: str | None
    changes: list[dict]
    conflicts: list[dict] = []


def _errors(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "Validation failed", "errors": errors})


def _key_reused():
    return Status(
        422,
        {
            "detail": "The Idempotency-Key was used before for a different request.",
            "errors": {"Idempotency-Key": ["used before for a different request"]},
        },
    )


class AreaOut(Schema):
    code: str
    label_sv: str
    label_en: str


@router.get("/compass/areas", response=list[AreaOut], summary="The eight Behovskompassen areas (stable codes)")
def compass_areas(request):
    result = []
    for code in AREA_CODES:
        with translation.override("sv"):
            sv = str(CompassArea(code).label)
        with translation.override("en"):
            en = str(CompassArea(code).label)
        result.append({"code": code, "label_sv": sv, "label_en": en})
    return result


class ConcernIn(InputSchema):
    observed_on: date
    description: str
    areas: list[str] = []
    urgency: str = "medium"


class ConcernOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID
    observed_on: date
    description: str
    areas: list[str]
    urgency: str
    status: str
    hidden: bool = False

    @staticmethod
    def resolve_hidden(obj):
        return getattr(obj, "hidden_by_secrecy", False)


@router.get("/children/{child_id}/concerns", response=list[ConcernOut], summary="Concerns about a child")
def list_concerns(request, child_id: uuid.UUID):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERNS)
    scope = visible_entry_scope(request, child)
    return secrecy.mask_all(list(Concern.objects.filter(child=child).order_by("-observed_on")), scope)


@router.post(
    "/children/{child_id}/concerns",
    response={201: ConcernOut, 422: ErrorOut},
    summary="Register a concern",
    description=IDEMPOTENCY_NOTE,
)
def create_concern(request, child_id: uuid.UUID, payload: ConcernIn):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERN)
    try:
        # With an Idempotency-Key header, the same request sent again creates nothing and gets the same answer.
        concern, _replayed = idempotency.api_once(
            request,
            scope="concern.create",
            payload=payload.dict(),
            object_type="concern",
            create=lambda: do_register_concern(
                acting_user=Acting.of(request), child=child, position=current_position(request), **payload.dict()
            ),
            load=lambda pk: Concern.objects.get(child=child, pk=pk),
        )
        return Status(201, concern)
    except ValidationError as error:
        return _errors(error)
    except idempotency.IdempotencyMismatch:
        return _key_reused()


@router.get("/concerns/{concern_id}", response=ConcernOut, summary="A concern (its Upptäckare may always read it)")
def get_concern(request, concern_id: uuid.UUID):
    concern, access = get_concern_for_request(request, concern_id)
    if access:
        secrecy.mask(concern, visible_entry_scope(request, concern.child))
    return concern


class AreaIn(InputSchema):
    strengths: str = ""
    needs: str = ""
    rating: int | None = None
    child_rating: int | None = None
    child_view: str = ""
    guardian_rating: int | None = None
    guardian_view: str = ""


class AreaRowOut(AreaIn):
    area: str


class AssessmentIn(InputSchema):
    assessed_on: date
    summary: str = ""
    areas: dict[str, AreaIn]


class AssessmentOut(Schema):
    id: uuid.UUID
    assessed_on: date
    scale_max: int
    summary: str
    areas: list[AreaRowOut]

    @staticmethod
    def resolve_areas(obj):
        return list(obj.areas.all())


@router.get("/children/{child_id}/assessments", response=list[AssessmentOut], summary="Behovskompassen assessments")
def list_assessments(request, child_id: uuid.UUID):
    child = get_child_for_request(request, child_id, object_type=ObjectType.ASSESSMENT)
    scope = visible_entry_scope(request, child)
    return list(
        Assessment.objects.filter(secrecy.entries_q(scope, secrecy.ASSESSMENTS), child=child)
        .prefetch_related("areas")
        .order_by("assessed_on")
    )


@router.post(
    "/children/{child_id}/assessments", response={201: AssessmentOut, 422: ErrorOut}, summary="Record an assessment"
)
def create_assessment(request, child_id: uuid.UUID, payload: AssessmentIn):
    child = get_child_for_request(request, child_id, object_type=ObjectType.ASSESSMENT)
    try:
        return Status(
            201,
            do_record_assessment(
                acting_user=Acting.of(request),
                child=child,
                assessed_on=payload.assessed_on,
                summary=payload.summary,
                areas={code: values.dict() for code, values in payload.areas.items()},
            ),
        )
    except ValidationError as error:
        return _errors(error)


class ReportIn(InputSchema):
    information: str
    acute: bool = False
    guardians_informed: bool = False
    concern_id: uuid.UUID | None = None


class ReportOut(Schema):
    id: uuid.UUID
    reported_at: str
    status: str
    acute: bool
    received_on: date | None
    investigation_opened: bool | None
    investigation_decided_on: date | None
    child_spoken_with: bool | None
    information: str = ""
    hidden: bool = False

    @staticmethod
    def resolve_hidden(obj):
        return getattr(obj, "hidden_by_secrecy", False)

    @staticmethod
    def resolve_reported_at(obj):
        return obj.reported_at.isoformat()


@router.get(
    "/children/{child_id}/concern-reports", response=list[ReportOut], summary="Concern reports (orosanmälningar)"
)
def list_reports(request, child_id: uuid.UUID):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERN_REPORT)
    scope = visible_entry_scope(request, child)
    return secrecy.mask_all(list(ConcernReport.objects.filter(child=child).order_by("-reported_at")), scope)


@router.post(
    "/children/{child_id}/concern-reports",
    response={201: ReportOut, 422: ErrorOut},
    summary="Report to social services; never blocked by missing consent",
)
def create_report(request, child_id: uuid.UUID, payload: ReportIn):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CONCERN_REPORT)
    data = payload.dict()
    concern_id = data.pop("concern_id")
    concern = Concern.objects.filter(child=child, pk=concern_id).first() if concern_id else None
    try:
        return Status(
            201,
            do_report_to_social_services(
                acting_user=Acting.of(request), child=child, concern=concern, position=current_position(request), **data
            ),
        )
    except ValidationError as error:
        return _errors(error)


class GoalOut(Schema):
    id: uuid.UUID
    area: str
    description: str
    target_date: date | None
    status: str
    hidden: bool = False

    @staticmethod
    def resolve_hidden(obj):
        return getattr(obj, "hidden_by_secrecy", False)


class ActionOut(Schema):
    id: uuid.UUID
    description: str
    how: str
    owner_id: uuid.UUID
    owner_organisation_id: uuid.UUID
    starts_on: date | None
    due_on: date | None
    expected_improvement: str
    status: str
    hidden: bool = False

    @staticmethod
    def resolve_hidden(obj):
        return getattr(obj, "hidden_by_secrecy", False)


class PlanOut(Schema):
    id: uuid.UUID
    version: int
    kind: str
    status: str
    organisation_id: uuid.UUID
    reason: str
    needs: dict[str, str]
    child_view: str
    guardian_view: str
    review_date: date
    coordinator_id: uuid.UUID | None
    external_kind: str
    external_ref: str
    goals: list[GoalOut]
    actions: list[ActionOut]
    hidden: bool = False

    # The plan's parts as secrecy.plan_parts masked them for this reader (every route that
    # answers with a plan calls _masked_plan first).
    @staticmethod
    def resolve_goals(obj):
        return obj.visible_parts["goals"]

    @staticmethod
    def resolve_actions(obj):
        return obj.visible_parts["actions"]

    @staticmethod
    def resolve_hidden(obj):
        return getattr(obj, "hidden_by_secrecy", False)


def _masked_plan(request, child, plan):
    if plan is not None:
        plan.visible_parts = secrecy.plan_parts(plan, visible_entry_scope(request, child))
    return plan


class PlanEnvelope(Schema):
    plan: PlanOut | None


class PlanIn(InputSchema):
    kind: str = "single"
    organisation_id: uuid.UUID
    reason: str
    needs: dict[str, str] = {}
    child_view: str = ""
    guardian_view: str = ""
    review_date: date
    external_kind: str = ""
    external_ref: str = ""


class PlanPatch(InputSchema):
    version: int
    kind: str | None = None
    organisation_id: uuid.UUID | None = None
    reason: str | None = None
    needs: dict[str, str] | None = None
    child_view: str | None = None
    guardian_view: str | None = None
    review_date: date | None = None
    external_kind: str | None = None
    external_ref: str | None = None


@router.get("/children/{child_id}/plan", response=PlanEnvelope, summary="The child's active plan (null if none)")
def get_plan(request, child_id: uuid.UUID):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN)
    return {"plan": _masked_plan(request, child, active_plan(child))}


def _organisation(child, organisation_id):
    return Organisation.objects.filter(municipality_id=child.municipality_id, pk=organisation_id).first()


@router.post(
    "/children/{child_id}/plan",
    response={201: PlanOut, 422: ErrorOut},
    summary="Start the child's plan",
    description=IDEMPOTENCY_NOTE,
)
def create_plan(request, child_id: uuid.UUID, payload: PlanIn):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN)
    data = payload.dict()
    data["organisation"] = _organisation(child, data.pop("organisation_id"))
    try:
        plan, _replayed = idempotency.api_once(
            request,
            scope="plan.create",
            payload=payload.dict(),
            object_type="plan",
            create=lambda: do_create_plan(acting_user=Acting.of(request), child=child, **data),
            load=lambda pk: Plan.objects.get(child=child, pk=pk),
        )
        return Status(201, _masked_plan(request, child, plan))
    except ValidationError as error:
        return _errors(error)
    except idempotency.IdempotencyMismatch:
        return _key_reused()


@router.patch(
    "/children/{child_id}/plans/{plan_id}",
    response={200: PlanOut, 409: ConflictOut, 422: ErrorOut},
    summary="Change the plan; changes since your version are merged, 409 if you both changed a field",
)
def update_plan(request, child_id: uuid.UUID, plan_id: uuid.UUID, payload: PlanPatch):
    child = get_child_for_request(request, child_id, object_type=ObjectType.PLAN, object_id=plan_id)
    plan = Plan.objects.filter(child=child, pk=plan_id).first()
    if plan is None:
        raise ChildNotFound(child.pk, object_type=ObjectType.PLAN, object_id=plan_id)
    # The file's rules first (a member who is no lead: 403), then secrecy: a lead who may not
    # read the shared parts may not change them either (the child's 404).
    authority.require_lead(Acting.of(request), child, "edit_plan")
    if not secrecy.visible(visible_entry_scope(request, child), plan):
        # Changing the shared parts needs reading them: another activity's plan is not found.
        raise ChildNotFound(child.pk, action=Action.UPDATE, object_type=ObjectType.PLAN, object_id=plan_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    version = data.pop("version")
    if "organisation_id" in data:
        data["organisation"] = _organisation(child, data.pop("organisation_id"))
    try:
        updated = do_update_plan(acting_user=Acting.of(request), plan=plan, based_on_version=version, **data)
        return Status(200, _masked_plan(request, child, updated))
    except PlanConflict as conflict:
        return Status(
            409,
            {
                "detail": "The plan was changed by someone else since your version.",
                "current_version": conflict.plan.version,
                "changed_by": conflict.changed_by.get_full_name() if conflict.changed_by else None,
                "changes": [{"field": str(f), "yours": o, "now": n} for f, o, n in conflict.changes],
                "conflicts": [
                    {"field": name, "label": str(label), "yours": mine, "theirs": theirs}
                    for name, label, mine, theirs in conflict.conflicts
                ],
            },
        )
    except ValidationError as error:
        return _errors(error)


class EventOut(Schema):
    day: date
    category: str
    title: str
    detail: str


@router.get("/children/{child_id}/chronology", response=list[EventOut], summary="The child's chronology")
def get_chronology(request, child_id: uuid.UUID, category: str | None = None):
    child = get_child_for_request(request, child_id, object_type=ObjectType.CHRONOLOGY)
    return chronology(child, scope=visible_entry_scope(request, child), categories=[category] if category else None)


class MeetingOut(Schema):
    id: uuid.UUID
    starts_at: str
    status: str
    child_heard: str
    child_heard_how: str
    hidden: bool = False

    @staticmethod
    def resolve_hidden(obj):
        return getattr(obj, "hidden_by_secrecy", False)

    @staticmethod
    def resolve_starts_at(obj):
        return obj.starts_at.isoformat()


@router.get("/children/{child_id}/meetings", response=list[MeetingOut], summary="Meetings of barnets team")
def list_meetings(request, child_id: uuid.UUID):
    child = get_child_for_request(request, child_id, object_type=ObjectType.MEETING)
    return secrecy.mask_all(list(Meeting.objects.filter(child=child)), visible_entry_scope(request, child))


children_router = Router(tags=["children"])


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


@children_router.get("/children", response=list[ChildOut], summary="Children visible to the caller")
def list_children(request, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    children = list(
        visible_children(request.user)
        .select_related("home_district")
        .order_by("family_name", "given_name", "id")[offset : offset + limit]
    )
    log_access_many(request=request, action=Action.LIST, children=children, purpose=Purpose.API_LIST)
    return children


@children_router.get("/children/{child_id}", response=ChildOut, summary="One child (logged)")
def get_child(request, child_id: uuid.UUID):
    return get_child_for_request(request, child_id, action=Action.VIEW)


# -- the intake (mottagning) ----------------------------------------------------------------------

intake_router = Router(tags=["intake of concern reports"])


def _intake_scope(request):
    from backa.access.lookups import intake_scope
    from backa.access.objects import ToolRefused

    scope = intake_scope(current_position(request))
    if scope is None:
        raise ToolRefused(ObjectType.INTAKE_QUEUE)
    return scope


def _intake_item(request, intake_id):
    from backa.access.objects import reachable_object
    from backa.casefile import intake

    scope = _intake_scope(request)
    item = reachable_object(intake.queue(scope, include_closed=True), intake_id, ObjectType.INTAKE_ITEM)
    intake.do_open_item(acting_user=Acting.of(request), item=item)
    return item


class IntakeItemOut(Schema):
    id: uuid.UUID
    report_id: uuid.UUID
    child_id: uuid.UUID
    child_name: str
    child_age: int | None
    acute: bool
    received_at: str
    deadline: date
    overdue: bool
    status: str
    reporter_category: str
    handler: str | None
    decision: str
    decision_reason: str
    child_spoken_with: bool | None
    child_heard_how: str
    child_not_heard_reason: str
    feedback_given_on: date | None
    closed: bool

    @staticmethod
    def resolve_child_id(obj):
        return obj.report.child_id

    @staticmethod
    def resolve_child_name(obj):
        return obj.report.child.full_name

    @staticmethod
    def resolve_received_at(obj):
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_handler(obj):
        return obj.report.handler.get_full_name() if obj.report.handler_id else None

    @staticmethod
    def resolve_closed(obj):
        return obj.closed_at is not None

    @staticmethod
    def resolve_child_age(obj):
        return obj.report.child_age

    @staticmethod
    def resolve_status(obj):
        return obj.report.status

    @staticmethod
    def resolve_reporter_category(obj):
        return obj.report.reporter_category

    @staticmethod
    def resolve_decision(obj):
        return obj.report.decision

    @staticmethod
    def resolve_decision_reason(obj):
        return obj.report.decision_reason

    @staticmethod
    def resolve_child_spoken_with(obj):
        return obj.report.child_spoken_with

    @staticmethod
    def resolve_child_heard_how(obj):
        return obj.report.child_heard_how

    @staticmethod
    def resolve_child_not_heard_reason(obj):
        return obj.report.child_not_heard_reason

    @staticmethod
    def resolve_feedback_given_on(obj):
        return obj.report.feedback_given_on


class AssignIn(Schema):
    handler_id: uuid.UUID


class DecisionIn(Schema):
    decision: str
    reason: str
    decided_on: date
    child_spoken_with: bool
    child_heard_how: str = ""
    child_not_heard_reason: str = ""
    note: str = ""


class FeedbackIn(Schema):
    text: str
    given_on: date


def _fresh(item):
    from backa.casefile.models import IntakeItem

    return IntakeItem.objects.select_related("report__child", "report__handler").get(pk=item.pk)


@intake_router.get("/intake/queue", response=list[IntakeItemOut], summary="The intake's open reports, acute first")
def intake_queue(request):
    from backa.casefile import intake

    items = list(intake.queue(_intake_scope(request)))
    log_access_many(
        request=request,
        action=Action.VIEW,
        children=[i.report.child for i in items],
        purpose=Purpose.INTAKE_QUEUE,
        object_type=ObjectType.INTAKE_QUEUE,
    )
    return items


@intake_router.post(
    "/intake/{intake_id}/assign", response={200: IntakeItemOut, 422: ErrorOut}, summary="Assign a handler"
)
def intake_assign(request, intake_id: uuid.UUID, payload: AssignIn):
    from backa.accounts.models import User
    from backa.casefile import intake

    item = _intake_item(request, intake_id)
    handler = User.objects.filter(pk=payload.handler_id).first()
    try:
        if handler is None:
            raise ValidationError({"handler": "Choose someone who works at this intake."})
        intake.do_assign(acting_user=Acting.of(request), item=item, handler=handler)
    except ValidationError as error:
        return _errors(error)
    return _fresh(item)


@intake_router.post(
    "/intake/{intake_id}/decision",
    response={200: IntakeItemOut, 422: ErrorOut},
    summary="The förhandsbedömning: decision, coded reason, whether (how, why not) the child was heard",
)
def intake_decision(request, intake_id: uuid.UUID, payload: DecisionIn):
    from backa.casefile import intake

    item = _intake_item(request, intake_id)
    try:
        intake.do_decide(acting_user=Acting.of(request), item=item, decision=intake.Decision(**payload.dict()))
    except ValidationError as error:
        return _errors(error)
    return _fresh(item)


@intake_router.post(
    "/intake/{intake_id}/feedback",
    response={200: IntakeItemOut, 422: ErrorOut},
    summary="Feedback to the reporter, recorded as a disclosure",
)
def intake_feedback(request, intake_id: uuid.UUID, payload: FeedbackIn):
    from backa.casefile import intake

    item = _intake_item(request, intake_id)
    try:
        intake.do_give_feedback(acting_user=Acting.of(request), item=item, text=payload.text, given_on=payload.given_on)
    except ValidationError as error:
        return _errors(error)
    return _fresh(item)
