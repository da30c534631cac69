#!/usr/bin/python3
"""A municipal system receiving EcoResupply's citizen reports over ZeroMQ, each event exactly once.

Reference client for docs/streams.md (section "ZeroMQ"), and the fixture of
Tests/IntegrationTests/ReportZeroMQStreamTests.swift. Needs pyzmq (Debian: python3-zmq).

    /usr/bin/python3 report_subscriber.py --xpub tcp://127.0.0.1:7700 --state DIR \
        [--prefix report.] [--jurisdiction marseille] \
        [--key bus-keys/subscribers/city.key --public-keys bus-keys/public.json]

It appends every report event to DIR/events.jsonl (one CloudEvent JSON per line) and keeps, per
producer, the sequence it has handled in DIR/offsets.json. Killed at any moment and restarted with
the same DIR, it neither loses nor repeats an event. It prints "ready" once caught up; SIGTERM stops it.

With --key and --public-keys it speaks CURVE (docs/decisions/0012): the key file is the subscriber's
pair, `{"publicKey", "secretKey"}` in Z85, made by `ecoresupply keys add-subscriber`; public.json
gives the forwarder's public key (`services.forwarder`) and each producer's (`services.<source>`).

The protocol (docs/bus-protocol.md):
  * Events: SUB to the forwarder's XPUB; each message is [topic, CloudEvent JSON], with `source`
    (the producer, "ingest" for reports) and `sequence`, gapless per producer across ALL its topics.
  * Heartbeats: every producer sends `bus.heartbeat` each second, data
    {"latest": highest committed sequence, "replay": its ROUTER endpoint, "service": "ingest"}.
  * Replay: a DEALER sends [8-byte id, "bus.replay", {"from", "limit", "prefixes"}] to that ROUTER;
    the reply is [id, "ok", {"latest", "through", "producer"}, event, event...]. `through` is how far
    the producer's stream was scanned, matching or not; ask again from through+1 while through < latest.

Why not just "skip sequence <= offset"? A `report.` subscriber sees holes in the numbers (other
ingest topics), and cannot tell such a hole from a report it missed (sent before the subscription
took effect, lost across a reconnect, or committed by an ingest that crashed before publishing it).
So the offset means "nothing for me up to here", and only two things move it:
  * a live event whose sequence is exactly offset+1 (nothing can hide between them), and
  * a replay reply, up to its `through`.
Any other live event, and any heartbeat showing `latest` beyond the offset with no progress since
the previous one, asks for a replay from offset+1, which returns the missing events in order.
"""
import argparse
import json
import os
import signal
import struct
import sys
import time

import zmq

REPLAY_TIMEOUT = 5.0  # seconds without a reply before the request is sent again


class State:
    """events.jsonl plus offsets.json. Appending then saving offsets is crash-safe: on start, the last
    complete line of events.jsonl wins over an older offset, so an append whose offset was never
    saved is not applied again; a torn last line (killed mid-write) is cut off."""

    def __init__(self, directory):
        os.makedirs(directory, exist_ok=True)
        self.events_path = os.path.join(directory, "events.jsonl")
        self.offsets_path = os.path.join(directory, "offsets.json")
        try:
            with open(self.offsets_path) as f:
                self.offsets = json.load(f)
        except FileNotFoundError:
            self.offsets = {}
        self.events = open(self.events_path, "ab+")
        self.events.seek(0)
        content = self.events.read()
        complete = content[: content.rfind(b"\n") + 1]
        if len(complete) < len(content):
            self.events.truncate(len(complete))
        if complete:
            last = json.loads(complete.splitlines()[-1])
            if last["sequence"] > self.offsets.get(last["source"], 0):
                self.offsets[last["source"]] = last["sequence"]
        self.save_offsets()

    def offset(self, source):
        return self.offsets.get(source, 0)

    def apply(self, source, events, through):
        """Appends `events` (raw CloudEvent JSON, in sequence order), then records `through` as handled."""
        if events:
            self.events.write(b"".join(raw.strip() + b"\n" for raw in events))
            self.events.flush()
            os.fsync(self.events.fileno())
        if through > self.offset(source):
            self.offsets[source] = through
            self.save_offsets()

    def save_offsets(self):
        temporary = self.offsets_path + ".tmp"
        with open(temporary, "w") as f:
            json.dump(self.offsets, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, self.offsets_path)  # atomic: the file is either the old or the new offsets


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--xpub", required=True, help="the forwarder's XPUB endpoint, e.g. tcp://127.0.0.1:7700")
    parser.add_argument("--state", required=True, help="directory for events.jsonl and offsets.json")
    parser.add_argument("--prefix", default="report.", help="topic prefix to receive (default: report.)")
    parser.add_argument("--jurisdiction", help="keep only events whose data.report.jurisdictionId (or data.previousJurisdictionId) is this")
    parser.add_argument("--service", default="ingest", help="the producer of those topics (default: ingest)")
    parser.add_argument("--key", help="this subscriber's CURVE key pair (JSON publicKey/secretKey, Z85), from `ecoresupply keys add-subscriber`")
    parser.add_argument("--public-keys", help="the deployment's public.json: the forwarder's and each producer's public key")
    args = parser.parse_args()
    if (args.key is None) != (args.public_keys is None):
        parser.error("--key and --public-keys go together")
    curve = None
    if args.key:
        with open(args.key) as f:
            pair = json.load(f)
        with open(args.public_keys) as f:
            servers = json.load(f)["services"]
        curve = (pair["publicKey"].encode(), pair["secretKey"].encode(), servers)

    def secure(socket, server):
        # A CURVE client: our pair, and the public key of the server we connect to.
        if curve:
            socket.curve_publickey, socket.curve_secretkey = curve[0], curve[1]
            socket.curve_serverkey = curve[2][server].encode()

    state = State(args.state)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # a parent may have started us with it blocked

    context = zmq.Context()
    # 1. Subscribe FIRST, so that nothing published after the replay below can slip between the two.
    sub = context.socket(zmq.SUB)
    secure(sub, "forwarder")
    sub.setsockopt(zmq.SUBSCRIBE, args.prefix.encode())
    sub.setsockopt(zmq.SUBSCRIBE, b"bus.heartbeat")
    sub.connect(args.xpub)
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)

    # source -> {"dealer", "asked": (request id, deadline) or None, "seen": highest live sequence, "last_beat_offset"}
    producers = {}
    next_id = [1]
    ready = [False]

    def wanted(event):
        # The report's jurisdiction, or on report.routed the one it was taken from.
        data = event.get("data") or {}
        report = data.get("report") or {}
        return args.jurisdiction is None or args.jurisdiction in (report.get("jurisdictionId"), data.get("previousJurisdictionId"))

    def ask_replay(source):
        # 3. Replay from what we have handled, only our topics; one request in flight per producer.
        producer = producers[source]
        if producer["asked"] and producer["asked"][1] > time.monotonic():
            return
        request_id = next_id[0]
        next_id[0] += 1
        body = {"from": state.offset(source) + 1, "limit": 1000, "prefixes": [args.prefix]}
        producer["dealer"].send_multipart([struct.pack(">Q", request_id), b"bus.replay", json.dumps(body).encode()])
        producer["asked"] = (request_id, time.monotonic() + REPLAY_TIMEOUT)

    def on_reply(source, frames):
        request_id, status, body = struct.unpack(">Q", frames[0])[0], frames[1], frames[2:]
        producer = producers[source]
        if not producer["asked"] or producer["asked"][0] != request_id:
            return  # a late answer to a request already sent again
        producer["asked"] = None
        if status != b"ok":
            print(f"replay refused by {source}: {body[0].decode() if body else ''}", file=sys.stderr, flush=True)
            return
        reply = json.loads(body[0])
        events = [(json.loads(raw), raw) for raw in body[1:]]
        fresh = [raw for event, raw in events if event["sequence"] > state.offset(source) and wanted(event)]
        state.apply(source, fresh, reply["through"])
        if reply["through"] < max(reply["latest"], producer["seen"]):
            ask_replay(source)  # more history, or live events newer than this reply: keep going (the Clone pattern)
        elif not ready[0]:
            ready[0] = True
            print("ready", flush=True)

    def on_heartbeat(event):
        beat, source = event["data"], event["source"]
        if beat.get("service") != args.service:
            return
        if source not in producers:
            # 2. The first heartbeat says where to ask for replay: connect and catch up.
            dealer = context.socket(zmq.DEALER)
            secure(dealer, event["source"])
            dealer.connect(beat["replay"])
            poller.register(dealer, zmq.POLLIN)
            producers[source] = {"dealer": dealer, "asked": None, "seen": 0, "last_beat_offset": None}
            ask_replay(source)
        producer = producers[source]
        # Tail loss: the producer is ahead (or we never caught up) and our offset has not moved since the last beat.
        behind = beat["latest"] > state.offset(source) or not ready[0]
        if behind and producer["last_beat_offset"] == state.offset(source):
            ask_replay(source)
        producer["last_beat_offset"] = state.offset(source)

    def on_event(raw):
        event = json.loads(raw)
        source, sequence = event["source"], event["sequence"]
        if source not in producers or sequence <= state.offset(source):
            return  # not caught up with that producer yet (the replay will bring it), or a duplicate
        producers[source]["seen"] = max(producers[source]["seen"], sequence)
        if sequence == state.offset(source) + 1 and not producers[source]["asked"]:
            state.apply(source, [raw] if wanted(event) else [], sequence)  # 4. live, in order
        else:
            ask_replay(source)  # a hole: another topic, or a lost report? The replay tells.

    while not stopping:
        try:
            sockets = dict(poller.poll(250))
        except zmq.ZMQError:  # interrupted by SIGTERM
            continue
        if sockets.get(sub):
            frames = sub.recv_multipart()
            try:
                if len(frames) == 2 and frames[0] == b"bus.heartbeat":
                    on_heartbeat(json.loads(frames[1]))
                elif len(frames) == 2 and frames[0].startswith(args.prefix.encode()):
                    on_event(frames[1])
            except (ValueError, KeyError, TypeError) as error:  # not a well-formed event: nothing to apply
                print(f"ignored malformed message: {error!r}", file=sys.stderr, flush=True)
        for source, producer in producers.items():
            if sockets.get(producer["dealer"]):
                on_reply(source, producer["dealer"].recv_multipart())
            elif producer["asked"] and producer["asked"][1] <= time.monotonic():
                producer["asked"] = None
                ask_replay(source)  # no answer in time (the producer restarting): ask again

    for socket in [sub] + [producer["dealer"] for producer in producers.values()]:
        socket.close(linger=0)
    context.term()


if __name__ == "__main__":
    main()
