#!/usr/bin/env python3
"""How many bytes the explorer writes to its terminal, measured through a pseudo-terminal.

Runs `nnimg explore` on a copy of training_input/ in a temporary folder, in a pty of the given
size, answers the terminal queries a plain xterm would (device attributes; nothing else, so
probes for graphics and the background colour get "unsupported"), skips a warm-up, then
counts every byte the explorer writes for a while. Prints one line:

    mode=... bytes=... seconds=... KiB/s=... frames/s=... picture_frames/s=...

A frame is one synchronized update (CSI ? 2026 h); a picture frame is a frame that writes
inside the picture (`--picture`, by default where a 110x110 picture sits on a 200x70
screen), which is how often the picture visibly refreshes.

    python3 .ci/bandwidth.py --bin target/release/nnimg --seconds 10 --env COLORTERM=truecolor
    python3 .ci/bandwidth.py --bin target/release/nnimg --keys ' ' --env COLORTERM=truecolor  # paused
"""

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

SYNC_BEGIN = b"\x1b[?2026h"
DA1_QUERY = re.compile(rb"\x1b\[0?c")
DA1_REPLY = b"\x1b[?62;22c"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/nnimg")
    ap.add_argument("--data", default="training_input")
    ap.add_argument("--cols", type=int, default=200)
    ap.add_argument("--rows", type=int, default=70)
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds not counted at the start")
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds counted")
    ap.add_argument("--keys", default="", help="keys typed after the warm-up's first second")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE (NAME= removes it)")
    ap.add_argument(
        "--picture",
        default="8-67,90-199",
        help="rows and columns (1-based, inclusive) inside the picture: ROW-ROW,COL-COL",
    )
    ap.add_argument("args", nargs="*", help="more arguments for `nnimg explore`")
    opts = ap.parse_args()

    binary = os.path.abspath(opts.bin)
    data = os.path.abspath(opts.data)
    env = dict(os.environ)
    for name in ("COLORTERM", "NO_COLOR", "TMUX", "SSH_CONNECTION", "TERM_PROGRAM"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    for item in opts.env:
        name, _, value = item.partition("=")
        if value:
            env[name] = value
        else:
            env.pop(name, None)

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(data, os.path.join(tmp, "training_input"))
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", opts.rows, opts.cols, 0, 0))

        def become_terminal_owner():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        child = subprocess.Popen(
            [binary, "explore", "--epochs", "10000000", *opts.args],
            cwd=tmp,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            preexec_fn=become_terminal_owner,
            close_fds=True,
        )
        os.close(slave)
        start = time.monotonic()
        counted = bytearray()
        keys_sent = not opts.keys
        tail = b""
        try:
            while True:
                now = time.monotonic() - start
                if now >= opts.warmup + opts.seconds:
                    break
                if not keys_sent and now >= 1.0:
                    os.write(master, opts.keys.encode())
                    keys_sent = True
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                # Answer device-attribute queries, as every terminal does.
                if DA1_QUERY.search(tail + chunk):
                    os.write(master, DA1_REPLY)
                tail = chunk[-8:]
                if time.monotonic() - start >= opts.warmup:
                    counted += chunk
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                while True:
                    ready, _, _ = select.select([master], [], [], 0.2)
                    if not ready or not os.read(master, 65536):
                        break
            except OSError:
                pass
            child.wait(timeout=30)
            os.close(master)

    if os.environ.get("BANDWIDTH_DUMP"):
        open(os.environ["BANDWIDTH_DUMP"], "wb").write(bytes(counted))
    frames = counted.split(SYNC_BEGIN)[1:]
    rows, cols = (tuple(map(int, r.split("-"))) for r in opts.picture.split(","))
    picture = sum(1 for f in frames if writes_inside(f, rows, cols))
    mode = " ".join(opts.env + opts.args) or "default"
    print(
        f"mode={mode!r} bytes={len(counted)} seconds={opts.seconds:g} "
        f"KiB/s={len(counted) / 1024 / opts.seconds:.1f} "
        f"frames/s={len(frames) / opts.seconds:.1f} picture_frames/s={picture / opts.seconds:.1f}"
    )


CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def writes_inside(frame, rows, cols):
    """True when the frame moves the cursor inside the box `rows` x `cols` and writes there."""
    for m in CURSOR_MOVE.finditer(frame):
        row, col = int(m.group(1)), int(m.group(2))
        after = frame[m.end() : m.end() + 1]
        if rows[0] <= row <= rows[1] and cols[0] <= col <= cols[1] and after:
            return True
    return False


if __name__ == "__main__":
    sys.exit(main())
