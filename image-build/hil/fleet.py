#!/usr/bin/env python3
"""The hall's fleet view of the HIL kiosk, checked against what its kiosk.toml configures.

  fleet.py HALL_URL OPERATOR_TOKEN KIOSK_ID KIOSK_TOML [--later CLASS]...

GET /api/v1/fleet with the operator's credential. Every device class the configuration
fits must be reported `online`; every class it leaves out must be reported `noDevice` (the
kiosk reports all six classes). A class named with --later is fitted but plugged in later
by the harness (the camera): it must be reported, in any state but `noDevice`.

Prints one line: `online, devices: class=state (want), ...`.
Exit status: 0 as expected; 3 the kiosk is online but a device is not as expected (yet);
1 the kiosk is not listed online (or the hall did not answer).
"""
import json
import sys
import tomllib
import urllib.request

CLASSES = ("idCardReader", "receiptPrinter", "scanner", "audio", "camera", "a4Printer")


def fitted(config):
    """The device classes the configuration fits, by the kiosk's own rules
    (config/src/schema.rs: a device "none" or empty is not fitted; the camera and the A4
    printer only when enabled, the A4 printer only with a URI)."""
    d = config.get("devices", {})

    def named(section, key="device"):
        value = str(d.get(section, {}).get(key, "")).strip()
        return value not in ("", "none")

    return {
        "idCardReader": named("idcard"),
        "receiptPrinter": named("printer"),
        "scanner": named("scanner"),
        "audio": named("audio", "pcm"),
        "camera": bool(d.get("camera", {}).get("enabled", False)),
        "a4Printer": bool(d.get("a4printer", {}).get("enabled", False))
        and bool(str(d.get("a4printer", {}).get("uri", "")).strip()),
    }


def main(argv):
    args = argv[1:]
    later = []
    while "--later" in args:
        i = args.index("--later")
        later.append(args[i + 1])
        del args[i : i + 2]
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    url, token, kid, toml_path = args
    with open(toml_path, "rb") as f:
        want_fitted = fitted(tomllib.load(f))
    req = urllib.request.Request(url + "/api/v1/fleet", headers={"Authorization": "Bearer " + token})
    try:
        body = json.load(urllib.request.urlopen(req, timeout=5))
    except OSError as e:
        print(f"the hall did not answer: {e}")
        return 1
    kiosk = next((k for k in body.get("kiosks", []) if k.get("kioskId") == kid), None)
    if kiosk is None or kiosk.get("online") is not True:
        print(f"{kid} is not listed online")
        return 1
    states = {d.get("class"): d.get("state") for d in kiosk.get("devices", [])}
    ok = True
    parts = []
    for cls in CLASSES:
        got = states.get(cls, "unreported")
        if not want_fitted[cls]:
            want, good = "noDevice", got == "noDevice"
        elif cls in later:
            want, good = "reported; plugged in later", got not in ("noDevice", "unreported")
        else:
            want, good = "online", got == "online"
        ok = ok and good
        parts.append(f"{cls}={got}" + ("" if good else f" (want {want})"))
    extra = sorted(set(states) - set(CLASSES))
    if extra:
        parts.append("unknown classes: " + ", ".join(map(str, extra)))
    fitted_n = sum(want_fitted.values())
    print(f"online, {fitted_n} of {len(CLASSES)} device classes fitted by kiosk.toml; devices: " + ", ".join(parts))
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))
