#!/usr/bin/env python3
"""PyAV reference loader for the ingest benchmark (tools/bench): the PySlowFast recipe, per train clip.

    container = av.open(path)                   # per clip, as PySlowFast's Kinetics.__getitem__ does
    container.seek(start_pts - 1024, backward=True, any_frame=False, stream=video)  # keyframe before (PySlowFast's margin)
    decode until the window's last wanted pts   # keep the frames whose pts is one of the 8 wanted
    frame.to_ndarray(format="rgb24")            # only the 8 picked frames are converted (PySlowFast converts every
                                                #   frame of the window: this reference is the stronger one)
    PIL resize (bilinear) of the short side to the clip's jitter scale, numpy crop, numpy flip,
    (x / 255 - 0.45) / 0.225 as float32 [T, S, S, 3]

It runs `workers` processes (multiprocessing, fork), like a torch DataLoader with num_workers = workers: each clip's
float32 array is sent back to the parent process (pickled over a pipe) and the parent stacks batches of
`batch_size`, consumed in the clip list's order (imap, ordered). The clip list (JSON, written by the TypeScript side)
gives, per clip, the video, the 8 frame indices with their pts (the TS probe's, stream time base) and
the crop parameters drawn by the library, so both sides do exactly the same clips.

Usage: pyav_loader.py CLIPS_JSON [--cold] [--passes N] [--min-sec S] [--verify K --verify-out DIR]
The TS side runs it once per benchmark round (rounds interleave the methods, so load from other processes on a shared
machine falls on all of them alike). Prints one JSON object on stdout: versions, per-pass timings, per-clip CPU
(process_time of the workers and of the parent), and (with --verify) the native-size
RGB frames of the first K clips written to DIR/clip-<n>.rgb (8 x H x W x 3 uint8) for the TS side to compare.
"""
import argparse
import json
import multiprocessing as mp
import os
import sys
import time

import av
import numpy as np
import PIL
from PIL import Image

CLIPS = []  # set in the parent before the fork; read by the workers
META = {}


SEEK_MARGIN = 1024  # PySlowFast's pyav_decode_stream: seek to max(start_pts - 1024, 0)


def decode_window(path, want_pts):
    """The frames with the wanted pts, as rgb24 ndarrays in wanted order (PySlowFast: seek, decode the window)."""
    container = av.open(path)
    try:
        stream = container.streams.video[0]
        wanted = set(want_pts)
        last = max(want_pts)
        got = {}
        container.seek(max(min(want_pts) - SEEK_MARGIN, 0), backward=True, any_frame=False, stream=stream)
        for frame in container.decode(stream):
            pts = frame.pts
            if pts in wanted and pts not in got:
                got[pts] = frame.to_ndarray(format="rgb24")
            if pts is not None and pts >= last and len(got) == len(wanted):
                break
        missing = [p for p in want_pts if p not in got]
        if missing:
            raise RuntimeError("%s: frames with pts %s did not decode" % (path, missing))
        return [got[p] for p in want_pts]
    finally:
        container.close()


def transform(frames, c):
    """Resize the short side (PIL bilinear), crop and flip with numpy, normalise to float32 [T, S, S, 3]."""
    p = c["params"]
    out = np.empty((len(frames), p["size"], p["size"], 3), dtype=np.float32)
    y, x, s = p["cropY"], p["cropX"], p["size"]
    for t, rgb in enumerate(frames):
        img = Image.fromarray(rgb).resize((p["scaleW"], p["scaleH"]), Image.BILINEAR)
        a = np.asarray(img)[y : y + s, x : x + s]
        if p["flip"]:
            a = a[:, ::-1]
        out[t] = a
    out /= 255.0
    out -= META["mean"]
    out /= META["std"]
    return out


def load_clip(k):
    c = CLIPS[k]
    t0 = time.process_time()
    frames = decode_window(c["path"], c["pts"])
    clip = transform(frames, c)
    return k, clip, time.process_time() - t0


def run_pass(pool, order, batch_size):
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    batch = []
    batches = 0
    worker_cpu = 0.0
    clips = 0
    checksum = 0.0
    for k, clip, cpu in pool.imap(load_clip, order, chunksize=1):
        worker_cpu += cpu
        batch.append(clip)
        clips += 1
        if len(batch) == batch_size:
            b = np.stack(batch)  # the collate step of a DataLoader
            checksum += float(b[:, :, 0, 0, 0].sum())
            batches += 1
            batch = []
    if batch:
        b = np.stack(batch)
        checksum += float(b[:, :, 0, 0, 0].sum())
        batches += 1
    sec = time.perf_counter() - t0
    parent_cpu = time.process_time() - cpu0
    return {
        "sec": sec,
        "clips": clips,
        "batches": batches,
        "clipsPerSec": clips / sec if sec > 0 else 0.0,
        "workerCpuMsPerClip": 1000.0 * worker_cpu / max(clips, 1),
        "parentCpuMsPerClip": 1000.0 * parent_cpu / max(clips, 1),
        "checksum": checksum,
    }


def check_time_base(item):
    path, tb = item
    with av.open(path) as c:
        s = c.streams.video[0]
        if s.time_base.numerator * tb[1] != s.time_base.denominator * tb[0]:
            return "time base of %s is %s in PyAV, %s in the TS probe" % (path, s.time_base, tb)
    return None


def verify(k_count, out_dir):
    """Writes the native-size frames PyAV picks (before any resize) for the first k_count clips."""
    os.makedirs(out_dir, exist_ok=True)
    done = []
    for c in CLIPS[:k_count]:
        frames = decode_window(c["path"], c["pts"])
        arr = np.ascontiguousarray(np.stack(frames))
        f = os.path.join(out_dir, "clip-%d.rgb" % c["n"])
        arr.tofile(f)
        done.append({"n": c["n"], "file": f, "shape": list(arr.shape)})
    return done


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clips_json")
    ap.add_argument("--cold", action="store_true", help="run one pass first and mark it cold (first opens of the files)")
    ap.add_argument("--passes", type=int, default=1, help="timed passes (after the cold one, if any)")
    ap.add_argument("--min-sec", type=float, default=0.0, help="keep adding timed passes until this many seconds")
    ap.add_argument("--verify", type=int, default=0)
    ap.add_argument("--verify-out", default=None)
    a = ap.parse_args()

    with open(a.clips_json) as f:
        spec = json.load(f)
    CLIPS.extend(spec["clips"])
    META.update(mean=np.float32(spec["mean"]), std=np.float32(spec["std"]))
    workers = int(spec["workers"])
    batch_size = int(spec["batchSize"])
    order = spec["order"]

    result = {
        "python": sys.version.split()[0],
        "av": av.__version__,
        "libavcodec": ".".join(map(str, av.library_versions["libavcodec"])),
        "numpy": np.__version__,
        "pil": PIL.__version__,
        "workers": workers,
        "startMethod": "fork",
        "convert": "picked frames only (to_ndarray rgb24)",
        "resize": "PIL bilinear",
    }

    # Fork the workers before this process opens any file with PyAV: libav starts decoder threads, and a fork taken
    # while they hold locks hangs the children.
    ctx = mp.get_context("fork")
    t0 = time.perf_counter()
    with ctx.Pool(workers) as pool:
        pool.map(int, range(workers * 4))  # every worker is up
        result["startSec"] = time.perf_counter() - t0
        # The streams' time bases must be the ones the TS probe gave the pts in (checked in a worker, same reason).
        bad = [m for m in pool.map(check_time_base, list(spec["timeBases"].items())) if m]
        if bad:
            raise SystemExit("; ".join(bad))
        passes = []
        if a.cold:
            p = run_pass(pool, order, batch_size)  # the first open of each file in this run
            p["cold"] = True
            passes.append(p)
        timed = 0.0
        n = 0
        while n < a.passes or (a.passes > 0 and timed < a.min_sec):
            p = run_pass(pool, order, batch_size)
            p["cold"] = False
            passes.append(p)
            timed += p["sec"]
            n += 1
    if a.verify:
        result["verify"] = verify(a.verify, a.verify_out)
    result["passes"] = passes
    print(json.dumps(result))


if __name__ == "__main__":
    main()
