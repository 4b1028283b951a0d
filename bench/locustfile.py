"""Simulated staff on the production path: what bench/load.py runs against gunicorn.

Three kinds of people, weighted as a campaign's Monday looks: HQ staff reading (the ledger, a
problem, the list endpoint, the dashboard, the reports) and verifying closing applications;
district leads reading their district and assigning what was found; unit handlers working
their unit's problems (acknowledge, then apply to close with a photo). Each simulated person
signs in through the sign-in page like a browser and keeps its session. Requests are named by
endpoint (not by URL) so that the figures group per endpoint.

A 409 on a write is the ledger refusing a stale or already-moved problem (two simulated people
acting on the same problem): a correct answer, counted apart ("conflict"), not an error.
"""

import io
import os
import random

from locust import HttpUser, between, constant, task
from locust.exception import StopUser

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo")
# The floor (bench/load.py): one person of each kind, clicking without pause, nobody else on
# the server; the crowd: people who read a page for one to three seconds.
FLOOR = os.environ.get("LOAD_FLOOR") == "1"
PHOTO = None


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
        self.client.get("/login/", name="sign-in page")
        token = self.client.cookies.get("csrftoken")
        answer = self.client.post(
            "/login/", {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/login/"}, name="sign in", allow_redirects=False,
        )
        if answer.status_code != 302:
            raise StopUser(f"{self.username} could not sign in ({answer.status_code})")

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
            self.act(random.choice(rows), "verify", "verify (write)", approved=True, note="核验通过")


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
        units = getattr(self, "units", None)
        if units is None:
            answer = self.client.get("/api/units/", params={"page_size": 100}, name="API units")
            units = self.units = [row["id"] for row in answer.json().get("results", [])] if answer.ok else []
        if rows and units:
            self.act(random.choice(rows), "assign", "assign (write)", unit=random.choice(units), note="请按期整改")


class UnitHandler(Staff):
    weight = 5
    username = "unit"

    @task(3)
    def my_tasks(self):
        self.client.get("/ledger/my-tasks/", name="my tasks")

    @task(3)
    def ledger(self):
        self.client.get("/ledger/problems/", name="ledger page, unit")

    @task(2)
    def acknowledge(self):
        rows = self.problems("API problems, assigned", status="assigned")
        if rows:
            self.act(random.choice(rows), "acknowledge", "acknowledge (write)", note="已安排整改")

    @task(2)
    def apply_close(self):
        rows = self.problems("API problems, rectifying", status="rectifying")
        if rows:
            problem = random.choice(rows)
            self.act(problem, "apply-close", "apply to close (write)", note="已整改完毕",
                     files=[("photos", ("after.jpg", photo_bytes(), "image/jpeg"))])


