"""The rules of a problem class's rectification in one place: which action moves a class from
which states to which, and who may take it. ledger/class_services.py enforces them; pages and
the API ask them which buttons to show.

A class is verified like a problem: the responsible unit applies to close it with evidence,
someone else (HQ staff, or the lead of the class's district) verifies or rejects it."""

from django.utils.translation import gettext_lazy as _

from campaign.choices import Role

from .choices import ClassAction, ClassStatus
from .rules import role_of

# action -> (states it may start from, state it leads to)
CLASS_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ClassAction.MEASURE_SET: (frozenset({ClassStatus.OPEN, ClassStatus.MEASURE_SET}), ClassStatus.MEASURE_SET),
    ClassAction.APPLY_CLOSE: (frozenset({ClassStatus.MEASURE_SET}), ClassStatus.CLOSING_APPLIED),
    ClassAction.VERIFY: (frozenset({ClassStatus.CLOSING_APPLIED}), ClassStatus.CLOSED),
    ClassAction.REJECT: (frozenset({ClassStatus.CLOSING_APPLIED}), ClassStatus.MEASURE_SET),
}

# Who may take each action (before the checks on the class itself, below).
CLASS_ROLES: dict[str, frozenset[str]] = {
    ClassAction.OPEN: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.TEAM_LEAD}),
    ClassAction.MEASURE_SET: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
    ClassAction.APPLY_CLOSE: frozenset({Role.HQ_STAFF, Role.UNIT_HANDLER}),
    ClassAction.VERIFY: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
    ClassAction.REJECT: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
}

PAGE_CLASS_ACTIONS = (ClassAction.MEASURE_SET, ClassAction.APPLY_CLOSE, ClassAction.VERIFY, ClassAction.REJECT)


def class_refusal(action: str, item, user) -> str | None:
    """Why ``user`` may not take ``action`` on the class ``item`` now, or None when they may.
    The class is assumed visible to the user (callers load it through visible_to)."""
    if not user.is_active:
        return str(_("Your account is inactive."))
    role = role_of(user)
    if role not in CLASS_ROLES.get(action, ()):
        return str(_("Your role may not do this."))
    allowed_from, _to = CLASS_TRANSITIONS[action]
    if item.status not in allowed_from:
        return str(_("A class that is %(status)s cannot be %(action)s.")
                   % {"status": item.get_status_display(), "action": ClassAction(action).label.lower()})
    if role == Role.UNIT_HANDLER and (not item.responsible_unit_id or item.responsible_unit_id != user.unit_id):
        return str(_("Only the class's responsible unit may do this."))
    if role == Role.DISTRICT_LEAD and (not item.district_id or item.district_id != user.district_id):
        return str(_("Only the lead of the class's district may do this."))
    if action in (ClassAction.VERIFY, ClassAction.REJECT):
        if item.closing_applied_by_id == user.pk:
            return str(_("The closing must be verified by someone other than the applicant."))
        if user.unit_id and user.unit_id == item.responsible_unit_id:
            return str(_("The responsible unit may not verify its own class."))
    return None


def allowed_class_actions(item, user) -> list[str]:
    return [action for action in PAGE_CLASS_ACTIONS if class_refusal(action, item, user) is None]
