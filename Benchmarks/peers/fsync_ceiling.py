#!/usr/bin/env python3
"""The fsync ceiling of the disk under a directory: what W6 (durable
commits) can reach at best on this machine.

Measures, each for --seconds, in a scratch directory under --dir:

  fsync         one thread appending 100 bytes to a file and fsyncing it:
                the disk's cost of one flush
  ref update    the two fsyncs every durable commit ends with (the ref's
                lock file, then its directory after the rename), one thread
                and then four at once, each on a ref of its own in one
                directory, as W6's four writers are

A durable commit costs at least one ref update, so the ref-update rate of
four threads is W6's ceiling even if sealing its objects were free.
"""
import argparse
import os
import tempfile
import threading
import time


def fsync_rate(directory, seconds):
    path = os.path.join(directory, "appended")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    count, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        os.write(fd, b"x" * 100)
        os.fsync(fd)
        count += 1
    os.close(fd)
    return count / seconds


def ref_updates(directory, name, seconds, counts, index):
    lock, ref = os.path.join(directory, name + ".lock"), os.path.join(directory, name)
    dir_fd = os.open(directory, os.O_RDONLY)
    count, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"%040x\n" % count)
        os.fsync(fd)
        os.close(fd)
        os.rename(lock, ref)
        os.fsync(dir_fd)
        count += 1
    os.close(dir_fd)
    counts[index] = count


def ref_update_rate(directory, threads, seconds):
    counts = [0] * threads
    workers = [threading.Thread(target=ref_updates, args=(directory, f"w{i}", seconds, counts, i)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where the scratch directory goes (the disk measured)")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = {"fsyncs/s, one thread": [], "ref updates/s, one thread": [], "ref updates/s, four threads": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
            rows["fsyncs/s, one thread"].append(fsync_rate(scratch, args.seconds))
            rows["ref updates/s, one thread"].append(ref_update_rate(scratch, 1, args.seconds))
            rows["ref updates/s, four threads"].append(ref_update_rate(scratch, 4, args.seconds))
    print(f"fsync ceiling under {args.dir}, {args.runs} runs of {args.seconds:g} s each (median, min–max):")
    for label, values in rows.items():
        values.sort()
        print(f"  {label:30} {values[len(values) // 2]:8.0f}  ({values[0]:.0f}–{values[-1]:.0f})")


if __name__ == "__main__":
    main()
