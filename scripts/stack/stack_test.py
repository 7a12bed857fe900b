#!/usr/bin/env python3
"""The deploy, run for real: the image built from the Dockerfile and compose.yaml brought up with Podman.

Run by scripts/stack-test.sh (which scripts/test.sh calls on a full run). Each step is reported like test.sh's
deploy checks: `check: stack-NAME: PASS|FAIL` on stdout and `PASS|FAIL|SKIP stack-NAME [reason]` appended to
the checks file, so the steps count in the final `N passed, N failed` line. Everything goes through nginx's
published HTTPS port on 127.0.0.1 (SNI and Host dice.example.com, a self-signed certificate in certbot's place),
except the operator's own commands (podman, podman-compose and docs/deploy.md's backup and restore steps).

Cleanup (also on failure or SIGTERM): the project's containers, volumes and networks, the app images and every
image layer this run made; the base stand-ins stay (scripts/stack/standins.sh keys them by their inputs).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import http.client
from pathlib import Path

PROJECT = "diceroller"  # .env.example's COMPOSE_PROJECT_NAME: docs/deploy.md's volume names hold literally
HOST = "dice.example.com"  # .env.example's DICEROLLER_HOST
APP_IMAGE = "localhost/diceroller-stacktest/app"
APP = f"{PROJECT}_app_1"
VALKEY = f"{PROJECT}_valkey_1"
NGINX = f"{PROJECT}_nginx_1"
VOLUMES = [f"{PROJECT}_app-data", f"{PROJECT}_valkey-data"]
NETWORKS = [f"{PROJECT}_proxy", f"{PROJECT}_backend"]
REPO = Path(__file__).resolve().parents[2]


class StepFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise StepFailed(message)


class Stack:
    def __init__(self, work: Path, standins: dict, log):
        self.work = work
        self.deploy = work / "diceroller"  # the self-hoster's checkout (/opt/diceroller in docs/deploy.md)
        self.standins = standins
        self.log = log
        self.ports = free_ports(3)
        # Podman schedules health checks with systemd timers; these machines have no systemd (and no D-Bus to it),
        # so containers with a health check would not start. The checks stay defined; the test runs them itself.
        self.env = dict(os.environ,
                        DISABLE_HC_SYSTEMD="true",
                        DICEROLLER_VALKEY_IMAGE=standins["valkey"],
                        DICEROLLER_NGINX_IMAGE=standins["nginx"],
                        DICEROLLER_HTTP_PORT=str(self.ports[0]),
                        DICEROLLER_HTTPS_PORT=str(self.ports[1]),
                        DICEROLLER_METRICS_PORT=str(self.ports[2]),
                        DICEROLLER_LETSENCRYPT_DIR=str(work / "letsencrypt"))
        self.ca_file = work / "letsencrypt" / "live" / HOST / "fullchain.pem"

    # --- commands -------------------------------------------------------------------------------------------
    def run(self, args, check=True, timeout=900, cwd=None, shell=False):
        shown = args if shell else " ".join(args)
        self.log(f"$ {shown}")
        started = time.monotonic()
        done = subprocess.run(args, cwd=cwd or self.deploy, env=self.env, shell=shell, executable="/bin/bash" if shell else None,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        output = done.stdout.strip()
        if output:
            self.log("\n".join("    " + line for line in output.splitlines()[-60:]))
        self.log(f"    (exit {done.returncode}, {time.monotonic() - started:.1f} s)")
        if check and done.returncode != 0:
            raise StepFailed(f"`{shown}` exited {done.returncode}: {output[-1500:]}")
        return done

    def compose(self, *args, check=True):
        return self.run(["podman-compose", "-p", PROJECT, *args], check=check)

    def inspect(self, name, template):
        return self.run(["podman", "inspect", "--format", template, name]).stdout.strip()

    # --- the deploy ---------------------------------------------------------------------------------------------
    def prepare_checkout(self):
        """The repository's files as a clone has them (no bin/, obj/, .test-run/), .env from .env.example, a certificate."""
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                               stdout=subprocess.PIPE, check=True).stdout.split(b"\0")
        for name in filter(None, files):
            source = REPO / name.decode()
            if source.is_file():
                target = self.deploy / name.decode()
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        # nginx's workers (an unprivileged user) read static/ from this checkout, as from /opt/diceroller.
        for path in [self.work, *self.deploy.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o055 if path.is_dir() else path.stat().st_mode | 0o044)
        self.work.chmod(0o755)
        # docs/deploy.md "First install", steps 4 and 5 (openssl instead of certbot; the image is the one built here).
        self.ca_file.parent.mkdir(parents=True)
        self.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
                  "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(self.ca_file.parent / "privkey.pem"),
                  "-out", str(self.ca_file)])
        (self.deploy / "certbot" / "www").mkdir(parents=True)
        shutil.copy(self.deploy / ".env.example", self.deploy / ".env")
        self.set_env("DICEROLLER_IMAGE", APP_IMAGE)
        self.set_env("DICEROLLER_IMAGE_TAG", "v1")

    def set_env(self, name, value):
        env_file = self.deploy / ".env"
        text, count = re.subn(rf"^{name}=.*$", f"{name}={value}", env_file.read_text(), flags=re.M)
        expect(count == 1, f".env.example has no {name}= line")
        env_file.write_text(text)

    def create_networks(self):
        """podman-compose 1.0.3 creates networks without their `ipam` subnets (and the app trusts nginx's subnet only):
        create them first as compose.yaml declares them, as docs/deploy.md tells podman-compose users to."""
        import yaml  # python3-yaml, a dependency of podman-compose
        networks = yaml.safe_load((self.deploy / "compose.yaml").read_text())["networks"]
        for name, network in networks.items():
            subnet = network["ipam"]["config"][0]["subnet"]
            self.run(["podman", "network", "create", "--subnet", subnet, *(["--internal"] if network.get("internal") else []),
                      "--label", f"io.podman.compose.project={PROJECT}", f"{PROJECT}_{name}"])

    def build_image(self, tag, *extra):
        # In the machine's network namespace when this runs in one of its own (scripts/stack-test.sh): the build restores
        # packages from the registry.
        host = os.environ.get("STACK_HOST_NETNS")
        self.run([*(["nsenter", f"--net={host}"] if host else []), "podman", "build", "--pull=never", "--network", "host", "--format", "docker",
                  "--build-arg", f"SDK_IMAGE={self.standins['sdk']}", "--build-arg", f"ASPNET_IMAGE={self.standins['aspnet']}",
                  *extra, "-t", f"{APP_IMAGE}:{tag}", "."], timeout=1800)
        return self.run(["podman", "image", "inspect", "--format", "{{.Id}}", f"{APP_IMAGE}:{tag}"]).stdout.strip()

    def wait_healthy(self, timeout=180, ready=True):
        """Runs the image's own HEALTHCHECK (`podman healthcheck run`: podman schedules checks with systemd timers,
        and these machines have no systemd) until the app reports healthy, then waits for ready through nginx."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.run(["podman", "healthcheck", "run", APP], check=False)
            if state.returncode == 0:
                break
            expect(time.monotonic() < deadline, f"the app's HEALTHCHECK did not pass within {timeout} s: {state.stdout}")
            time.sleep(2)
        expect(self.inspect(APP, "{{.State.Health.Status}}") == "healthy", "podman does not record the app as healthy")
        while ready:
            try:
                status, _, body = self.client().get("/api/health/ready")
                if status == 200:
                    return
            except OSError as error:
                body = str(error)
            expect(time.monotonic() < deadline, f"/api/health/ready through nginx did not answer 200 within {timeout} s: {body[:300]}")
            time.sleep(1)

    def reload_nginx(self, timeout=120):
        """docs/deploy.md's `compose exec -T nginx nginx -s reload` once the new app is healthy (`up -d --wait`), so nginx
        resolves `app` to its new address. Run with podman exec: podman-compose 1.0.3's exec exits 0 whatever the
        command did. Retried until nginx accepts it: the network's DNS may not know a just-started container yet."""
        deadline = time.monotonic() + timeout
        self.wait_healthy(ready=False)
        while self.run(["podman", "exec", NGINX, "nginx", "-s", "reload"], check=False).returncode != 0:
            expect(time.monotonic() < deadline, f"nginx -s reload failed for {timeout} s")
            time.sleep(1)
        self.wait_healthy()

    def client(self, cookies=None):
        return Client(self.ports[1], self.ca_file, cookies)

    def curl(self, *args):
        return self.run(["curl", "-sS", "--max-time", "20", "--cacert", str(self.ca_file),
                         "--resolve", f"{HOST}:{self.ports[1]}:127.0.0.1", *args])

    def readme_block(self, heading):
        """The first ```sh block after docs/deploy.md's heading (moved there from the README), with `docker` run as the
        podman equivalent (see docker_shim)."""
        readme = (self.deploy / "docs" / "deploy.md").read_text()
        section = readme.split(f"\n{heading}\n", 1)
        expect(len(section) == 2, f"docs/deploy.md has no {heading!r} section")
        block = re.search(r"```sh\n(.*?)```", section[1], re.S)
        expect(block is not None, f"docs/deploy.md's {heading!r} has no sh block")
        return block.group(1)

    def run_readme(self, heading):
        block = self.readme_block(heading)
        self.log(f"docs/deploy.md {heading!r}, run with `docker` as podman:\n{block}")
        return self.run(self.docker_shim() + "set -eu\n" + block, shell=True)

    def docker_shim(self):
        """`docker compose ARGS` -> `podman-compose -p diceroller ARGS`; `docker run/volume ARGS` -> `podman ARGS`
        with the image name `alpine` replaced by the alpine stand-in. Nothing else of the commands changes."""
        return f"""docker() {{
  if [[ "$1" == compose ]]; then shift; podman-compose -p {PROJECT} "$@"; return; fi
  local args=() arg
  for arg in "$@"; do [[ "$arg" == alpine ]] && arg={self.standins['alpine']}; args+=("$arg"); done
  podman "${{args[@]}}"
}}
"""

    # --- cleanup ------------------------------------------------------------------------------------------------
    def remove_everything(self, images_before):
        self.run(["podman", "ps", "-a", "--format", "{{.Names}} {{.Status}}"], check=False)
        ids = self.run(["podman", "ps", "-aq", "--filter", f"label=io.podman.compose.project={PROJECT}"], check=False).stdout.split()
        if ids:
            self.run(["podman", "rm", "-f", "-t", "5", *ids], check=False)
        for volume in VOLUMES:
            self.run(["podman", "volume", "rm", "-f", volume], check=False)
        for network in NETWORKS:
            self.run(["podman", "network", "rm", "-f", network], check=False)
        made = [i for i in image_ids() if i not in images_before and not is_standin(i)]
        for tag in ("v1", "v2"):
            self.run(["podman", "rmi", "-f", f"{APP_IMAGE}:{tag}"], check=False)
        if made:
            self.run(["podman", "rmi", "-f", *made], check=False)


class Client:
    """A browser's HTTP/1.1 over TLS to nginx's published port: 127.0.0.1, SNI and Host dice.example.com, its own cookies."""

    def __init__(self, port, ca_file, cookies=None):
        self.port = port
        self.context = ssl.create_default_context(cafile=str(ca_file))
        self.cookies = dict(cookies or {})
        self.token = None

    def connect(self, timeout=30):
        connection = http.client.HTTPSConnection(HOST, self.port, timeout=timeout, context=self.context)
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        connection.sock = self.context.wrap_socket(raw, server_hostname=HOST)
        return connection

    def request(self, method, path, fields=None, headers=None, stream=False, timeout=30):
        connection = self.connect(timeout)
        headers = {"User-Agent": "DiceRollerStackTest/1.0", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        if stream:
            return response
        text = response.read().decode("utf-8", "replace")
        connection.close()
        token = re.search(r'<input[^>]*name="__RequestVerificationToken"[^>]*value="([^"]+)"', text)
        if token:
            self.token = token.group(1)
        return response.status, response.headers, text

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields, htmx=False):
        if self.token is None:
            self.get("/")
        return self.request("POST", path, fields={**fields, "__RequestVerificationToken": self.token},
                            headers={"HX-Request": "true"} if htmx else None)

    def create_room(self, name):
        status, headers, text = self.post("/rooms", {"player_name": name, "mode": "open"})
        expect(status == 303, f"creating a room answered {status}: {text[:300]}")
        return headers["Location"].rstrip("/").split("/")[-1]

    def join(self, code, name):
        status, _, text = self.post("/join", {"room_code": code, "player_name": name})
        expect(status == 303, f"joining {code} answered {status}: {text[:300]}")

    def roll(self, code, dice="1d20"):
        status, _, text = self.post(f"/rooms/{code}/rolls", {"dice": dice, "modifier": "0", "advantage": "none"}, htmx=True)
        expect(status == 200, f"rolling in {code} answered {status}: {text[:300]}")
        roll_id = re.search(r'data-roll-id="([^"]+)"', text)
        expect(roll_id is not None, f"the roll's answer has no data-roll-id: {text[:300]}")
        return roll_id.group(1)

    def is_member(self, code):
        status, _, text = self.get(f"/rooms/{code}")
        return status == 200 and f'action="/rooms/{code}/rolls"' in text

    def events(self, code, last_event_id=None):
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        response = self.request("GET", f"/rooms/{code}/events", headers=headers, stream=True, timeout=60)
        expect(response.status == 200, f"the event stream answered {response.status}")
        expect(response.headers.get("Content-Type", "").startswith("text/event-stream"), "the event stream is not text/event-stream")
        return EventStream(response)


class EventStream:
    def __init__(self, response):
        self.response = response
        self.seen = []

    def next_event(self):
        event = {"event": "message", "id": None, "data": ""}
        while True:
            line = self.response.fp.readline()
            if not line:
                return None
            line = line.decode("utf-8").rstrip("\r\n")
            if line == "":
                if event["data"] or event["id"] is not None or event["event"] != "message":
                    self.seen.append(event)
                    return event
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                event["data"] += value + "\n"
            elif field in ("event", "id"):
                event[field] = value

    def until(self, predicate, what):
        while True:
            try:
                event = self.next_event()
            except (TimeoutError, socket.timeout):
                raise StepFailed(f"the event stream sent no {what} within 60 s; it sent {[e['event'] for e in self.seen]}")
            expect(event is not None, f"the event stream closed before {what}; it sent {[e['event'] for e in self.seen]}")
            if predicate(event):
                return event

    def roll(self, roll_id):
        return self.until(lambda e: e["event"] == "roll" and f'data-roll-id="{roll_id}"' in e["data"], f"roll {roll_id}")

    def close(self):
        self.response.close()


def leftover_containers():
    """The project's containers an interrupted run of this test left (to remove), or None if any is someone else's."""
    done = subprocess.run(["podman", "ps", "-a", "--format", "{{.Names}} {{.Image}}", "--filter", f"label=io.podman.compose.project={PROJECT}"],
                          stdout=subprocess.PIPE, text=True, check=True)
    rows = [line.split() for line in done.stdout.splitlines() if line.strip()]
    if any(not image.startswith((APP_IMAGE, "localhost/diceroller-standin/")) for _, image in rows):
        return None
    return [name for name, _ in rows]


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def image_ids():
    done = subprocess.run(["podman", "images", "-a", "-q", "--no-trunc"], stdout=subprocess.PIPE, text=True)
    return set(done.stdout.split())


def is_standin(image_id):
    done = subprocess.run(["podman", "image", "inspect", "--format", "{{json .RepoTags}}", image_id], stdout=subprocess.PIPE, text=True)
    return "localhost/diceroller-standin/" in done.stdout


# --- the steps ----------------------------------------------------------------------------------------------------
def steps(stack: Stack, state: dict):
    yield "stack-image-build", lambda: build_v1(stack, state)
    yield "stack-up", lambda: up(stack, state)
    yield "stack-containers", lambda: containers(stack, state)
    yield "stack-https", lambda: https(stack, state)
    yield "stack-play", lambda: play(stack, state)
    yield "stack-metrics", lambda: metrics(stack, state)
    yield "stack-down-up", lambda: down_up(stack, state)
    yield "stack-upgrade", lambda: upgrade(stack, state)
    yield "stack-kill", lambda: kill(stack, state)
    yield "stack-backup-restore", lambda: backup_restore(stack, state)


def build_v1(stack, state):
    stack.prepare_checkout()
    state["v1"] = stack.build_image("v1")
    image = json.loads(stack.run(["podman", "image", "inspect", f"{APP_IMAGE}:v1"]).stdout)[0]
    expect((image.get("Healthcheck") or {}).get("Test") == ["CMD", "dotnet", "/app/DiceRoller.dll", "--health-check"],
           f"the built image has no HEALTHCHECK from the Dockerfile: {image.get('Healthcheck')}")
    user = image["Config"].get("User")
    expect(user == "1654", f"the image's USER is {user!r}, not the aspnet image's APP_UID 1654")


def up(stack, state):
    stack.create_networks()
    stack.compose("up", "-d")
    stack.wait_healthy()


def containers(stack, state):
    # The app: read-only root, tmpfs /tmp, no capabilities, its process not root, only /data writable.
    expect(stack.inspect(APP, "{{.HostConfig.ReadonlyRootfs}}") == "true", "the app's root filesystem is not read-only")
    expect(stack.inspect(APP, "{{.Image}}") == state["v1"], "the app does not run the image built here")
    pid = stack.inspect(APP, "{{.State.Pid}}")
    uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    expect(uids and uids.group(1) == "1654" and uids.group(2) == "1654", f"the app's process runs as {uids and uids.group(0)}, not 1654")
    expect(stack.inspect(APP, "{{.HostConfig.CapDrop}}") != "[]", "the app keeps its capabilities")
    write_app = stack.run(["podman", "exec", APP, "sh", "-c", "touch /app/probe"], check=False)
    expect(write_app.returncode != 0 and "Read-only file system" in write_app.stdout, f"/app is writable: {write_app.stdout}")
    stack.run(["podman", "exec", APP, "sh", "-c", "touch /data/probe && rm /data/probe && touch /tmp/probe"])
    # Only nginx publishes ports.
    for name in (APP, VALKEY):
        bindings = json.loads(stack.inspect(name, "{{json .HostConfig.PortBindings}}")) or {}
        expect(not any(bindings.values()), f"{name} publishes ports: {bindings}")
    expect(stack.run(["podman", "port", NGINX]).stdout.strip(), "nginx publishes no ports")
    # Valkey: the append-only file, fsynced every second, no eviction, as compose's command line says.
    for key, value in (("appendonly", "yes"), ("appendfsync", "everysec"), ("maxmemory-policy", "noeviction")):
        got = stack.run(["podman", "exec", VALKEY, "valkey-cli", "CONFIG", "GET", key]).stdout.split()
        expect(got[-1:] == [value], f"valkey {key} is {got}, not {value}")


def https(stack, state):
    out = stack.curl("--http2", "-o", "/dev/null", "-D", "-", "-w", "version=%{http_version}\n", f"https://{HOST}:{stack.ports[1]}/").stdout
    expect("version=2" in out, f"nginx did not answer over HTTP/2: {out}")
    expect(re.search(r"^strict-transport-security: max-age=63072000; includeSubDomains\r?$", out, re.M | re.I), f"no HSTS: {out}")
    redirect = stack.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", f"http://127.0.0.1:{stack.ports[0]}/join"]).stdout
    expect(redirect == f"301 https://{HOST}/join", f"plain HTTP answered {redirect!r}, not a 301 to https://{HOST}/join")


def play(stack, state):
    dee, bob = stack.client(), stack.client()
    code = dee.create_room("Dee")
    bob.join(code, "Bob")
    stream = bob.events(code)
    stream.until(lambda e: e["event"] == "connected", "connected event")
    roll_id = dee.roll(code)
    event = stream.roll(roll_id)
    stream.close()
    status, _, page = dee.get(f"/roll/{roll_id}")
    expect(status == 200 and roll_id in page, f"the permalink /roll/{roll_id} answered {status}")
    status, _, body = dee.get(f"/api/permalink/{roll_id}")
    expect(status == 200 and roll_id in body, f"/api/permalink/{roll_id} answered {status}: {body[:200]}")
    status, _, key = dee.get("/.well-known/diceroller-key")
    expect(status == 200, f"/.well-known/diceroller-key answered {status}")
    state.update(code=code, dee=dee.cookies, bob=bob.cookies, roll=roll_id, key=json.loads(key)["public_key"], event_id=event["id"])
    aof = stack.run(["podman", "exec", VALKEY, "sh", "-c", "ls /data/appendonlydir"]).stdout
    expect(".aof" in aof, f"valkey's /data has no append-only file: {aof}")


def metrics(stack, state):
    status, _, _ = stack.client().get("/metrics")
    expect(status == 404, f"the public /metrics answered {status}, not 404")
    out = stack.run(["curl", "-sS", "--max-time", "20", f"http://127.0.0.1:{stack.ports[2]}/metrics"]).stdout
    expect("diceroller_rolls" in out, "the loopback metrics port has no diceroller_rolls series")


def survived(stack, state, what):
    """The room, both players' cookies, the roll's permalink and the signing key, as before `what`."""
    dee, bob = stack.client(state["dee"]), stack.client(state["bob"])
    expect(dee.is_member(state["code"]) and bob.is_member(state["code"]), f"after {what} Dee or Bob is no longer in room {state['code']}")
    expect(not stack.client().is_member(state["code"]), "a stranger without cookies is shown the roll form (the check proves nothing)")
    status, _, page = dee.get(f"/roll/{state['roll']}")
    expect(status == 200 and state["roll"] in page, f"after {what} the permalink /roll/{state['roll']} answered {status}")
    status, _, key = dee.get("/.well-known/diceroller-key")
    expect(status == 200 and json.loads(key)["public_key"] == state["key"], f"after {what} the signing key changed")
    return dee, bob


def down_up(stack, state):
    stack.compose("down")
    stack.compose("up", "-d")
    stack.wait_healthy()
    dee, _ = survived(stack, state, "down and up")
    state["roll"] = dee.roll(state["code"])  # the players' antiforgery tokens and cookies still work


def upgrade(stack, state):
    """While Bob's page is open: the image rebuilt as v2, .env pointed at it and the app recreated; the page's
    stream drops, reconnects with Last-Event-ID as a browser's EventSource does, and gets what it missed."""
    state["v2"] = stack.build_image("v2", "--label", "org.opencontainers.image.revision=stack-test-v2")
    expect(state["v2"] != state["v1"], "the rebuilt image has the same id as the first")
    dee, bob = stack.client(state["dee"]), stack.client(state["bob"])
    stream = bob.events(state["code"])
    before = dee.roll(state["code"])
    last_id = stream.roll(before)["id"]
    stack.set_env("DICEROLLER_IMAGE_TAG", "v2")
    # podman-compose 1.0.3 neither recreates a changed service on `up -d` nor knows --wait (docs/deploy.md, "Upgrade").
    stack.compose("up", "-d", "--force-recreate", "app")
    stack.reload_nginx()
    expect(stack.inspect(APP, "{{.Image}}") == state["v2"], "after the upgrade the app does not run v2")
    # The old app may send events until it stops (a heartbeat's roster, at most every 15 s): read on to the stream's end.
    ended, sent, deadline = False, [], time.monotonic() + 120
    while not ended and time.monotonic() < deadline:
        try:
            event = stream.next_event()
        except (TimeoutError, socket.timeout):
            break
        except (OSError, http.client.HTTPException):
            ended = True
            break
        if event is None:
            ended = True
        else:
            sent.append(event["event"])
    expect(ended, f"the stream opened before the upgrade is still open after the app was replaced (events after the upgrade: {sent})")
    missed = dee.roll(state["code"])  # rolled while Bob's page is between streams
    resumed = bob.events(state["code"], last_event_id=last_id)
    stream_missed = resumed.roll(missed)
    replayed = [e for e in resumed.seen if e["event"] == "roll"]
    expect(replayed == [stream_missed], f"after Last-Event-ID {last_id} the stream replayed {[e['id'] for e in replayed]}, not only the missed roll")
    resumed.close()
    state["roll"] = missed
    survived(stack, state, "the upgrade")


def kill(stack, state):
    """A crash (what the OOM killer or a fatal error does: SIGKILL to the app's process) is restarted by the restart
    policy. `podman kill` is recorded as a stop by the user, which the policy leaves stopped (Docker's `docker kill`
    marks the container manually stopped the same way): the operator's `up -d` starts it. Nothing acknowledged is lost."""
    dee = stack.client(state["dee"])
    crashed = dee.roll(state["code"])
    restarts, pid = int(stack.inspect(APP, "{{.RestartCount}}")), int(stack.inspect(APP, "{{.State.Pid}}"))
    stack.log(f"$ kill -KILL {pid}   (the app's process, from the host)")
    os.kill(pid, signal.SIGKILL)
    wait_for(stack, lambda: stack.inspect(APP, "{{.State.Running}}") == "true" and int(stack.inspect(APP, "{{.RestartCount}}")) > restarts,
             "the restart policy to restart the crashed app")
    stack.wait_healthy()
    state["roll"] = crashed
    survived(stack, state, "a crash")
    status, _, log = dee.get(f"/rooms/{state['code']}/log.json")
    expect(status == 200 and crashed in log, f"the room's log.json lacks the roll acknowledged before the crash ({status})")

    killed = dee.roll(state["code"])
    address = "{{(index .NetworkSettings.Networks \"%s_proxy\").IPAddress}}" % PROJECT
    before = stack.inspect(APP, address)
    stack.run(["podman", "kill", APP])
    wait_for(stack, lambda: stack.inspect(APP, "{{.State.Status}}") == "exited", "podman kill to stop the app")
    stack.compose("up", "-d")
    # A started-again container may get another address on the proxy network, and nginx resolved `app` when it
    # started: reload it, as after an upgrade (docs/deploy.md, "Logs, metrics, health").
    stack.log(f"the app's address on the proxy network: {before} before podman kill, {stack.inspect(APP, address)} after up -d")
    stack.reload_nginx()
    state["roll"] = killed
    survived(stack, state, "podman kill and up -d")
    status, _, log = dee.get(f"/rooms/{state['code']}/log.json")
    expect(status == 200 and killed in log and crashed in log, f"the room's log.json lacks a roll acknowledged before a kill ({status})")


def wait_for(stack, condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        expect(time.monotonic() < deadline, f"waited {timeout} s for {what}: the app is {stack.inspect(APP, '{{.State.Status}}')}")
        time.sleep(1)


def backup_restore(stack, state):
    before_backup = state["roll"]
    stack.run_readme("## Backup and restore")
    backup = stack.deploy / "backup"
    for name in ("permalinks.db", "keys", "valkey-data.tgz"):
        expect((backup / name).exists(), f"the backup has no {name}")
    stack.compose("down")
    for volume in VOLUMES:
        stack.run(["podman", "volume", "rm", volume])
    restored = stack.run_readme("Restore into fresh volumes:")
    stack.wait_healthy()
    state["roll"] = before_backup
    survived(stack, state, "restoring the backup into fresh volumes")
    expect(stack.client(state["dee"]).roll(state["code"]), "no roll after the restore")
    del restored


# --- main -----------------------------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", required=True, help="test.sh's checks file")
    parser.add_argument("--standins", required=True, help="NAME=IMAGE lines from standins.sh")
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    standins = dict(line.split("=", 1) for line in Path(args.standins).read_text().split())
    log_file = open(args.log, "a", encoding="utf-8")

    def log(text):
        log_file.write(text + "\n")
        log_file.flush()

    def record(outcome, name, detail=""):
        with open(args.checks, "a", encoding="utf-8") as checks:
            checks.write(f"{outcome} {name}{' ' + detail if detail else ''}\n")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="diceroller-stack-"))
    stack = Stack(work, standins, log)
    images_before = image_ids()
    state, failed = {}, None
    leftovers = leftover_containers()
    if leftovers is None:
        print("check: stack: SKIP: a diceroller compose project this test did not make runs here")
        record("SKIP", "stack", "a diceroller compose project this test did not make runs here (podman ps -a)")
        return 0
    try:
        if leftovers:
            log(f"removing what an interrupted run left: {leftovers}")
            stack.remove_everything(images_before)
        for name, step in steps(stack, state):
            if failed:
                print(f"check: {name}: SKIP (not run: {failed} failed)")
                record("SKIP", name, f"not run: {failed} failed")
                continue
            print(f"check: {name}: running", flush=True)
            log(f"=== {name}")
            started = time.monotonic()
            try:
                step()
                print(f"check: {name}: PASS ({time.monotonic() - started:.0f} s)", flush=True)
                record("PASS", name)
            except (StepFailed, subprocess.TimeoutExpired, OSError, KeyError, ValueError, http.client.HTTPException) as error:
                failed = name
                print(f"check: {name}: FAIL ({time.monotonic() - started:.0f} s): {error}", flush=True)
                log(f"FAIL: {error}")
                record("FAIL", name)
                for container in (APP, VALKEY, NGINX):
                    stack.run(["podman", "logs", "--tail", "40", container], check=False)
    finally:
        print("stack: removing the stack's containers, volumes, networks and images", flush=True)
        stack.remove_everything(images_before)
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
