"""The model sites' notification kind (registered in ProgrammeConfig.ready): HQ is told when
the daily sweep suspends a model site."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.choices import Role
from notifications.events import register

from ..services.sites import MODEL_SITE_SUSPENDED


def model_site_link(site) -> str:
    return reverse("programme:model_site_detail", args=[site.pk])


def register_kinds() -> None:
    register(MODEL_SITE_SUSPENDED, _("A model site was suspended because its inspection scores fell"),
             roles=(Role.HQ_STAFF,), link=model_site_link)
