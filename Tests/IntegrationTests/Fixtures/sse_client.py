#!/usr/bin/env python3
"""A municipal system reading GET /streams/reports as Server-Sent Events, with the standard library.

It is the example of docs/streams.md and the client of the SSE stream tests:

- it sends its API key as a bearer token, and `Last-Event-ID` with the id of the last event it
  applied, so the gateway resumes right after it (nothing lost, nothing repeated);
- "applying" an event appends it to STATE/events.jsonl as {"id", "event", "data"}; the last line is
  the stream position, so a crash between reading and recording never applies an event twice;
- `--stop-after N` closes the connection after N events, as a dropped network would;
- it prints "connected" once the stream's headers arrived, and exits on SIGTERM.

usage: sse_client.py --url http://127.0.0.1:8080/streams/reports --key erk_… --state DIR [--from 0] [--stop-after N]
"""
import argparse
import http.client
import json
import os
import signal
import sys
import urllib.parse


def last_applied(path):
    """The id of the last complete line of events.jsonl, or None."""
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    complete = [line for line in lines[:-1] if line.strip()]  # a partial last line was never applied
    if len(lines) > 1 and lines[-1]:
        with open(path, "wb") as f:  # drop the torn line so the next append starts clean
            f.write(b"\n".join(lines[:-1]) + b"\n")
    return json.loads(complete[-1])["id"] if complete else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--from", dest="start", help="Last-Event-ID to send when nothing was applied yet")
    parser.add_argument("--stop-after", type=int, default=0)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    os.makedirs(args.state, exist_ok=True)
    journal = os.path.join(args.state, "events.jsonl")
    resume = last_applied(journal) or args.start

    url = urllib.parse.urlsplit(args.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"Authorization": f"Bearer {args.key}", "Accept": "text/event-stream"}
    if resume is not None:
        headers["Last-Event-ID"] = resume
    connection.request("GET", url.path, headers=headers)
    response = connection.getresponse()
    if response.status != 200:
        print(f"refused: {response.status} {response.read().decode()}", file=sys.stderr)
        sys.exit(2)
    print("connected", flush=True)

    applied = 0
    event = {"id": None, "event": None, "data": []}
    with open(journal, "a") as out:
        while True:
            raw = response.readline()
            if not raw:
                print("stream ended", file=sys.stderr)
                return
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith(":"):
                continue  # a comment: keep-alive
            if line == "":
                if event["data"]:  # dispatch, as a browser's EventSource does
                    out.write(json.dumps({"id": event["id"], "event": event["event"], "data": json.loads("\n".join(event["data"]))}) + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                    applied += 1
                    if args.stop_after and applied >= args.stop_after:
                        print(f"disconnecting after {applied} events", file=sys.stderr)
                        connection.close()
                        return
                event = {"id": event["id"], "event": None, "data": []}
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "id":
                event["id"] = value
            elif field == "event":
                event["event"] = value
            elif field == "data":
                event["data"].append(value)


if __name__ == "__main__":
    main()
