"""Locust users for bench_web: advisors who log in, then open Today, the client list and their clients' 360 pages.

The loader writes the advisors' usernames and client codes to the file named by PANHUO_BENCH_PLAN; each
simulated user takes the next advisor, so 20 users are 20 different advisors.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from gevent.event import Event
from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["PANHUO_BENCH_PLAN"], encoding="utf-8").read())
_next = itertools.count()
_logged_in = itertools.count(1)
_all_in = Event()
USERS = int(os.environ.get("PANHUO_BENCH_USERS", "20"))
FILTERS = [{}, {"lifecycle": "dormant"}, {"tier": "vip"}, {"sort": "-assets"}, {"sort": "-churn"}, {"q": "王"},
           {"risk": "C3"}, {"page": "2"}, {"page": "5"}]


class Advisor(HttpUser):
    # A person clicks every one to two seconds at most; without a pause the test measures queueing, not pages.
    wait_time = between(1, 2)

    def on_start(self):
        me = PLAN["advisors"][next(_next) % len(PLAN["advisors"])]
        self.clients_of_mine = me["clients"]
        page = self.client.get("/accounts/login/", name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        r = self.client.post("/accounts/login/", {"username": me["username"], "password": PLAN["password"],
                                                  "csrfmiddlewaretoken": token}, name="login",
                             headers={"Referer": self.host + "/accounts/login/"})
        if "/accounts/login/" in r.url:
            raise RuntimeError("login failed")
        # Logging in hashes a password on purpose slowly; measure the pages, not the morning's logins:
        # the last user in resets the statistics and lets everybody start.
        if next(_logged_in) == USERS:
            self.environment.stats.reset_all()
            _all_in.set()
        _all_in.wait()

    @task(3)
    def today(self):
        self.client.get("/today/", name="today")

    @task(3)
    def client_list(self):
        self.client.get("/clients/", params=random.choice(FILTERS), name="clients")

    @task(4)
    def client_360(self):
        self.client.get(f"/clients/{random.choice(self.clients_of_mine)}/", name="client360")

    @task(1)
    def health(self):
        self.client.get("/health/", name="health")
