#!/usr/bin/env python3
"""Walks a touch flow (tests/flows/*.txt) on the kiosk image under QEMU, by touch.

Every `touch` is a real tap on QEMU's emulated touch screen (usb-tablet, through QMP): the
guest's kernel and libinput deliver it to the kiosk's Slint window on DRM/KMS. Where to tap
comes from the kiosk itself: `kioskctl session targets --json` in the guest lists what is
touchable and the centre of each, from the layout it drew. Nothing falls back to a
synthetic touch; a tap that misses shows at the next `expect`.

  flow.py FLOW --qmp SOCK --share DIR --idcard FIFO --shots DIR [--width W] [--height H]
  flow.py FLOW --check      only parse the flow (image-build/check.sh runs this)

  --share   the 9p share of hil/run.sh: console requests in DIR/cmd/sh-N.cmd (see
            hil-guest.sh), the scanner's input in DIR/cmd/scan, receipts in DIR/receipts
  --idcard  the ID-card reader simulator's stdin (a FIFO): `place` puts the card on it

Prints one line per step, and a last line `FLOW PASS|FAIL taps=N steps=M/T: detail`.
Exit status 0 when every step passed.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qmp  # noqa: E402  (hil/qmp.py, beside this file)
from guest import Guest, GuestError as FlowError  # noqa: E402  (hil/guest.py)


def parse(path):
    """The steps of a flow file: (line number, verb, argument)."""
    steps = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            verb, _, arg = line.partition(" ")
            arg = arg.strip()
            known = {"expect": True, "touch": True, "type": True, "shot": True,
                     "card": False, "scan-receipt": False}
            if verb not in known:
                raise FlowError(f"{path}:{n}: unknown step '{verb}'")
            if known[verb] != bool(arg):
                raise FlowError(f"{path}:{n}: '{verb}' {'needs an argument' if known[verb] else 'takes none'}")
            steps.append((n, verb, arg))
    return steps


def find(targets, label):
    """The enabled target labelled `label`, or failing that the first whose label contains it."""
    enabled = [t for t in targets if t.get("enabled")]
    for t in enabled:
        if t.get("label") == label:
            return t
    for t in enabled:
        if label in (t.get("label") or ""):
            return t
    return None


def last_receipt_qr(share):
    """The QR text of the last receipt the printer emulator received (its log.jsonl)."""
    log = os.path.join(share, "receipts", "log.jsonl")
    found = None
    try:
        with open(log, encoding="utf-8") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                stack = [entry]
                while stack:  # the qr_store command may sit inside a job's command list
                    item = stack.pop()
                    if isinstance(item, dict):
                        if item.get("cmd") == "qr_store" and item.get("data"):
                            found = item["data"]
                        stack.extend(item.values())
                    elif isinstance(item, list):
                        stack.extend(reversed(item))
    except OSError as e:
        raise FlowError(f"no printer emulator log at {log}: {e}")
    if not found:
        raise FlowError(f"no QR code in the printer emulator's log {log}")
    return found


class Flow:
    def __init__(self, args):
        self.args = args
        self.guest = Guest(args.share)
        self.q = qmp.Qmp(args.qmp)
        self.taps = 0

    def screen(self):
        return self.guest.json("kioskctl session show --json").get("screen", "?")

    def expect(self, screens, timeout=90.0):
        wanted = screens.split()
        deadline = time.monotonic() + timeout
        now = "?"
        while time.monotonic() < deadline:
            try:
                now = self.screen()
            except FlowError:
                now = "?"
            if now in wanted:
                return f"screen {now}"
            time.sleep(0.5)
        raise FlowError(f"waited {timeout:.0f} s for screen {' or '.join(wanted)}; it is {now}")

    def touch(self, label):
        targets = self.guest.json("kioskctl session targets --json")
        t = find(targets, label)
        if t is None:
            listed = " | ".join(x["label"] for x in targets if x.get("enabled") and x.get("label"))
            raise FlowError(f"nothing touchable labelled '{label}'; on screen: {listed}")
        qmp.tap(self.q, t["x"], t["y"], self.args.width, self.args.height)
        self.taps += 1
        # Let the guest's input stack and the kiosk take the touch before the next look.
        time.sleep(0.3)
        return f"tap at {t['x']},{t['y']} ({t['role']} '{t['label']}')"

    def shot(self, name):
        path = os.path.join(self.args.shots, f"{name}.png")
        self.q.execute("screendump", filename=os.path.abspath(path), format="png")
        return path

    def step(self, verb, arg):
        if verb == "expect":
            return self.expect(arg)
        if verb == "touch":
            return self.touch(arg)
        if verb == "type":
            return "; ".join(self.touch(c) for c in arg)
        if verb == "shot":
            return self.shot(arg)
        if verb == "card":
            with open(self.args.idcard, "w") as f:
                f.write("place\n")
            return "card placed on the reader simulator (FTDI usb-serial)"
        if verb == "scan-receipt":
            text = last_receipt_qr(self.args.share)
            scan = os.path.join(self.args.share, "cmd", "scan")
            with open(scan + ".part", "w") as f:
                f.write(text)
            os.rename(scan + ".part", scan)
            return f"{len(text)} chars to the HID scanner gadget"
        raise FlowError(f"unknown step {verb}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("flow")
    p.add_argument("--check", action="store_true", help="only parse the flow and list its steps")
    p.add_argument("--qmp")
    p.add_argument("--share")
    p.add_argument("--idcard")
    p.add_argument("--shots")
    p.add_argument("--width", type=int, default=1080)
    p.add_argument("--height", type=int, default=1920)
    args = p.parse_args()
    if args.check:
        try:
            steps = parse(args.flow)
        except (FlowError, OSError) as e:
            print(f"flow.py: {e}", file=sys.stderr)
            return 1
        touches = sum(1 for _, verb, _ in steps if verb == "touch")
        print(f"{args.flow}: {len(steps)} steps, {touches} touches")
        return 0
    missing = [o for o in ("qmp", "share", "idcard", "shots") if not getattr(args, o)]
    if missing:
        p.error("needs " + ", ".join(f"--{o}" for o in missing))
    try:
        steps = parse(args.flow)
        flow = Flow(args)
    except (FlowError, qmp.QmpError, OSError) as e:
        print(f"FLOW FAIL taps=0 steps=0/?: {e}")
        return 1
    done = 0
    for n, verb, arg in steps:
        t0 = time.monotonic()
        try:
            what = flow.step(verb, arg)
        except (FlowError, qmp.QmpError, OSError) as e:
            try:
                flow.shot("flow-stuck")
            except (qmp.QmpError, OSError):
                pass
            print(f"FLOW FAIL taps={flow.taps} steps={done}/{len(steps)}: line {n} '{verb} {arg}': {e}")
            return 1
        done += 1
        print(f"step {n:3d} {verb} {arg}: {what} ({time.monotonic() - t0:.1f} s)", flush=True)
    print(f"FLOW PASS taps={flow.taps} steps={done}/{len(steps)}: every touch a QMP tap at the centre the kiosk reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
