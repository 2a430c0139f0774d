#!/usr/bin/env python3
"""Elder mode's voice through a real ALSA device in the HIL guest (hil/run.sh, stage `voice`).

  voice.py SHARE [--pcm-capture hw:Loopback,1,0]

The guest has ALSA's loopback card (snd-aloop, loaded at boot like a sound card): the kiosk
plays on hw:Loopback,0,0 (its [devices.audio] pcm) and `arecord` records what comes out of
the other side, hw:Loopback,1,0, at espeak-ng's 22,050 Hz mono. Screen changes are pressed
with `kioskctl session press` through the guest's console (hil/guest.py).

1. silence: elder mode off, the screen changes (browse, then home) while arecord records:
   the capture must hold seconds of samples (the device records) and all of them silence;
2. elder mode on (`press elder`): the home screen's prompt is spoken; waited for until the
   kiosk counts it played (`kioskctl status --json`, the loudspeaker's prompts_played);
3. arecord again, then `press browse`: the item list's prompt is spoken; arecord stops once
   the kiosk counts it played;
4. the speech in the capture (first to last sample above 2 % of its peak, pauses under 0.2 s
   joined) lasts as long as espeak-ng's rendering of the words `session show` says the
   screen speaks (rendered in the guest, by the same espeak-ng and voice as the kiosk's,
   trimmed the same way), within 5 %; any other sound in the capture is reported, and one
   of 50 ms or more fails (words that should not be there).

Prints step lines and a last line `VOICE PASS|FAIL: detail`; exit status 0 on PASS.
Captures and the rendering stay in SHARE/audio/.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import Guest, GuestError  # noqa: E402  (hil/guest.py)

GUEST_SHARE = "/run/kiosk-hil/share"
RATE = 22050
TOLERANCE = 0.05


class VoiceError(Exception):
    pass


def wav_samples(path):
    """The 16-bit mono samples of a WAV file (arecord's or espeak-ng's): the data chunk to the
    end of the file, so a header whose sizes were never filled in still reads."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise VoiceError(f"{path} is not a WAV file")
    pos = 12
    channels = rate = bits = None
    while pos + 8 <= len(raw):
        tag, size = raw[pos : pos + 4], int.from_bytes(raw[pos + 4 : pos + 8], "little")
        body = pos + 8
        if tag == b"fmt ":
            channels = int.from_bytes(raw[body + 2 : body + 4], "little")
            rate = int.from_bytes(raw[body + 4 : body + 8], "little")
            bits = int.from_bytes(raw[body + 14 : body + 16], "little")
        elif tag == b"data":
            if (channels, bits) != (1, 16):
                raise VoiceError(f"{path}: {channels} channels of {bits} bits, not 16-bit mono")
            data = raw[body:]
            data = data[: len(data) // 2 * 2]
            return rate, [int.from_bytes(data[i : i + 2], "little", signed=True) for i in range(0, len(data), 2)]
        pos = body + size + (size & 1)
    raise VoiceError(f"{path} has no data chunk")


def segments(samples, rate):
    """The sounds in `samples`: (first, last) index of each stretch above 2 % of the peak,
    stretches less than 0.2 s apart joined (speech has shorter pauses); [] for silence."""
    peak = max((abs(s) for s in samples), default=0)
    if peak < 64:
        return []
    level = peak * 0.02
    out = []
    for i, s in enumerate(samples):
        if abs(s) <= level:
            continue
        if out and i - out[-1][1] < 0.2 * rate:
            out[-1][1] = i
        else:
            out.append([i, i])
    return [tuple(x) for x in out]


def span(samples, rate=RATE):
    """The longest sound in `samples` (the prompt), and the others (clicks, other words)."""
    found = segments(samples, rate)
    if not found:
        return None, []
    main = max(found, key=lambda x: x[1] - x[0])
    return main, [x for x in found if x != main]


def rms(samples):
    return (sum(s * s for s in samples) / max(len(samples), 1)) ** 0.5


class Voice:
    def __init__(self, share, capture_pcm):
        self.share = share
        self.guest = Guest(share)
        self.pcm = capture_pcm
        os.makedirs(os.path.join(share, "audio"), exist_ok=True)

    def sh(self, line, timeout=60.0):
        rc, out = self.guest.run(line, timeout)
        if rc != 0:
            raise VoiceError(f"'{line}' failed ({rc}): {out.strip()[:300]}")
        return out

    def press(self, words):
        self.sh(f"kioskctl session press {words}")

    def show(self):
        return self.guest.json("kioskctl session show --json")

    def audio(self):
        """The loudspeaker's entry of `kioskctl status --json`: (state, played, failed, error)."""
        status = self.guest.json("kioskctl status --json")
        for d in status.get("devices", []):
            if d.get("class") == "audio":
                found = {}
                stack = [d]
                while stack:
                    item = stack.pop()
                    if isinstance(item, dict):
                        for k, v in item.items():
                            # detail's fields are snake_case (prompts_played), the
                            # counters camelCase: take either spelling.
                            key = k.replace("_p", "P").replace("_f", "F")
                            if key in ("promptsPlayed", "promptsFailed") and isinstance(v, int):
                                found[key] = v
                            stack.append(v)
                    elif isinstance(item, list):
                        stack.extend(item)
                return d.get("state"), found.get("promptsPlayed", 0), found.get("promptsFailed", 0), json.dumps(d.get("lastError") or d.get("errors") or "", ensure_ascii=False)[:200]
        raise VoiceError("kioskctl status lists no audio device")

    def wait_played(self, before, what, timeout=120.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state, played, failed, err = self.audio()
            if failed > before[2]:
                raise VoiceError(f"{what}: the kiosk could not play it (audio {state}: {err})")
            if played > before[1]:
                return
            time.sleep(0.5)
        raise VoiceError(f"{what}: the kiosk counted no prompt played within {timeout:.0f} s")

    def record_start(self, name):
        tmp = f"/run/kiosk-hil/{name}.wav"
        self.sh(
            f"rm -f {tmp}; arecord -q -D {self.pcm} -f S16_LE -c 1 -r {RATE} --buffer-time=1000000 {tmp} "
            f"> /run/kiosk-hil/{name}.log 2>&1 & echo $! > /run/kiosk-hil/{name}.pid"
        )
        time.sleep(1.0)
        self.sh(f"kill -0 $(cat /run/kiosk-hil/{name}.pid) || {{ cat /run/kiosk-hil/{name}.log; exit 1; }}")

    def record_stop(self, name):
        """Stops arecord (SIGINT: it writes the WAV header's sizes) and copies the capture to
        the share; returns the host path."""
        self.sh(
            f"pid=$(cat /run/kiosk-hil/{name}.pid); kill -INT $pid; n=0; "
            f"while kill -0 $pid 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done; "
            f"cp /run/kiosk-hil/{name}.wav /run/kiosk-hil/{name}.log {GUEST_SHARE}/audio/"
        )
        return os.path.join(self.share, "audio", f"{name}.wav")

    def run(self):
        # Start from the home screen with elder mode off.
        self.press("home")
        if self.show().get("elderMode"):
            self.press("elder")
        s = self.show()
        if s.get("elderMode") or s.get("screen") != "home":
            raise VoiceError(f"cannot start at the home screen with elder mode off: {s.get('screen')}, elderMode={s.get('elderMode')}")

        # 1. Elder mode off: screen changes, and the loudspeaker stays silent.
        before = self.audio()
        self.record_start("elder-off")
        self.press("browse")
        time.sleep(3.0)
        self.press("home")
        time.sleep(2.0)
        quiet_path = self.record_stop("elder-off")
        rate, quiet = wav_samples(quiet_path)
        after = self.audio()
        seconds = len(quiet) / rate
        if seconds < 4.0:
            raise VoiceError(f"elder mode off: the capture holds {seconds:.1f} s, not the 6 s recorded: does hw:Loopback,1,0 record?")
        if segments(quiet, rate) or after[1] != before[1]:
            raise VoiceError(f"elder mode off: the loudspeaker spoke on a screen change (peak {max(abs(x) for x in quiet)}, prompts played {before[1]} -> {after[1]})")
        print(f"voice: elder mode off, browse and home pressed: {seconds:.1f} s captured, all silence", flush=True)

        # 2. Elder mode on: the home screen's prompt.
        before = self.audio()
        self.press("elder")
        if not self.show().get("elderMode"):
            raise VoiceError("`press elder` did not turn elder mode on")
        self.wait_played(before, "the home screen's prompt after elder mode on")
        print("voice: elder mode on: the home screen's prompt played", flush=True)

        # 3. A screen change in elder mode: the item list's prompt, recorded.
        before = self.audio()
        self.record_start("elder-on")
        t0 = time.monotonic()
        self.press("browse")
        s = self.show()
        prompt = s.get("prompt") or ""
        if not prompt:
            raise VoiceError(f"the screen {s.get('screen')} has no words to speak")
        self.wait_played(before, f"the {s.get('screen')} screen's prompt")
        took = time.monotonic() - t0
        time.sleep(1.0)
        spoken_path = self.record_stop("elder-on")
        with open(os.path.join(self.share, "audio", "prompt.txt"), "w", encoding="utf-8") as f:
            f.write(prompt)
        voice = "cmn"
        self.sh(
            f'espeak-ng -v {voice} --stdout -- "$(cat {GUEST_SHARE}/audio/prompt.txt)" > {GUEST_SHARE}/audio/expected.wav',
            timeout=120.0,
        )

        # 4. The capture holds the whole prompt.
        rate, spoken = wav_samples(spoken_path)
        ref_rate, ref = wav_samples(os.path.join(self.share, "audio", "expected.wav"))
        (got, others), (want, _) = span(spoken, rate), span(ref, ref_rate)
        if want is None:
            raise VoiceError(f"espeak-ng's rendering of {prompt!r} is silent")
        if got is None:
            raise VoiceError(f"elder mode on: the loudspeaker said nothing on the change to {s.get('screen')} ({len(spoken) / rate:.1f} s captured, all silence)")
        got_s = (got[1] - got[0] + 1) / rate
        want_s = (want[1] - want[0] + 1) / ref_rate
        level = rms(spoken[got[0] : got[1] + 1])
        diff = abs(got_s - want_s) / want_s
        detail = (f"screen {s.get('screen')}: {got_s:.2f} s of speech captured on hw:Loopback,1,0 "
                  f"(RMS {level:.0f}), espeak-ng's rendering of the {len(prompt)}-character prompt "
                  f"{want_s:.2f} s: {100 * diff:.1f} % apart (press to played {took:.1f} s)")
        # Anything else in the capture: a click of a few milliseconds (seen after the prompt
        # when the PCM drains and closes) is reported; another sound of 50 ms or more is
        # words that should not be there.
        extra = [((b - a + 1) / rate, (a - got[1]) / rate) for a, b in others]
        if extra:
            detail += "; besides it: " + ", ".join(f"{1000 * d:.0f} ms of sound {w:+.2f} s after the prompt's end" for d, w in extra)
        if any(d >= 0.05 for d, _ in extra):
            raise VoiceError(f"more than the prompt was said: {detail}")
        if diff > TOLERANCE:
            raise VoiceError(f"not the whole prompt: {detail}")
        if level < 100:
            raise VoiceError(f"too quiet to be speech: {detail}")
        return detail


def main(argv):
    args = argv[1:]
    pcm = "hw:Loopback,1,0"
    if "--pcm-capture" in args:
        i = args.index("--pcm-capture")
        pcm = args[i + 1]
        del args[i : i + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        detail = Voice(args[0], pcm).run()
    except (VoiceError, GuestError, OSError, ValueError) as e:
        print(f"VOICE FAIL: {e}")
        return 1
    print(f"VOICE PASS: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
