"""The access log's vocabulary: what was accessed (object_type) and why (purpose).

An object type is also what a denied row names: a row, a page, or a tool the active
position lacks (access.objects.ToolRefused, tool_required).

Every value log_access writes is a member here, and log_access refuses any other, so a
typo fails in the tests instead of reaching the log. The values are stored as they are
(and digested by the seals, backa/operations/seal.py): never rename one, only add.

A purpose may be composed: the gate writes the relationships that open the child joined by
commas ("barnkontakt,team_member"), and a research extract writes "research:<approval
reference>". Each comma-separated part, up to a colon, must be a Purpose.

Some purposes are values of other apps' choices passed through (role kinds, legal-basis
kinds, disclosure bases, handover triggers, forum kinds, review outcomes, concern and plan
statuses); a test checks that every such value is here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectType(models.TextChoices):
    ACCESSIBILITY_FEEDBACK = "accessibility_feedback", _("Accessibility feedback")
    ACTION = "action", _("Plan action")
    ARCHIVE_DELIVERY = "archive_delivery", _("Delivery to the e-archive")
    ASSESSMENT = "assessment", _("Assessment (Behovskompassen)")
    BARNKONTAKT = "barnkontakt", _("Choice of barnkontakt")
    CHILD = "child", _("The child's file")
    CHRONOLOGY = "chronology", _("Chronology")
    CHRONOLOGY_ENTRY = "chronology_entry", _("Chronology entry")
    CONCERN = "concern", _("Concern")
    CONCERN_REPORT = "concern_report", _("Report to social services")
    CONCERNS = "concerns", _("List of concerns")
    CONSENT = "consent", _("Consent")
    CONSENT_FORM = "consent_form", _("Consent form")
    CONSENT_LIST = "consent_list", _("Consents and legal bases")
    CONVERSATION = "conversation", _("Conversation")
    DISTRICT = "district", _("District")
    DISTRICT_DASHBOARD = "district_dashboard", _("District dashboard")
    DISTRICT_TRANSITION = "district_transition", _("Transitions in the district")
    DISCLOSURE = "disclosure", _("Disclosure record")
    DISCLOSURE_FORM = "disclosure_form", _("Disclosure form")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
    EMERGENCY_REVIEW = "emergency_review", _("Review of an emergency access")
    EVALUATION = "evaluation", _("Evaluation of the pilot")
    FAMILY_START = "family_start", _("The family's start page")
    FAMILY_VIEW = "family_view", _("The family's own words before a meeting")
    FOLLOW_UP = "follow_up", _("Follow-up of the plan")
    FORUM = "forum", _("Cooperation forum")
    FORUM_MEETING = "forum_meeting", _("Meeting in a cooperation forum")
    FORUM_MEETINGS = "forum_meetings", _("Meetings in cooperation forums")
    HANDOVER = "handover", _("Handover")
    IDENTITY_NUMBER = "identity_number", _("Personal identity number")
    IMPACT_ASSESSMENT = "impact_assessment", _("Child impact assessment")
    IMPACT_ASSESSMENT_VERSION = "impact_assessment_version", _("Version of a child impact assessment")
    IMPORT_RUN = "import_run", _("Import run")
    IMPORTS = "imports", _("Imports")
    INTAKE_ITEM = "intake_item", _("Report in the intake's queue")
    INTAKE_QUEUE = "intake_queue", _("The intake's queue")
    QUALITY_REVIEW = "quality_review", _("Quality review of a closed report")
    LANGUAGE_NEED = "language_need", _("Languages and interpreter need")
    LEGAL_BASIS = "legal_basis", _("Legal basis")
    LEGAL_HOLD = "legal_hold", _("Legal hold")
    LOG_EXTRACT = "log_extract", _("Log extract")
    LOG_EXTRACT_FORM = "log_extract_form", _("Log extract form")
    LOG_EXTRACT_LOOKUP = "log_extract_lookup", _("Lookup for a log extract")
    LOG_REVIEW = "log_review", _("Log review")
    MEETING = "meeting", _("Meeting")
    NETWORK = "network", _("The child's network")
    NETWORK_MEMBER = "network_member", _("Person in the child's network")
    NOTIFICATION = "notification", _("Notification")
    PAGE = "page", _("Page")
    PLAN = "plan", _("Plan")
    PLAN_VERSION = "plan_version", _("Plan version")
    PURGE = "purge", _("Purge (gallring)")
    RECORD_OF_PROCESSING = "record_of_processing", _("Record of processing")
    RESEARCH_EXTRACT = "research_extract", _("Research extract")
    RETENTION_RULE = "retention_rule", _("Retention rule")
    ROLE_ASSIGNMENT = "role_assignment", _("Role assignment")
    TEAM = "team", _("The child's team")
    TEAM_INVITATION = "team_invitation", _("Invitation to the child's team")


class Purpose(models.TextChoices):
    # The relationship that opens the child (the gate; role kinds and emergency access).
    BARNKONTAKT = "barnkontakt", _("Barnkontakt")
    STODSAMORDNARE = "stodsamordnare", _("Stödsamordnare")
    TEAM_MEMBER = "team_member", _("Member of the child's team")
    EMERGENCY = "emergency", _("Emergency access")
    UPPTACKARE = "upptackare", _("Upptäckare of the concern")
    # The family's own access through the family view (e-ID): the row's user_id is the
    # guardian's or the child's id, its role "guardian" or "child".
    FAMILY_GUARDIAN = "family_guardian", _("The guardian's own access (family view)")
    FAMILY_CHILD = "family_child", _("The child's own access (family view)")
    # Lists and searches.
    MY_CHILDREN = "my_children", _("My children")
    SEARCH = "search", _("Search")
    MY_CONCERNS = "my_concerns", _("My concerns")
    DUE_REVIEWS = "due_reviews", _("Plan reviews due")
    NOTIFICATIONS = "notifications", _("Notifications")
    BARNKONTAKT_START = "barnkontakt_start", _("The barnkontakt's start page")
    HANDOVER_TASKS = "handover_tasks", _("Handover tasks")
    API_LIST = "api_list", _("List through the API")
    VERIFY_IDENTITY = "verify_identity", _("Checking the identity number")
    # The plan and the file.
    EDIT = "edit", _("Plan changed")
    GOAL = "goal", _("Goal added")
    ACTION = "action", _("Action added or changed")
    COORDINATOR = "coordinator", _("Stödsamordnare appointed or left")
    INVITATION = "invitation", _("Invitation to the child's team, sent or answered")
    FOLLOW_UP = "follow_up", _("Plan followed up")
    MINUTES = "minutes", _("Meeting minutes")
    HANDED_OVER = "handed_over", _("Plan handed over")
    NETWORK_RANKING = "network_ranking", _("The child ranked the network")
    NETWORK_ENDED = "network_ended", _("No longer in the child's network")
    NEW = "new", _("Concern is new")
    IN_PROGRESS = "in_progress", _("Concern being looked into")
    PLAN = "plan", _("Concern led to a plan")
    CLOSED = "closed", _("Closed")
    REPORT_OUTCOME = "report_outcome", _("Outcome of the report")
    # The intake (mottagning) of concern reports: its scope is the reports addressed to the district.
    INTAKE = "intake", _("Intake of a concern report")
    INTAKE_QUEUE = "intake_queue", _("The intake's queue")
    EXTERNAL_REPORT = "external_report", _("Report registered by the intake")
    ASSIGN_REPORT = "assign_report", _("Report assigned to a handler")
    SAFETY_ASSESSMENT = "safety_assessment", _("Skyddsbedömning")
    PRE_ASSESSMENT = "pre_assessment", _("Förhandsbedömning decided")
    SECOND_LOOK = "second_look", _("Second look before closing")
    REPORT_FEEDBACK = "report_feedback", _("Feedback to the reporter")
    QUALITY_REVIEW = "quality_review", _("Quality review of a closed report")
    OUTCOME_IMPORT = "outcome_import", _("Outcome imported from the journal system")
    # Roles and handovers.
    END_ROLE = "end_role", _("Role ended")
    OVERRIDE = "override", _("Barnkontakt chosen by a manager")
    PREPARE_HANDOVER = "prepare_handover", _("Handover prepared")
    ACCEPT_HANDOVER = "accept_handover", _("Handover accepted")
    CANCEL_HANDOVER = "cancel_handover", _("Handover cancelled")
    HANDOVER_DONE = "handover_done", _("Handover completed")
    HANDOVER_CLOSED = "handover_closed", _("Handover closed without a receiver")
    HANDOVER_SENDER = "handover_sender", _("Sender of the handover")
    HANDOVER_RECEIVER = "handover_receiver", _("Receiver of the handover")
    PHASE_CHANGE = "phase_change", _("Handover: new life phase")
    ENROLMENT_CHANGE = "enrolment_change", _("Handover: new unit")
    MOVE_DISTRICT = "move_district", _("Handover: moved to another district")
    MOVE_MUNICIPALITY = "move_municipality", _("Handover: moved to another municipality")
    AGE_18 = "age_18", _("Handover: turns 18")
    EMIGRATED = "emigrated", _("Handover: emigrated")
    NOT_LISTED = "not_listed", _("Handover: no longer in the population register here")
    # Consent, legal bases and disclosures.
    CONSENT_REQUEST = "consent_request", _("Consent requested")
    CONSENT_GIVEN = "consent_given", _("Consent given")
    CONSENT_REFUSED = "consent_refused", _("Consent refused")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    CONSENT = "consent", _("Shared on consent")
    DUTY_TO_REPORT = "duty_to_report", _("Duty to report")
    OSL_PROVISION = "osl_provision", _("Shared under a named OSL provision")
    OSL_10_28 = "osl_10_28", _("Legal basis OSL 10:28")
    OSL_25_13A = "osl_25_13a", _("Legal basis OSL 25:13 a")
    OSL_25_12 = "osl_25_12", _("Legal basis OSL 25:12")
    POLICE_INFORMATION = "police_information", _("Legal basis: information to the police")
    OTHER_PROVISION = "other_provision", _("Legal basis: other named provision")
    NOT_SHARED = "not_shared", _("Not shared")
    # Reviews (of emergency accesses and of the log).
    JUSTIFIED = "justified", _("Reviewed: justified")
    NOT_JUSTIFIED = "not_justified", _("Reviewed: not justified")
    UNCLEAR = "unclear", _("Reviewed: unclear")
    LOG_REVIEW = "log_review", _("Log review: the reviewer sees who opened what")
    LOG_EXTRACT = "log_extract", _("Log extract")
    LOG_EXTRACT_REQUEST = "log_extract_request", _("Request for a log extract")
    # Cooperation forums (the forum's kind).
    SSPF = "sspf", _("Forum: SSPF")
    SIP = "sip", _("Forum: SIP meeting")
    ELEVHALSOTEAM = "elevhalsoteam", _("Forum: pupil health team")
    BUS = "bus", _("Forum: BUS group")
    FAMILJECENTRAL = "familjecentral", _("Forum: family centre")
    BARNAHUS = "barnahus", _("Forum: Barnahus consultation")
    BARNETS_TEAM = "barnets_team", _("Forum: barnets team")
    HOME_VISITS = "home_visits", _("Forum: extended home visits")
    OTHER = "other", _("Forum: other")
    # Imports, evaluation and research.
    REGISTER_IMPORT = "register_import", _("Population register import")
    REGISTER_MOVED_OUT = "register_moved_out", _("Moved out according to the population register")
    REGISTER_IDENTITY_CHANGE = "register_identity", _("New identity number from the population register")
    REGISTER_DECEASED = "register_deceased", _("Died according to the population register")
    SS12000_IMPORT = "ss12000_import", _("SS 12000 import")
    EVALUATION = "evaluation", _("Evaluation of the pilot")
    RESEARCH = "research", _("Research extract under an ethics approval")


def check_object_type(object_type) -> str:
    """The stored string of an ObjectType; ValueError for anything else."""
    if object_type not in ObjectType.values:
        raise ValueError(f"Unknown access-log object_type {object_type!r}: add it to backa/audit/vocabulary.py")
    return str(getattr(object_type, "value", object_type))


def check_purpose(purpose) -> str:
    """The stored string of a (possibly composed) purpose; ValueError if a part is not a Purpose."""
    purpose = str(getattr(purpose, "value", purpose))
    if purpose:
        for part in purpose.split(","):
            if part.split(":", 1)[0] not in Purpose.values:
                raise ValueError(
                    f"Unknown access-log purpose {part!r} in {purpose!r}: add it to backa/audit/vocabulary.py"
                )
    return purpose
