#!/usr/bin/python3
"""Checks the trace context of CloudEvents received by a subscriber, against the W3C and
CloudEvents specifications rather than EcoResupply's code (standard library only).

    /usr/bin/python3 trace_check.py EVENTS.jsonl

Each line of EVENTS.jsonl is one CloudEvent JSON (report_subscriber.py writes them). An event that
carries the CloudEvents Distributed Tracing extension must give `traceparent` in the W3C Trace
Context grammar (https://www.w3.org/TR/trace-context/#traceparent-header): version 00, a trace id
of 32 and a parent id of 16 lowercase hexadecimal digits, neither all zeros, and two of flags; and
its `correlationid`, when present, must be that trace id. Prints `<trace id> <event id>` for each
traced event and exits 0, or prints what is wrong and exits 1.
"""
import json
import re
import sys

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def main():
    bad = []
    with open(sys.argv[1], encoding="utf-8") as events:
        for number, line in enumerate(events, 1):
            if not line.strip():
                continue
            event = json.loads(line)
            value = event.get("traceparent")
            if value is None:
                continue
            match = TRACEPARENT.match(value)
            if not match or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
                bad.append(f"line {number}: traceparent {value!r} is not W3C Trace Context version 00")
                continue
            if "correlationid" in event and event["correlationid"] != match.group(1):
                bad.append(f"line {number}: correlationid {event['correlationid']!r} is not the trace id {match.group(1)}")
                continue
            print(match.group(1), event.get("id"), flush=True)
    for problem in bad:
        print(problem, flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
