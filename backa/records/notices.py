"""Texts for families and the public: the privacy notice and the accessibility statement.

The privacy notice is written in plain Swedish (the translation of these English sources);
backa/records/tests/test_pages.py keeps its LIX at or below 40 (backa/lib/readability.py).
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

# When the accessibility statement was last reviewed (lag 2018:1937 and DIGG's template ask for it).
STATEMENT_UPDATED = date(2026, 12, 1)

PRIVACY = [
    (
        _("What is Backa barnet?"),
        [
            _("Backa barnet is a system where the adults around your child can work together."),
            _("It can be the preschool, the school, the child health centre and social services."),
            _("The aim is that your child gets the right help in time."),
        ],
    ),
    (
        _("What do we save?"),
        [
            _("We save your child's name and personal number, and where your child goes to school."),
            _("We save who has custody of the child."),
            _("If someone is worried about your child, we write it down."),
            _("We also write down plans, meetings and what you and your child have said."),
        ],
    ),
    (
        _("Why may we do this?"),
        [
            _("The school, the health care and social services have a task set by law."),
            _("We may save what we need to do that task."),
            _("We do not share anything with others without your consent, unless a law says we must."),
        ],
    ),
    (
        _("Who can see it?"),
        [
            _("Only those who work with your child can see it."),
            _("Each time someone opens your child's file, it is saved in a log."),
            _("You can ask to see the log."),
        ],
    ),
    (
        _("How long do we keep it?"),
        [
            _("We remove what we save when it is no longer needed."),
            _("The law and the rules of the municipality say how long we keep it."),
            _("Often it is five or ten years after the last note."),
            _("Some files are kept for research. That goes for children born on the 5th, 15th or 25th."),
        ],
    ),
    (
        _("Your rights"),
        [
            _("You have the right to know what we have saved about you and your child."),
            _("You can ask us to correct what is wrong."),
            _("You can ask us to stop or to remove, but the law may say that we must keep it."),
            _("You can complain to the data protection officer of the municipality."),
            _("You can also complain to the Swedish Authority for Privacy Protection, IMY."),
        ],
    ),
    (
        _("Questions"),
        [
            _("Ask the person you meet at the school, the health care or social services."),
            _("You can also call the municipality."),
        ],
    ),
]

DIGG_COMPLAINT_URL = "https://www.digg.se/tdosanmalan"

# Known barriers, kept by hand: what the automatic tests cannot see.
KNOWN_ISSUES = [
    _("The pages have not yet been tested by hand with a screen reader; only automatic tests have been run."),
    _("Printed plans and reports are tagged PDF (PDF/UA), but have not been checked by hand."),
    _("The charts on the evaluation pages show the same numbers in a table, but the charts themselves are images."),
]


def privacy_text() -> str:
    """The notice as running text (headings left out), in the active language."""
    return " ".join(str(p) for _heading, paragraphs in PRIVACY for p in paragraphs)
