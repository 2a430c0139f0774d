#!/usr/bin/env python3
"""The soak on the image: many citizens in a row at the guest's kiosk, its memory read as they go.

The host's soak (tests/tests/soak.rs) measures a kiosk drawing offscreen on the build machine;
this one measures the image's own kiosk.service (release build, Slint on DRM/KMS at
1080x1920, the unit's allocator settings, the real USB printer gadget and FTDI reader) under
QEMU. Each citizen: the sample card placed on the FTDI reader simulator (the host's FIFO),
居民身份证换领 filled in and submitted through `kioskctl session press` in the guest
(hil/guest/soak-citizen.sh, one console request), the receipt, a 非常满意 rating every other
citizen, the card taken away, home with the personal data wiped.

  soak.py SHARE --idcard FIFO --citizens N [--every K]

Prints the guest kiosk's VmRSS and PSS (/proc/PID/status, /proc/PID/smaps_rollup) at the start
and every K citizens, a breakdown of the PSS by mapping (/proc/PID/smaps) at the start and at
the end, and a last line:
  SOAK PASS citizens=N pss_start_kib=A pss_end_kib=B rss_end_kib=C seconds=S
or SOAK FAIL with what went wrong. Exit status 0 when every citizen got a receipt.
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import Guest, GuestError  # noqa: E402  (hil/guest.py)

CITIZEN = "/run/kiosk-hil/share/soak-citizen.sh"


def kiosk_pid(g):
    rc, out = g.run("systemctl show -p MainPID --value kiosk.service")
    pid = out.strip()
    if rc != 0 or not pid.isdigit() or pid == "0":
        raise GuestError(f"kiosk.service has no main process ({out.strip()!r})")
    return pid


def kib(g, pid, name, key):
    rc, out = g.run(f"grep '^{key}' /proc/{pid}/{name}")
    m = re.search(r"(\d+)\s*kB", out)
    if rc != 0 or not m:
        raise GuestError(f"/proc/{pid}/{name} has no {key} line: {out.strip()[:200]}")
    return int(m.group(1))


def breakdown(g, pid):
    """PSS in KiB by kind of mapping, largest first (the same kinds as the host's soak, and the
    display's buffers: mappings of /dev/dri)."""
    rc, exe = g.run(f"readlink /proc/{pid}/exe")
    exe = exe.strip()
    rc, smaps = g.run(f"cat /proc/{pid}/smaps", timeout=60)
    if rc != 0:
        raise GuestError(f"cannot read /proc/{pid}/smaps: {smaps[:200]}")
    kinds, anon, current = {}, [], ("", "")
    for line in smaps.splitlines():
        fields = line.split()
        if not fields:
            continue
        first = fields[0]
        if "-" in first and not first.endswith(":"):
            path = fields[5] if len(fields) > 5 else ""
            if not path:
                kind = "anonymous (arenas, stacks, buffers)"
            elif path == exe:
                kind = "the kiosk binary"
            elif path.startswith("/dev/dri"):
                kind = "display buffers (/dev/dri)"
            elif path.endswith((".ttc", ".otf", ".ttf")):
                kind = "font files"
            elif ".so" in path:
                kind = "shared libraries"
            elif path == "[heap]":
                kind = "[heap] (main arena)"
            else:
                kind = "other (stack, vdso, sqlite shm, files)"
            current = (kind, f"{first} {path}")
        elif first == "Pss:" and len(fields) > 1:
            k = int(fields[1])
            kinds[current[0]] = kinds.get(current[0], 0) + k
            if current[0].startswith("anonymous") and k >= 1024:
                anon.append((f"  anon {current[1]}", k))
    out = sorted(kinds.items(), key=lambda kv: -kv[1])
    out += sorted(anon, key=lambda kv: -kv[1])[:8]
    return out


def print_breakdown(when, rows):
    print(f"soak: PSS by mapping {when}:")
    for kind, k in rows:
        print(f"  {kind:<52} {k:>8} KiB")
    sys.stdout.flush()


def card(fifo, what):
    with open(fifo, "w") as f:
        f.write(what + "\n")


def one_citizen(g, fifo, i):
    card(fifo, "place")
    rc, out = g.run(f"sh {CITIZEN} visit {i}", timeout=240)
    if rc != 0:
        raise GuestError(f"citizen {i + 1}: {out.strip()[-400:]}")
    card(fifo, "remove")
    rc, out2 = g.run(f"sh {CITIZEN} leave {i}", timeout=120)
    if rc != 0:
        raise GuestError(f"citizen {i + 1} leaving: {out2.strip()[-400:]}")
    return "delivered" in out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("share")
    p.add_argument("--idcard", required=True)
    p.add_argument("--citizens", type=int, default=200)
    p.add_argument("--every", type=int, default=0)
    args = p.parse_args()
    every = args.every or max(1, args.citizens // 20)
    g = Guest(args.share)
    t0 = time.monotonic()
    done = 0
    try:
        pid = kiosk_pid(g)
        card(args.idcard, "remove")
        print_breakdown("at the home screen, at start", breakdown(g, pid))
        pss0 = kib(g, pid, "smaps_rollup", "Pss:")
        print(f"{'citizens':>9} {'VmRSS KiB':>10} {'PSS KiB':>9} {'elapsed':>9}")
        print(f"{0:>9} {kib(g, pid, 'status', 'VmRSS:'):>10} {pss0:>9} {0.0:>8.1f}s", flush=True)
        delivered = 0
        for i in range(args.citizens):
            delivered += one_citizen(g, args.idcard, i)
            done += 1
            if done % every == 0 or done == args.citizens:
                print(f"{done:>9} {kib(g, pid, 'status', 'VmRSS:'):>10} "
                      f"{kib(g, pid, 'smaps_rollup', 'Pss:'):>9} {time.monotonic() - t0:>8.1f}s",
                      flush=True)
        if kiosk_pid(g) != pid:
            raise GuestError("kiosk.service restarted during the soak")
        print_breakdown(f"at the home screen after {done} citizens", breakdown(g, pid))
        pss = kib(g, pid, "smaps_rollup", "Pss:")
        rss = kib(g, pid, "status", "VmRSS:")
    except (GuestError, OSError) as e:
        print(f"SOAK FAIL citizens={done}/{args.citizens} seconds={time.monotonic() - t0:.0f}: {e}")
        return 1
    print(f"SOAK PASS citizens={done} delivered_at_once={delivered} pss_start_kib={pss0} "
          f"pss_end_kib={pss} rss_end_kib={rss} seconds={time.monotonic() - t0:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
