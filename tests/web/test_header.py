"""The header's timer names "client · project" and long names never widen the header."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from ledger.api import Ledger

from .web_helpers import csrf

CSS = Path(__file__).parents[2] / "src" / "ledger" / "web" / "static" / "app.css"
LONG = "Zeměměřičský úřad pro hlavní město a Středočeský kraj, pobočka Kladno-Rozdělov"


def test_the_timer_offers_client_and_project(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK")
    beta = lg.clients.add(name="Beta", currency="CZK")
    lg.projects.add(beta.id, name="App")
    lg.projects.add(acme.id, name="Web")
    timer = client.get("/").text.split('id="timer"')[1].split("</div>")[0]
    options = re.findall(r'<option value="\d+">([^<]+)</option>', timer)
    assert options == ["Acme · Web", "Beta · App"]


def test_the_timer_escapes_names_and_shows_a_new_project(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="A&B <s.r.o.>", currency="CZK")
    lg.projects.add(acme.id, name='"Web"')
    client.get("/")  # the options are made once for these projects
    lg.projects.add(acme.id, name="ERP")
    timer = client.get("/").text.split('id="timer"')[1].split("</div>")[0]
    options = re.findall(r'<option value="\d+">([^<]+)</option>', timer)
    assert options == ["A&amp;B &lt;s.r.o.&gt; · &#34;Web&#34;", "A&amp;B &lt;s.r.o.&gt; · ERP"]


def test_the_running_timer_names_client_and_project(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name=LONG, currency="CZK")
    project = lg.projects.add(acme.id, name="Web")
    token = csrf(client, "/")
    client.post("/time/timer/start", data={"csrf_token": token, "project": str(project.id)})
    page = client.get("/").text
    shown = re.search(r'<span data-testid="timer-project">([^<]+)</span>', page)
    assert shown is not None
    assert shown.group(1) == f"{LONG} · Web"


def test_long_names_are_cut_with_an_ellipsis_in_the_header() -> None:
    css = CSS.read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = {key.strip(): body for key, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)}
    running = rules['.timer [data-testid="timer-running"]']
    assert "text-overflow: ellipsis" in running
    assert "white-space: nowrap" in running
    assert "max-width" in rules[".timer select, .timer input"]
