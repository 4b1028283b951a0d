"""On the demo city (`manage.py seed_demo`), every demo login's task groups count exactly the rows
of the list each links to: the ledger list with its filters, the inspections page's section,
the filtered reports list."""

import re
import shutil
import tempfile
from io import StringIO
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import TestCase, override_settings

from campaign import tasks_home
from campaign.demo import DEMO_USERS
from campaign.models import User

MEDIA_ROOT = tempfile.mkdtemp(prefix="tasks-home-demo-media-")
COUNTS = re.compile(r'href="([^"]+)" data-group="([a-z_]+)">.*?data-count="(\d+)"', re.S)


@override_settings(MEDIA_ROOT=MEDIA_ROOT, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class DemoTaskCountsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)

    def listed(self, url: str) -> int:
        """How many rows the page at ``url`` shows for what its link names."""
        parts = urlsplit(url)
        response = self.client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
        self.assertEqual(response.status_code, 200, url)
        html = response.content.decode()
        if parts.path.startswith("/ledger/problems/"):
            self.assertFalse(response.context["more"], url)
            return response.context["count"]
        if parts.path.startswith("/inspections/"):
            section = re.search(rf'id="{parts.fragment}">(.*?)</section>', html, re.S)
            return len(re.findall(r"<(?:a|tr) [^>]*data-(?:round-point|inspection)=", section.group(1))) if section else 0
        if parts.path.startswith("/reports/"):
            return len(re.findall(r"<tr data-report=", html))
        if parts.path.startswith("/public-reports/"):  # the moderation queue's rows, the review queue's cards
            page = response.context.get("page")
            if page is not None:  # the queue is paged (the demo imports 2,816 citizen messages)
                return page.paginator.count
            return len(re.findall(r"<(?:tr|div) [^>]*data-report=", html))
        if parts.path.startswith("/accountability/escalations/"):
            return len(re.findall(r"<section [^>]*data-escalation=", html))
        if parts.path.startswith("/ledger/classes/"):
            return len(re.findall(r"<tr data-class=", html))
        if parts.path.startswith("/rewards/"):
            return response.context["page"].paginator.count
        if parts.path.startswith("/programme/actions/objects/"):  # the special actions' objects, paged
            return response.context["page"].paginator.count
        if parts.path.startswith("/assessment/archive/"):  # the archive's materials, paged
            return response.context["page"].paginator.count
        if parts.path.startswith("/programme/pairing/tasks/"):  # a unit's pair tasks due, paged
            return response.context["page"].paginator.count
        raise AssertionError(f"no rule to count the rows of {url}")

    def test_every_demo_logins_groups_count_the_rows_of_the_list_they_link_to(self):
        checked = 0
        for username, *_rest in DEMO_USERS:
            user = User.objects.get(username=username)
            self.client.force_login(user)
            home = self.client.get("/", follow=True)
            groups = COUNTS.findall(home.content.decode())
            self.assertEqual(len(groups), len(tasks_home.groups_for(user)), username)
            for url, key, count in groups:
                with self.subTest(user=username, group=key):
                    self.assertEqual(self.listed(url.replace("&amp;", "&")), int(count))
                    checked += 1
        self.assertGreater(checked, 10)

    def test_the_demo_gives_every_role_but_the_leader_something_to_do(self):
        for username, role, *_rest in DEMO_USERS:
            user = User.objects.get(username=username)
            numbers = tasks_home.counts(user, fresh=True)
            if role == "leader":
                self.assertEqual(numbers, {})
            else:
                self.assertTrue(any(numbers.values()), username)

    def test_hqs_verify_group_counts_the_overdue_closing_applications_too(self):
        from ledger.choices import Status
        from ledger.models import Problem

        hq = User.objects.get(username="hq")
        numbers = tasks_home.counts(hq, fresh=True)
        self.assertEqual(numbers["to_verify"], Problem.objects.filter(status=Status.CLOSING_APPLIED).count())
