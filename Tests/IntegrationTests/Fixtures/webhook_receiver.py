"""A webhook receiver for tests, as an authority would write one.

Usage: python3 webhook_receiver.py --port PORT --secret SECRET --state DIR [--fail-first K]
(standard library only; the tests run it with /usr/bin/python3 through PythonFixture)

Each POST is checked: the EcoResupply-Signature header (t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>">, timestamp within 5 minutes) or 401; Content-Type application/cloudevents+json and
ce-id / ce-type matching the body, or 400. The first K well-signed requests get 500, to exercise
retries. Then the event is "applied": appended as one line (the body exactly as received) to
DIR/applied.jsonl, at most once per CloudEvent id. DIR/state.json keeps the ids applied, so that a
restarted receiver still knows them: delivery is at least once, application exactly once.

Prints READY once listening, then one line per request: `<status> <ce-id>`.
"""
import argparse
import hashlib
import hmac
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The test process may start us with SIGTERM blocked; make sure it ends us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--secret", required=True)
parser.add_argument("--state", required=True)
parser.add_argument("--fail-first", type=int, default=0)
parser.add_argument("--tolerance", type=int, default=300, help="seconds a signature's timestamp may be off")
args = parser.parse_args()

os.makedirs(args.state, exist_ok=True)
APPLIED = os.path.join(args.state, "applied.jsonl")
STATE = os.path.join(args.state, "state.json")
lock = threading.Lock()
failures_left = args.fail_first


def load_state():
    """The ids applied so far: the state file, plus any line of the application file written just
    before a crash that the state file did not record yet (a torn last line is dropped)."""
    seen = set()
    if os.path.exists(STATE):
        with open(STATE) as f:
            seen = set(json.load(f)["applied"])
    if os.path.exists(APPLIED):
        with open(APPLIED, "rb") as f:
            data = f.read()
        good = 0
        for line in data.split(b"\n"):
            if not line:
                continue
            try:
                seen.add(json.loads(line)["id"])
            except ValueError:
                break
            good += len(line) + 1
        if good < len(data):
            with open(APPLIED, "r+b") as f:
                f.truncate(good)
    save_state(seen)
    return seen


def save_state(seen):
    temporary = STATE + ".tmp"
    with open(temporary, "w") as f:
        json.dump({"applied": sorted(seen)}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, STATE)


seen = load_state()


def signature_ok(header, body):
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > args.tolerance:
        return False
    expected = hmac.new(args.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global failures_left
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        event_id = self.headers.get("ce-id", "-")
        if not signature_ok(self.headers.get("EcoResupply-Signature", ""), body):
            return self.answer(401, event_id)
        try:
            event = json.loads(body)
        except ValueError:
            return self.answer(400, event_id)
        if (self.headers.get("Content-Type") != "application/cloudevents+json"
                or event.get("id") != event_id or event.get("type") != self.headers.get("ce-type")):
            return self.answer(400, event_id)
        with lock:
            if failures_left > 0:
                failures_left -= 1
                return self.answer(500, event_id)
            if event_id not in seen:
                with open(APPLIED, "ab") as f:
                    f.write(body + b"\n")
                    f.flush()
                    os.fsync(f.fileno())
                seen.add(event_id)
                save_state(seen)
        self.answer(204, event_id)

    def answer(self, status, event_id):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        print(f"{status} {event_id}", flush=True)

    def log_message(self, *arguments):
        pass


server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
print("READY", flush=True)
server.serve_forever()
