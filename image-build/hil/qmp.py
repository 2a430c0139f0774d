#!/usr/bin/env python3
"""QMP helpers for the hardware-in-the-loop test: screenshots, touches and chardev lookup.

Talks QEMU's machine protocol on the unix socket given by -qmp unix:PATH,server=on,wait=off.
Standard library only. Every wait has a time limit.

  qmp.py SOCK screendump FILE.png        screenshot of the guest's current scanout (PNG)
  qmp.py SOCK tap X Y WIDTH HEIGHT       touch at pixel (X, Y) of a WIDTH x HEIGHT screen
                                         (usb-tablet: move, press, release, 0.3 s apart)
  qmp.py SOCK key QCODE...               press and release keys on the usb-kbd ("ret", "a")
  qmp.py SOCK chardev-pty LABEL          print the host pty of a pty chardev (e.g. ftdi)
  qmp.py SOCK quit                       stop QEMU
"""
import json
import os
import socket
import sys
import time

ABS_MAX = 32768  # QEMU scales absolute axes to 0..0x7FFF over the whole display.


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout=30.0):
        deadline = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                raise QmpError(f"no QMP socket at {path} after {timeout:.0f} s: is QEMU running?")
            time.sleep(0.1)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError(f"unexpected QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise QmpError("QEMU closed the QMP socket")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:  # asynchronous events may arrive first
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QmpError(f"{command}: {reply['error'].get('desc', reply['error'])}")


def tap(q, x, y, width, height):
    ax = min(ABS_MAX - 1, x * ABS_MAX // width)
    ay = min(ABS_MAX - 1, y * ABS_MAX // height)
    q.execute("input-send-event", events=[
        {"type": "abs", "data": {"axis": "x", "value": ax}},
        {"type": "abs", "data": {"axis": "y", "value": ay}},
    ])
    time.sleep(0.3)
    q.execute("input-send-event", events=[{"type": "btn", "data": {"down": True, "button": "left"}}])
    time.sleep(0.3)
    q.execute("input-send-event", events=[{"type": "btn", "data": {"down": False, "button": "left"}}])


def key(q, qcode):
    for down in (True, False):
        q.execute("input-send-event", events=[
            {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}])
        time.sleep(0.1)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, cmd, args = argv[1], argv[2], argv[3:]
    try:
        q = Qmp(path)
        if cmd == "screendump" and len(args) == 1:
            q.execute("screendump", filename=os.path.abspath(args[0]), format="png")
        elif cmd == "tap" and len(args) == 4:
            tap(q, *(int(a) for a in args))
        elif cmd == "key" and args:
            for code in args:
                key(q, code)
        elif cmd == "chardev-pty" and len(args) == 1:
            for dev in q.execute("query-chardev"):
                if dev.get("label") == args[0] and dev.get("filename", "").startswith("pty:"):
                    print(dev["filename"][4:])
                    return 0
            print(f"qmp.py: no pty chardev labelled {args[0]!r}", file=sys.stderr)
            return 1
        elif cmd == "quit" and not args:
            q.execute("quit")
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (QmpError, OSError, ValueError) as e:
        print(f"qmp.py {cmd}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
