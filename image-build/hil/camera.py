#!/usr/bin/env python3
"""The document camera over real V4L2 in the HIL guest (hil/run.sh, stage `camera`).

  camera.py SHARE        (run with a python3 that has PIL: Debian's python3-pil)

1. plugs the camera in: `modprobe vivid` in the guest (the kernel's V4L2 test driver, set
   up by /etc/modprobe.d/kiosk-hil.conf as one webcam-type capture node; see
   image-build/README.md for why not a UVC gadget on dummy_hcd);
2. `kioskctl camera list` in the guest must list it (driver vivid) with its YUYV/MJPEG sizes
   and the still size the kiosk would take;
3. `kioskctl camera capture --raw --out SHARE/camera/still.jpg` in the guest: the image's
   own kioskctl streams through the V4L2 mmap path, as the kiosk does for a page;
4. on the host: the file is a JPEG (decoded by PIL) of exactly the still size the list
   announced, and not blank (the luma varies, several distinct colours).

Prints step lines and a last line `CAMERA PASS|FAIL: detail`; exit status 0 on PASS.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import Guest, GuestError  # noqa: E402  (hil/guest.py)

GUEST_SHARE = "/run/kiosk-hil/share"


class CameraError(Exception):
    pass


def check_jpeg(path, width, height):
    """A valid JPEG of width x height that is not blank: returns a description."""
    try:
        from PIL import Image, ImageStat
    except ImportError:
        raise CameraError("this python3 has no PIL: apt-get install python3-pil (run.sh looks for /usr/bin/python3)")
    with open(path, "rb") as f:
        head = f.read(3)
    if head != b"\xff\xd8\xff":
        raise CameraError(f"{path} does not start like a JPEG ({head.hex()})")
    with Image.open(path) as img:
        if img.format != "JPEG":
            raise CameraError(f"{path} is {img.format}, not JPEG")
        img.load()  # decodes the whole picture: a truncated file fails here
        if img.size != (width, height):
            raise CameraError(f"{path} is {img.size[0]}x{img.size[1]}, not the still size {width}x{height}")
        luma = img.convert("L")
        sd = ImageStat.Stat(luma).stddev[0]
        small = img.convert("RGB").resize((64, 36))
        colours = len({(r // 32, g // 32, b // 32) for r, g, b in small.getdata()})
    if sd < 10 or colours < 4:
        raise CameraError(f"{path} is blank: luma standard deviation {sd:.1f}, {colours} distinct colours")
    return f"JPEG {width}x{height}, {os.path.getsize(path) // 1024} KiB, luma sd {sd:.0f}, {colours} colour buckets"


def run(share):
    guest = Guest(share)

    def sh(line, timeout=60.0):
        rc, out = guest.run(line, timeout)
        if rc != 0:
            raise CameraError(f"'{line}' failed ({rc}): {out.strip()[:400]}")
        return out

    t0 = time.monotonic()
    sh("modprobe vivid && udevadm settle --timeout=20 && ls -l /dev/video*")
    print(f"camera: vivid loaded in the guest ({time.monotonic() - t0:.1f} s)", flush=True)

    listing = sh("kioskctl camera list", timeout=120.0)
    with open(os.path.join(share, "camera", "list.txt"), "w", encoding="utf-8") as f:
        f.write(listing)
    node = re.search(r"^(/dev/video\d+)\s+.*\(vivid,", listing, re.M)
    if not node:
        raise CameraError(f"kioskctl camera list shows no vivid camera: {listing.strip()[:400]}")
    offers = re.search(r"^\s+offers: (.+)$", listing, re.M)
    still = re.search(r"^\s+still: (\w+) (\d+)x(\d+); preview: (.+)$", listing, re.M)
    if not offers or not still:
        raise CameraError(f"kioskctl camera list gives no offers or no still size: {listing.strip()[:400]}")
    fmt, width, height = still.group(1), int(still.group(2)), int(still.group(3))
    print(f"camera: {node.group(1)} offers {offers.group(1)}; still {fmt} {width}x{height}, preview {still.group(4)}", flush=True)

    t1 = time.monotonic()
    out = sh(f"kioskctl camera capture --raw --out {GUEST_SHARE}/camera/still.jpg", timeout=300.0)
    took = time.monotonic() - t1
    print(f"camera: {out.strip()} ({took:.1f} s wall)", flush=True)
    what = check_jpeg(os.path.join(share, "camera", "still.jpg"), width, height)
    return f"{node.group(1)} (vivid) listed with {len(offers.group(1).split(','))} sizes; still {fmt} {width}x{height} captured in {took:.1f} s through V4L2 mmap: {what}"


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    share = argv[1]
    os.makedirs(os.path.join(share, "camera"), exist_ok=True)
    try:
        detail = run(share)
    except (CameraError, GuestError, OSError) as e:
        print(f"CAMERA FAIL: {e}")
        return 1
    print(f"CAMERA PASS: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
