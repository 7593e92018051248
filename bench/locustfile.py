"""S5 staff mix for locust (bench/s5_staff.py starts it headless on loopback).

Each simulated professional has a bench session and the children they hold a role for.
Mix: 60 % child overview, 20 % search (POST, name fragment), 15 % the child's plan page
(children with a plan) or the to-do start page, 5 % my children list; think time 5–15 s.
"""

import json
import os
import random

from locust import HttpUser, between, task

USERS = json.load(open(os.environ["BENCH_LOCUST_DATA"]))
_next = iter(range(10**9))


class Staff(HttpUser):
    wait_time = between(float(os.environ.get("BENCH_THINK_MIN", 5)), float(os.environ.get("BENCH_THINK_MAX", 15)))

    def on_start(self):
        me = USERS[next(_next) % len(USERS)]
        self.children, self.plans, self.names = me["children"], me["plans"], me["names"]
        self.client.cookies.set("sessionid", me["session"])
        self.client.get("/barn/sok/", name="search form")

    @task(60)
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

    @task(15)
    def plan(self):
        if self.plans:
            self.client.get(f"/barn/{random.choice(self.plans)}/plan/", name="plan page")
        else:
            self.client.get("/att-gora/", name="to-do start page")

    @task(5)
    def my_children(self):
        self.client.get("/", name="my children")
