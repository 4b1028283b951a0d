"""Simulated staff on the production path: what bench/load.py runs against gunicorn.

Three kinds of people, weighted as a campaign's Monday looks: HQ staff reading (the ledger, a
problem, the list endpoint, the dashboard, the reports) and verifying closing applications;
district leads reading their district, recording what they find and assigning it; unit
handlers working their unit's problems (acknowledge, then apply to close with a photo). Each
simulated person signs in through the sign-in page like a browser and keeps its session.
Requests are named by endpoint (not by URL) so that the figures group per endpoint.

Every write picks its problem from the list endpoint filtered by the status it acts on, in the
person's scope, so the writes keep finding work for the whole run: the district lead assigns
what was found in the district (and, when nothing is, reassigns an assigned problem), mostly
to the unit whose handler is simulated, and records new problems now and then; the unit
handler acknowledges and applies to close; HQ approves half of the applications and sends the
rest back to rectification. A problem never leaves the handler's scope (nobody reassigns away
from the handler's unit), so a write never meets a 404.

A 409 on a write is the ledger refusing a stale or already-moved problem (two simulated people
acting on the same problem): a correct answer, counted apart ("conflict"), not an error.

With LOAD_SECONDS set (bench/load.py sets it), the figures count from when the last person has
signed in: the sign-ins (PBKDF2, a deliberate ~0.3 s of CPU each, once a day) are timed apart,
written to LOAD_SIGNINS (p50/p95/p99 of the arrivals), then the statistics are reset and the
run stops LOAD_SECONDS later. locust's own --reset-stats resets when the last person is
spawned, while the sign-ins they start are still queued: they then filled the measured minute.
"""

import collections
import io
import os
import random

import gevent
from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo")
# The floor (bench/load.py): one person of each kind, clicking without pause, nobody else on
# the server; the crowd: people who read a page for one to three seconds.
FLOOR = os.environ.get("LOAD_FLOOR") == "1"
PHOTO = None
# Shared by the simulated people of this locust process: the unit handler's unit (the district
# leads assign to it, so the handlers keep finding work) and the district's units.
SHARED: dict = {}
MEASURED_SECONDS = int(os.environ.get("LOAD_SECONDS", "0"))
SIGNINS: list[float] = []  # milliseconds, every sign-in of the arrivals


@events.request.add_listener
def _count_signin(request_type, name, response_time, exception, **_kwargs):
    if name == "sign in" and MEASURED_SECONDS:
        SIGNINS.append(response_time)


def _everyone_signed_in(environment) -> None:
    """Time the arrivals apart, then measure LOAD_SECONDS of work with everyone signed in."""
    if not MEASURED_SECONDS or SHARED.get("measuring"):
        return
    SHARED["measuring"] = True
    path = os.environ.get("LOAD_SIGNINS")
    if path and SIGNINS:
        ordered = sorted(SIGNINS)

        def percentile(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

        with open(path, "w") as handle:
            handle.write(f"{len(ordered)},{percentile(0.5):.0f},{percentile(0.95):.0f},{percentile(0.99):.0f}\n")
    environment.runner.stats.reset_all()
    gevent.spawn_later(MEASURED_SECONDS, environment.runner.quit)


def photo_bytes() -> bytes:
    """A small real JPEG (the ledger checks photos by content)."""
    global PHOTO
    if PHOTO is None:
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (90, 140, 90)).save(buffer, "JPEG")
        PHOTO = buffer.getvalue()
    return PHOTO


class Staff(HttpUser):
    abstract = True
    wait_time = constant(0) if FLOOR else between(1, 3)
    fixed_count = 1 if FLOOR else 0
    username = ""

    def on_start(self):
        # As a browser does: a GET sent on a kept-alive connection that the server closed at that
        # moment (gunicorn's keepalive timeout, while this process was too busy to send on time)
        # is sent again once on a new connection; writes are never resent.
        self.client.mount(self.host, HTTPAdapter(max_retries=Retry(
            total=1, connect=1, read=1, status=0, other=0, allowed_methods=frozenset({"GET", "HEAD"}),
            raise_on_status=False)))
        self.client.get("/login/", name="sign-in page")
        token = self.client.cookies.get("csrftoken")
        answer = self.client.post(
            "/login/", {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/login/"}, name="sign in", allow_redirects=False,
        )
        if answer.status_code != 302:
            raise StopUser(f"{self.username} could not sign in ({answer.status_code})")
        SHARED["signed_in"] = SHARED.get("signed_in", 0) + 1
        if SHARED["signed_in"] >= self.environment.runner.target_user_count:
            _everyone_signed_in(self.environment)

    def _headers(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}

    def problems(self, name: str, **params) -> list[dict]:
        answer = self.client.get("/api/problems/", params=params, name=name)
        if answer.status_code != 200:
            return []
        return answer.json().get("results", [])

    def act(self, problem: dict, action: str, name: str, **data):
        """A ledger move through the API; a 409 (stale or already moved) is not an error."""
        files = data.pop("files", None)
        payload = {"version": problem["version"], **data}
        with self.client.post(
            f"/api/problems/{problem['id']}/{action}/", json=None if files else payload,
            data=payload if files else None, files=files, headers=self._headers(), name=name,
            catch_response=True,
        ) as answer:
            if answer.status_code == 409:
                answer.success()
                self.environment.events.request.fire(
                    request_type="CONFLICT", name=name, response_time=answer.elapsed.total_seconds() * 1000,
                    response_length=0, exception=None, context={},
                )
            elif answer.status_code >= 400:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")
            return answer


class HQStaff(Staff):
    weight = 2
    username = "hq"

    @task(4)
    def ledger(self):
        self.client.get("/ledger/problems/", name="ledger page")

    @task(2)
    def ledger_filtered(self):
        status = random.choice(["found", "assigned", "rectifying", "closing_applied"])
        self.client.get("/ledger/problems/", params={"status": status}, name="ledger page, by status")

    @task(3)
    def problem(self):
        rows = self.problems("API problems, open", status="assigned")
        if rows:
            self.client.get(f"/ledger/problems/{random.choice(rows)['id']}/", name="problem page")

    @task(2)
    def dashboard(self):
        self.client.get("/reports/dashboard/", name="dashboard")

    @task(1)
    def reports(self):
        self.client.get("/reports/", name="reports list")

    @task(2)
    def verify(self):
        rows = self.problems("API problems, closing applied", status="closing_applied")
        if rows:
            # Half approved (closed), half sent back to rectification (the handlers' work again).
            if random.random() < 0.5:
                self.act(random.choice(rows), "verify", "verify (write)", approved=True, note="核验通过")
            else:
                self.act(random.choice(rows), "verify", "verify (write)", approved=False, note="整改不到位，请重新整改")


class DistrictLead(Staff):
    weight = 3
    username = "district"

    @task(4)
    def ledger(self):
        self.client.get("/ledger/problems/", name="ledger page, district")

    @task(2)
    def my_tasks(self):
        self.client.get("/ledger/my-tasks/", name="my tasks")

    @task(2)
    def api(self):
        self.problems("API problems, district", ordering="deadline")

    @task(2)
    def assign(self):
        rows = self.problems("API problems, found", status="found")
        if not rows:
            # Nothing found left: reassign an assigned problem of another unit to the handler's.
            rows = [row for row in self.problems("API problems, assigned", status="assigned")
                    if row.get("responsible_unit") != SHARED.get("unit")]
        units = self.district_units()
        if rows and units:
            unit = SHARED.get("unit") if SHARED.get("unit") and random.random() < 0.7 else random.choice(units)
            self.act(random.choice(rows), "assign", "assign (write)", unit=unit, note="请按期整改")

    @task(1)
    def record(self):
        """A problem found on the district's streets (the assign task's work of tomorrow)."""
        district = SHARED.get("district")
        categories = SHARED.get("categories")
        if district is None or not categories:
            rows = self.problems("API problems, district", ordering="deadline")
            if not rows:
                return
            district = SHARED["district"] = rows[0]["district"]
            answer = self.client.get("/api/categories/", name="API categories")
            categories = SHARED["categories"] = [row["id"] for row in answer.json().get("results", [])] if answer.ok else []
        if categories:
            with self.client.post("/api/problems/", json={
                "description": "路边垃圾未清运", "district": district, "category": random.choice(categories),
                "source": "routine", "address": "负载测试路 1 号",
            }, headers=self._headers(), name="record (write)", catch_response=True) as answer:
                if answer.status_code != 201:
                    answer.failure(f"{answer.status_code}: {answer.text[:200]}")

    def district_units(self) -> list[int]:
        """The district's own units (those a district lead assigns to)."""
        units = SHARED.get("units")
        if units is None:
            answer = self.client.get("/api/units/", params={"page_size": 100}, name="API units")
            rows = answer.json().get("results", []) if answer.ok else []
            mine = {row["district"] for row in self.problems("API problems, district", ordering="deadline")}
            units = SHARED["units"] = [row["id"] for row in rows if row["district"] in mine]
        return units


class UnitHandler(Staff):
    weight = 5
    username = "unit"

    @task(3)
    def my_tasks(self):
        self.client.get("/ledger/my-tasks/", name="my tasks")

    @task(3)
    def ledger(self):
        self.client.get("/ledger/problems/", name="ledger page, unit")

    def mine(self, name: str, status: str) -> list[dict]:
        """The unit's problems in ``status`` (a handler also reads problems of other units that a
        problem class of theirs holds; those are not theirs to move)."""
        rows = self.problems(name, status=status)
        if rows and "unit" not in SHARED:
            SHARED["unit"] = collections.Counter(row["responsible_unit"] for row in rows).most_common(1)[0][0]
        return [row for row in rows if row["responsible_unit"] == SHARED.get("unit")]

    @task(2)
    def acknowledge(self):
        rows = self.mine("API problems, assigned", "assigned")
        if rows:
            self.act(random.choice(rows), "acknowledge", "acknowledge (write)", note="已安排整改")

    @task(2)
    def apply_close(self):
        rows = self.mine("API problems, rectifying", "rectifying")
        if rows:
            problem = random.choice(rows)
            self.act(problem, "apply-close", "apply to close (write)", note="已整改完毕",
                     files=[("photos", ("after.jpg", photo_bytes(), "image/jpeg"))])
