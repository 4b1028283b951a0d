from .choices import Action
from .rules import ROLES, role_of


def ledger_nav(request):
    """Whether the menu offers "Record a problem" to this user."""
    user = getattr(request, "user", None)
    can_record = bool(user and user.is_authenticated and role_of(user) in ROLES[Action.RECORD])
    return {"can_record_problem": can_record}
