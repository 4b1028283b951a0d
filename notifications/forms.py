from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.control_characters import ControlCharactersRefused


class PreferencesForm(ControlCharactersRefused, forms.Form):
    """One box per (event kind, channel) the person may get, and the daily digest."""

    daily_digest = forms.BooleanField(
        label=_("Daily digest instead of immediate messages"), required=False,
        help_text=_("The inbox still shows each notification at once; email and SMS come once a day."))

    def __init__(self, *args, chosen: dict[tuple[str, str], bool], digest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = list(chosen)
        self.fields["daily_digest"].initial = digest
        for event, channel in self.pairs:
            self.fields[self.field_name(event, channel)] = forms.BooleanField(
                required=False, initial=chosen[(event, channel)], label=channel)

    @staticmethod
    def field_name(event: str, channel: str) -> str:
        return f"{event}__{channel}"

    def chosen(self) -> dict[tuple[str, str], bool]:
        return {(event, channel): self.cleaned_data[self.field_name(event, channel)] for event, channel in self.pairs}
