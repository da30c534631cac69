"""An SMTP server for tests: accepts every message and prints it to stdout between MESSAGE and END.

Usage: python3 smtp_sink.py PORT [REFUSE_FIRST]
With REFUSE_FIRST = n, the first n messages get a temporary failure (451), to exercise retries.
"""
import asyncio
import signal
import sys

# The test process may start us with SIGTERM blocked; make sure it ends us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

refuse = int(sys.argv[2]) if len(sys.argv) > 2 else 0


async def handle(reader, writer):
    global refuse
    writer.write(b"220 sink ready\r\n")
    await writer.drain()
    in_data, lines = False, []
    while True:
        line = await reader.readline()
        if not line:
            break
        if in_data:
            if line in (b".\r\n", b".\n"):
                in_data = False
                if refuse > 0:
                    refuse -= 1
                    writer.write(b"451 try again later\r\n")
                else:
                    sys.stdout.write("MESSAGE\n" + b"".join(lines).decode("utf-8", "replace") + "\nEND\n")
                    sys.stdout.flush()
                    writer.write(b"250 OK queued\r\n")
                lines = []
            else:
                lines.append(line)
            await writer.drain()
            continue
        command = line.decode("ascii", "replace").strip().upper()
        if command.startswith(("EHLO", "HELO")):
            writer.write(b"250-sink\r\n250 8BITMIME\r\n")
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
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    print("READY", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
