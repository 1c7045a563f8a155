#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Synthesize data/ping.wav, Screenpop's notification sound.

A short bell-like ping: two sine partials (1200 Hz and 1800 Hz, a fifth apart) with a 4 ms
raised-cosine attack and fast exponential decays, the upper partial dying away first, then a
short fade to true silence. 0.35 s, 16-bit mono, 22050 Hz. Only the standard library is used
and the output is deterministic, so regenerating gives the same bytes.

    data/make-ping.py [OUTPUT]          write the sound (default: ping.wav next to this script)
    data/make-ping.py --check FILE      exit 1 when FILE is not what this script makes

The check allows each sample to differ by a couple of steps, since the last bit of sin() and
exp() may differ between C libraries.
"""

import io
import math
import os
import struct
import sys
import wave

RATE = 22050
DURATION = 0.35
PEAK = 0.70           # about -3 dBFS
ATTACK = 0.004
FADE = 0.030
PARTIALS = (
    # frequency (Hz), relative amplitude, decay time constant (s)
    (1200.0, 1.00, 0.075),
    (1800.0, 0.45, 0.040),
)


def samples():
    n = int(RATE * DURATION)
    raw = []
    for i in range(n):
        t = i / RATE
        value = sum(amp * math.exp(-t / tau) * math.sin(2.0 * math.pi * freq * t)
                    for freq, amp, tau in PARTIALS)
        if t < ATTACK:
            value *= 0.5 - 0.5 * math.cos(math.pi * t / ATTACK)
        remaining = DURATION - t
        if remaining < FADE:
            value *= remaining / FADE
        raw.append(value)
    scale = PEAK / max(abs(v) for v in raw)
    return [int(round(v * scale * 32767)) for v in raw]


def render():
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples()))
    return buffer.getvalue()


def read_wav(data):
    with wave.open(io.BytesIO(data), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    count = len(frames) // 2
    return params, struct.unpack(f"<{count}h", frames[:count * 2])


def check(path):
    with open(path, "rb") as existing:
        have_params, have = read_wav(existing.read())
    want_params, want = read_wav(render())
    if have_params != want_params or len(have) != len(want):
        print(f"{path}: format differs from what make-ping.py makes: {have_params}",
              file=sys.stderr)
        return 1
    worst = max(abs(a - b) for a, b in zip(have, want))
    if worst > 2:
        print(f"{path}: samples differ by up to {worst} from what make-ping.py makes; "
              "regenerate it", file=sys.stderr)
        return 1
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[1] if len(argv) == 2 else os.path.join(os.path.dirname(__file__), "ping.wav")
    with open(path, "wb") as out:
        out.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
