"""campaign.cache.page_values: what every page's header reads from the cache (the current
campaign, the menu's task counts, the unread count) comes in one round trip."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaign.context_processors import CURRENT_CAMPAIGN_KEY
from campaign.tasks_home import CACHE_KEY
from notifications.services import unread_key_of

pytestmark = pytest.mark.django_db


def test_the_header_reads_its_cached_values_in_one_round_trip(city, login):
    client = login(city.district_lead)
    first = client.get(reverse("ledger:problem_list")).content.decode()  # counts and keeps them
    keys = {CURRENT_CAMPAIGN_KEY, CACHE_KEY.format(pk=city.district_lead.pk), unread_key_of(city.district_lead)}
    assert keys <= set(cache.get_many(list(keys)))  # all three kept by the first page
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as many, \
            mock.patch.object(cache, "get", wraps=cache.get) as one:
        again = client.get(reverse("ledger:problem_list")).content.decode()
    assert many.call_count == 1 and set(many.call_args.args[0]) == keys
    # Not read again one by one (a cache without its own get_many, as the tests' local one,
    # reads each key once inside it; Redis reads them with one MGET).
    read = [call.args[0] for call in one.call_args_list]
    assert all(read.count(key) <= 1 for key in keys), read
    assert 'id="task-menu"' in again and again.count('id="nav-inbox"') == 1
    assert _menu(again) == _menu(first)


def test_a_value_not_cached_is_computed_and_kept_as_before(city, login):
    client = login(city.district_lead)
    client.get(reverse("ledger:problem_list"))
    cache.delete(CACHE_KEY.format(pk=city.district_lead.pk))
    assert client.get(reverse("ledger:problem_list")).status_code == 200
    assert cache.get(CACHE_KEY.format(pk=city.district_lead.pk)) is not None


def _menu(html: str) -> str:
    return html[html.index('id="task-menu"'):html.index("</ul>", html.index('id="task-menu"'))]
