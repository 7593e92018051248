"""S5 staff mix for locust (bench/s5_staff.py starts it headless on loopback).

Each simulated professional has a bench session and the children they hold a role for.
Mix (think time 5–15 s): 55 % child overview, 20 % search (POST, name fragment), 15 % writes —
a concern about one of their children, a plan save where they lead the plan, meeting minutes
where they are on the team (each through the real form: GET it, fill it, POST it, and a save
must redirect) — 5 % the plan page or the to-do start page, 5 % my children list and the
static files a page loads (through whitenoise, as in production).
"""

import json
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, task

USERS = json.load(open(os.environ["BENCH_LOCUST_DATA"]))
_next = iter(range(10**9))
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


class _Form(HTMLParser):
    """The fields of the first form that posts (inputs, checked boxes, textareas, selects)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._done = False
        self._textarea = self._select = None
        self._select_value = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and (a.get("method") or "").lower() == "post" and "logout" not in (a.get("action") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select and ("selected" in a or (self._select_value is None and a.get("value"))):
            self._select_value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


class Staff(HttpUser):
    wait_time = between(float(os.environ.get("BENCH_THINK_MIN", 5)), float(os.environ.get("BENCH_THINK_MAX", 15)))

    def on_start(self):
        me = USERS[next(_next) % len(USERS)]
        self.children, self.plans, self.names = me["children"], me["plans"], me["names"]
        self.lead_plans, self.meetings = me.get("lead_plans") or [], me.get("meetings") or []
        self.client.cookies.set("sessionid", me["session"])
        self.client.get("/barn/sok/", name="search form")

    def _post_form(self, url: str, name: str, fill: dict[str, str]):
        """GET a form, keep what it holds, fill `fill`, POST it; a save answers with a redirect."""
        page = self.client.get(url, name=f"{name} (form)")
        if page.status_code != 200:
            return
        fields = [(k, v) for k, v in form_fields(page.text) if k not in fill]
        fields += list(fill.items())
        with self.client.post(
            url,
            data=fields,
            headers={"Referer": self.host + url},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name}: {response.status_code} (the form was refused, not saved)")

    @task(55)
    def overview(self):
        self.client.get(f"/barn/{random.choice(self.children)}/", name="child overview")

    @task(20)
    def search(self):
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/barn/sok/",
            {"q": random.choice(self.names), "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/barn/sok/"},
            name="search",
        )

    @task(5)
    def concern(self):
        child = random.choice(self.children)
        self._post_form(
            f"/barn/{child}/oro/ny/",
            "write concern",
            {"description": "Eleven har varit trött på morgnarna den senaste veckan (S5-last)."},
        )

    @task(5)
    def plan_save(self):
        if not self.lead_plans:
            return self.concern()
        child, plan = random.choice(self.lead_plans)
        self._post_form(
            f"/barn/{child}/plan/{plan}/andra/",
            "write plan save",
            {"reason": f"Stöd i skolan och hemma, följs upp i teamet (S5-last {random.randint(1, 10**6)})."},
        )

    @task(5)
    def minutes(self):
        if not self.meetings:
            return self.concern()
        child, meeting = random.choice(self.meetings)
        self._post_form(
            f"/barn/{child}/moten/{meeting}/",
            "write meeting minutes",
            {"minutes": f"Teamet gick igenom planen (S5-last {random.randint(1, 10**6)}).", "decisions": ""},
        )

    @task(5)
    def plan(self):
        if self.plans:
            self.client.get(f"/barn/{random.choice(self.plans)}/plan/", name="plan page")
        else:
            self.client.get("/att-gora/", name="to-do start page")

    @task(5)
    def my_children(self):
        page = self.client.get("/", name="my children")
        for path in sorted(set(STATIC.findall(page.text or ""))):
            self.client.get(path, name="static file")
