""""/" and the page after signing in: each role lands on its own work (campaign/tasks_home.py)."""

from django.shortcuts import redirect

from ..tasks_home import home_url
from .structure import campaign_staff_required


@campaign_staff_required
def home(request):
    return redirect(home_url(request.user))
