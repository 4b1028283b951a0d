"""``{{ number|mobile_mask }}``: a mobile number as anyone but a moderator sees it."""

from django import template

from campaign.public_guard import mobile_mask as _mobile_mask

register = template.Library()


@register.filter
def mobile_mask(value):
    return _mobile_mask(value)
