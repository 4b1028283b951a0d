"""The ledger's rules in one place: which action moves a problem from which states to which,
and who may take it. Services enforce them; pages and the API ask them which buttons to show."""

from django.utils.translation import gettext_lazy as _

from campaign.choices import Role

from .choices import OPEN_STATUSES, Action, Status

# action -> (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ASSIGN: (frozenset({Status.FOUND}), Status.ASSIGNED),
    Action.REASSIGN: (frozenset({Status.ASSIGNED, Status.RECTIFYING}), Status.ASSIGNED),
    Action.ACKNOWLEDGE: (frozenset({Status.ASSIGNED}), Status.RECTIFYING),
    Action.APPLY_CLOSE: (frozenset({Status.RECTIFYING}), Status.CLOSING_APPLIED),
    Action.APPROVE: (frozenset({Status.CLOSING_APPLIED}), Status.CLOSED),
    Action.REJECT: (frozenset({Status.CLOSING_APPLIED}), Status.RECTIFYING),
    Action.INVALIDATE: (frozenset({Status.FOUND, Status.ASSIGNED, Status.RECTIFYING}), Status.INVALID),
    Action.REBOUND: (frozenset({Status.CLOSED}), None),
    Action.FOUND_AGAIN: (frozenset(OPEN_STATUSES), None),
    Action.CLASSIFY: (frozenset(Status.values), None),
    Action.ISSUE_SHEET: (frozenset({Status.ASSIGNED, Status.RECTIFYING}), None),
    # Correcting an open problem's description, address, severity or deadline (an edited import row).
    Action.EDIT: (frozenset(OPEN_STATUSES), None),
    Action.LOCATE: (frozenset(Status.values), None),
}

# Roles that may take each action, before the scope check (the problem must be visible to
# the user, and a unit handler's problem must be assigned to their unit).
ROLES: dict[str, frozenset[str]] = {
    Action.RECORD: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.INSPECTOR, Role.TEAM_LEAD}),
    Action.ASSIGN: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
    Action.REASSIGN: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
    Action.ACKNOWLEDGE: frozenset({Role.HQ_STAFF, Role.UNIT_HANDLER}),
    Action.APPLY_CLOSE: frozenset({Role.HQ_STAFF, Role.UNIT_HANDLER}),
    Action.APPROVE: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.INSPECTOR}),
    Action.REJECT: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.INSPECTOR}),
    Action.INVALIDATE: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
    Action.REBOUND: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.INSPECTOR}),
    Action.FOUND_AGAIN: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.INSPECTOR}),
    Action.CLASSIFY: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD, Role.TEAM_LEAD}),
    Action.ISSUE_SHEET: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
    Action.EDIT: frozenset({Role.HQ_STAFF}),
    Action.LOCATE: frozenset({Role.HQ_STAFF, Role.DISTRICT_LEAD}),
}

# The actions a person takes on a problem's page (the others come from other flows).
PAGE_ACTIONS = (
    Action.ASSIGN, Action.REASSIGN, Action.ACKNOWLEDGE, Action.APPLY_CLOSE,
    Action.APPROVE, Action.REJECT, Action.INVALIDATE, Action.REBOUND,
)


def role_of(user) -> str:
    return Role.HQ_STAFF if user.is_superuser else user.role


def refusal(action: str, problem, user) -> str | None:
    """Why ``user`` may not take ``action`` on ``problem`` now, or None when they may.

    The problem is assumed visible to the user (callers load it through visible_to)."""
    if not user.is_active:
        return str(_("Your account is inactive."))
    role = role_of(user)
    if role not in ROLES.get(action, ()):
        return str(_("Your role may not do this."))
    if action in TRANSITIONS:
        allowed_from, _to = TRANSITIONS[action]
        if problem.status not in allowed_from:
            return str(
                _("A problem that is %(status)s cannot be %(action)s.")
                % {"status": problem.get_status_display(), "action": Action(action).label.lower()}
            )
    if role == Role.UNIT_HANDLER and problem.responsible_unit_id != user.unit_id:
        return str(_("Only the responsible unit may do this."))
    if role == Role.DISTRICT_LEAD and problem.district_id != user.district_id:
        return str(_("This problem is in another district."))
    if action in (Action.APPROVE, Action.REJECT) and problem.closing_applied_by_id == user.pk:
        return str(_("The closing must be verified by someone other than the applicant."))
    return None


def allowed_actions(problem, user) -> list[str]:
    return [action for action in PAGE_ACTIONS if refusal(action, problem, user) is None]


# --- Who may write for what ----------------------------------------------------------------------
# Reading scope is not writing scope: a problem's fields that name the structure may name only
# what the person may write for (campaign/write_scope.py holds the one rule per role; categories
# are not scoped). A refused field is named in a 400, never a 403 for the whole request.
PROBLEM_SCOPED_FIELDS = ("category", "sample_point", "district", "grid", "road", "responsible_unit", "team")


def recording_team(user, team):
    """The team a problem is recorded for: the one given, else a team lead's own team (a team
    lead records only for their team, so their problem stays theirs to see)."""
    if team is None and role_of(user) == Role.TEAM_LEAD:
        return user.team
    return team
