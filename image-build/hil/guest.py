#!/usr/bin/env python3
"""The guest's console for the hardware-in-the-loop test, over the 9p share.

hil-guest.sh (in the guest) runs each request file share/cmd/sh-N.cmd as a root shell
line, writes its output to sh-N.out and its exit status to sh-N.rc (last, so the host can
wait for it). N comes from share/cmd/.last-request, shared by every caller on the host.

  guest.py SHARE [--timeout SECONDS] COMMAND-LINE...
      runs the line in the guest; prints its output; exits with its status (124: no answer)
"""
import json
import os
import sys
import time


class GuestError(Exception):
    pass


class Guest:
    """The guest's console over the share: one shell line per request, as hil-guest.sh runs them."""

    def __init__(self, share):
        self.cmd = os.path.join(share, "cmd")
        self.counter = os.path.join(self.cmd, ".last-request")

    def run(self, line, timeout=30.0):
        try:
            with open(self.counter) as f:
                n = int(f.read().strip() or 0) + 1
        except (OSError, ValueError):
            n = 1
        with open(self.counter, "w") as f:
            f.write(f"{n}\n")
        base = os.path.join(self.cmd, f"sh-{n}")
        with open(base + ".cmd.part", "w") as f:
            f.write(line + "\n")
        os.rename(base + ".cmd.part", base + ".cmd")
        deadline = time.monotonic() + timeout
        while not os.path.exists(base + ".rc"):
            if time.monotonic() > deadline:
                raise GuestError(f"the guest did not answer '{line}' within {timeout:.0f} s")
            time.sleep(0.2)
        with open(base + ".out", encoding="utf-8", errors="replace") as f:
            out = f.read()
        with open(base + ".rc") as f:
            rc = int(f.read().strip() or 1)
        return rc, out

    def json(self, line, timeout=30.0):
        rc, out = self.run(line, timeout)
        if rc != 0:
            raise GuestError(f"'{line}' failed ({rc}): {out.strip()}")
        try:
            return json.loads(out)
        except ValueError as e:
            raise GuestError(f"'{line}' printed no JSON ({e}): {out.strip()[:300]}")


def main(argv):
    args = argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    share, timeout = args[0], 30.0
    args = args[1:]
    if args[0] == "--timeout" and len(args) > 2:
        timeout, args = float(args[1]), args[2:]
    try:
        rc, out = Guest(share).run(" ".join(args), timeout)
    except GuestError as e:
        print(f"guest.py: {e}", file=sys.stderr)
        return 124
    sys.stdout.write(out)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
