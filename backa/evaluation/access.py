"""Who may open the evaluation pages and take research extracts. Default deny.

- The dashboard (aggregates only, small cells suppressed): a district administrator
  (accounts.positions.administered_district_ids) or a city analyst, i.e. a user with the
  permission evaluation.view_evaluation, acting in an active position.
- A research extract: a user named on an ethics approval valid today, in an active position.
"""

from django.utils import timezone

from backa.access.objects import is_district_admin, require_tool
from backa.accounts.positions import current_position
from backa.audit.vocabulary import ObjectType


def can_view_dashboard(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if current_position(request) is None:
        return False
    return is_district_admin(request) or user.has_perm("evaluation.view_evaluation")


def require_dashboard(request):
    require_tool(request, can_view_dashboard, tool=ObjectType.EVALUATION)


def extract_approvals(request):
    """The ethics approvals under which this user may take an extract today."""
    from backa.evaluation.models import EthicsApproval

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active or current_position(request) is None:
        return EthicsApproval.objects.none()
    today = timezone.localdate()
    return EthicsApproval.objects.filter(extractors=user, valid_from__lte=today, valid_to__gte=today)
