""""/" and the page after signing in: each role lands on its own work (campaign/tasks_home.py)."""

from django.contrib.auth.views import LogoutView
from django.shortcuts import redirect, render

from ..sessions import SessionNotEnded
from ..tasks_home import home_url
from .structure import campaign_staff_required


@campaign_staff_required
def home(request):
    return redirect(home_url(request.user))


class SignOutView(LogoutView):
    """Django's sign-out, telling the browser to drop what this site cached and stored: the field
    app's offline copy and queue must not outlive the session on a shared or lost phone
    (README "Field work offline"; the phone also clears them itself before signing out). Every
    "Log out" form warns first when the phone still holds unsent entries (static/js/signout-guard.js)."""

    def post(self, request, *args, **kwargs):
        try:
            response = super().post(request, *args, **kwargs)
        except SessionNotEnded:
            # The cache holding the sessions cannot be reached: the session stays open, whole,
            # and the person is told so rather than shown a sign-in page (campaign/sessions.py).
            return render(request, "registration/signout_failed.html", status=503)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
