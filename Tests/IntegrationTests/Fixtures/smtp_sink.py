"""An SMTP server for tests: accepts every message and prints it to stdout between MESSAGE and END.

Usage: python3 smtp_sink.py PORT [REFUSE_FIRST] [--tls CERT KEY] [--auth USER:PASSWORD]
With REFUSE_FIRST = n, the first n messages get a temporary failure (451), to exercise retries.
With --tls it offers STARTTLS (RFC 3207) and refuses mail sent before it; with --auth it requires
AUTH PLAIN (RFC 4954) with those credentials, over TLS. Each message is printed with a first line
"SESSION tls=<yes|no> auth=<user or ->", so that tests see how it came.
"""
import asyncio
import base64
import signal
import ssl
import sys

# The test process may start us with SIGTERM blocked; make sure it ends us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

args = sys.argv[1:]
port = int(args.pop(0))
refuse = int(args.pop(0)) if args and not args[0].startswith("--") else 0
tls_context, credentials = None, None
while args:
    flag = args.pop(0)
    if flag == "--tls":
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.pop(0), args.pop(0))
    elif flag == "--auth":
        credentials = args.pop(0)


async def handle(reader, writer):
    global refuse
    writer.write(b"220 sink ready\r\n")
    await writer.drain()
    in_data, lines, encrypted, user = False, [], False, None
    while True:
        try:
            line = await reader.readline()
        except (ConnectionError, ssl.SSLError):
            break
        if not line:
            break
        if in_data:
            if line in (b".\r\n", b".\n"):
                in_data = False
                if refuse > 0:
                    refuse -= 1
                    writer.write(b"451 try again later\r\n")
                else:
                    session = "SESSION tls=%s auth=%s\n" % ("yes" if encrypted else "no", user or "-")
                    sys.stdout.write("MESSAGE\n" + session + b"".join(lines).decode("utf-8", "replace") + "\nEND\n")
                    sys.stdout.flush()
                    writer.write(b"250 OK queued\r\n")
                lines = []
            else:
                lines.append(line)
            await writer.drain()
            continue
        text = line.decode("ascii", "replace").strip()
        command = text.upper()
        if command.startswith(("EHLO", "HELO")):
            offers = [b"250-sink"]
            if tls_context and not encrypted:
                offers.append(b"250-STARTTLS")
            if credentials and encrypted:
                offers.append(b"250-AUTH PLAIN")
            writer.write(b"\r\n".join(offers + [b"250 8BITMIME"]) + b"\r\n")
        elif command == "STARTTLS" and tls_context and not encrypted:
            writer.write(b"220 go ahead\r\n")
            await writer.drain()
            await writer.start_tls(tls_context)
            encrypted = True
            continue
        elif command.startswith("AUTH PLAIN ") and credentials:
            parts = base64.b64decode(text[len("AUTH PLAIN "):]).split(b"\0")
            if encrypted and len(parts) == 3 and b"%s:%s" % (parts[1], parts[2]) == credentials.encode():
                user = parts[1].decode()
                writer.write(b"235 authenticated\r\n")
            else:
                writer.write(b"535 authentication failed\r\n")
        elif command.startswith("MAIL FROM") and ((tls_context and not encrypted) or (credentials and not user)):
            writer.write(b"530 secure the connection and authenticate first\r\n")
        elif command == "DATA":
            writer.write(b"354 go ahead\r\n")
            in_data = True
        elif command == "QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print("READY", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
