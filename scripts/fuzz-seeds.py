#!/usr/bin/env python3
"""Writes seed corpora for the libFuzzer targets (Fuzz/) from real Git data.

Usage: scripts/fuzz-seeds.py OUTPUT_DIR

Seeds come from Fixtures/ (golden objects, the bare repositories' packs,
indexes, packed-refs and config) and from a small repository made here with
`git`, so the pack seeds are small and hold deltas. Targets that take a hash
function read it from the first byte of the input: 0 for SHA-1, 1 for SHA-256.
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Fixtures"
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
           GIT_AUTHOR_NAME="A U Thor", GIT_AUTHOR_EMAIL="a@example.com", GIT_AUTHOR_DATE="1700000000 +0000",
           GIT_COMMITTER_NAME="C O Mitter", GIT_COMMITTER_EMAIL="c@example.com",
           GIT_COMMITTER_DATE="1700000000 +0000", LC_ALL="C")


def git(*args, cwd=None, input=None):
    return subprocess.run(["git", *args], cwd=cwd, input=input, env=ENV, check=True, capture_output=True).stdout


def pkt(data):
    data = data.encode() if isinstance(data, str) else data
    return b"%04x" % (len(data) + 4) + data


class Seeds:
    def __init__(self, out):
        self.out = pathlib.Path(out)
        self.count = {}

    def add(self, target, data):
        directory = self.out / target
        directory.mkdir(parents=True, exist_ok=True)
        number = self.count.get(target, 0)
        self.count[target] = number + 1
        (directory / f"seed-{number:04d}").write_bytes(data)


def algorithm_byte(repo):
    return b"\x01" if "sha256" in str(repo) else b"\x00"


def objects_of(repo, per_kind=6):
    """(kind, body) of up to `per_kind` objects of each kind in a bare repository."""
    listing = git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)", cwd=repo)
    taken = {}
    for line in listing.decode().splitlines():
        oid, kind = line.split()
        taken[kind] = taken.get(kind, 0) + 1
        if taken[kind] <= per_kind:
            yield kind, git("cat-file", kind, oid, cwd=repo)


def small_repository(directory):
    """A repository with a few commits whose blobs delta against each other, an annotated tag and a gitlink."""
    git("init", "-q", "-b", "main", directory)
    text = "".join(f"line {n}\n" for n in range(60))
    for round in range(3):
        (pathlib.Path(directory) / "a.txt").write_text(text + f"round {round}\n")
        (pathlib.Path(directory) / ".gitattributes").write_text("*.json merge=json\n")
        git("add", ".", cwd=directory)
        git("commit", "-q", "-m", f"round {round}", cwd=directory)
    git("tag", "-a", "v1", "-m", "version 1", cwd=directory)
    return directory


def client_side_captures(seeds, small, scratch):
    """What real git sends a client: ref advertisements (v0 upload-pack and
    receive-pack, v2 ls-refs), a v2 fetch response with its packfile
    section, a push's report-status; a bundle and a reflog git wrote."""
    bare = os.path.join(scratch, "served.git")
    git("clone", "-q", "--bare", small, bare)
    v2 = dict(ENV, GIT_PROTOCOL="version=2")

    def serve(service, body=None, env=ENV, advertise=False):
        args = [service, "--stateless-rpc"] + (["--advertise-refs"] if advertise else []) + [bare]
        return subprocess.run(["git", *args], input=body, env=env, check=True, capture_output=True).stdout

    seeds.add("advertisement", pkt("# service=git-upload-pack\n") + b"0000" + serve("upload-pack", advertise=True))
    seeds.add("advertisement", serve("receive-pack", advertise=True))
    seeds.add("advertisement", serve("upload-pack", pkt("command=ls-refs\n") + b"0001" + pkt("symrefs\n")
                                     + pkt("peel\n") + pkt("unborn\n") + b"0000", env=v2))
    head = git("rev-parse", "HEAD", cwd=small).decode().strip()
    first = git("rev-list", "--max-parents=0", "HEAD", cwd=small).decode().strip()
    for haves in ([], [first]):
        body = pkt("command=fetch\n") + b"0001" + pkt("thin-pack\n") + pkt("ofs-delta\n") + pkt(f"want {head}\n")
        body += b"".join(pkt(f"have {have}\n") for have in haves) + pkt("done\n") + b"0000"
        response = serve("upload-pack", body, env=v2)
        # The first byte sets the size of the pieces the response arrives in.
        seeds.add("fetch-response", b"\x07" + response)
        seeds.add("fetch-response", b"\xff" + response)
    # A push of one new commit, answered with side-band (first byte 1) and without (0).
    work = os.path.join(scratch, "work")
    git("clone", "-q", bare, work)
    (pathlib.Path(work) / "b.txt").write_text("pushed\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "pushed", cwd=work)
    new = git("rev-parse", "HEAD", cwd=work).decode().strip()
    pack = git("pack-objects", "--stdout", "-q", "--thin", cwd=work, input=f"{new}\n^{head}\n".encode())
    for capabilities, band in (("report-status side-band-64k", b"\x01"), ("report-status", b"\x00")):
        body = pkt(f"{head} {new} refs/heads/main\x00{capabilities}\n") + b"0000" + pack
        seeds.add("report-status", band + serve("receive-pack", body))
        git("update-ref", "refs/heads/main", head, cwd=bare)
    seeds.add("report-status", b"\x00" + pkt("unpack ok\n") + pkt("ng refs/heads/main non-fast-forward\n")
              + pkt("ok refs/tags/v1\n") + b"0000")
    bundle = os.path.join(scratch, "all.bundle")
    git("bundle", "create", "-q", bundle, "--all", cwd=small)
    seeds.add("bundle", pathlib.Path(bundle).read_bytes())
    git("bundle", "create", "-q", bundle, "HEAD~1..main", cwd=small)
    seeds.add("bundle", pathlib.Path(bundle).read_bytes())
    seeds.add("reflog", b"\x00" + (pathlib.Path(small) / ".git" / "logs" / "HEAD").read_bytes())
    seeds.add("reflog", b"\x00" + (pathlib.Path(work) / ".git" / "logs" / "HEAD").read_bytes())
    for base, ours, theirs in ((b'{"a": 1, "b": [1, 2]}', b'{"a": 2, "b": [1, 2]}', b'{"a": 1, "b": [1, 2, 3]}'),
                               (b'{"n": null}', b'{"n": {"x": "y"}}', b'{"n": true}'),
                               (b'', b'[1, 2.5e3, "\\u00e9"]', b'[1]')):
        seeds.add("json-merge", base + b"\x00" + ours + b"\x00" + theirs)
    # The change stream as `banyan serve` writes it (the first byte picks where the pieces are cut).
    update = (b'id: 5d1f0c2a9e3b47d8a6c1f0e2b3a4c5d6e7f80912\nevent: update\n'
              b'data: {"changes":[{"key":"notes/a","kind":"added"}],"new":"5d1f0c2a","old":null}\n\n')
    seeds.add("sse", b"\x03" + b": keep-alive\n\n" + update)
    seeds.add("sse", b"\x05" + update.replace(b"\n", b"\r\n") + b"event: error\r\ndata: a\r\ndata: b\r\n\r\n")
    # An encrypted remote's manifest as Banyan writes it (odd first byte: decoded as a manifest;
    # even: opened as an envelope, and sealed and opened again).
    manifest = (b'{"bundles":["0123456789abcdef0123456789abcdef"],"head":"refs/heads/main",'
                b'"refs":{"refs/banyan/conflicts":"' + b"b" * 40 + b'","refs/heads/main":"' + b"a" * 40 + b'"},'
                b'"sequence":3,"version":1,"writer":"fedcba9876543210fedcba9876543210"}')
    seeds.add("encrypted", b"\x01" + manifest)
    seeds.add("encrypted", b"\x00BNYE\x01" + bytes(range(64)))


def main():
    seeds = Seeds(sys.argv[1])
    repos = sorted((FIXTURES / "repos").glob("*.git"))

    for golden in sorted((FIXTURES / "golden").glob("*/*")):
        prefix = b"\x01" if golden.parent.name == "sha256" else b"\x00"
        kind = {".tree": "tree", ".commit": "commit", ".tag": "tag"}.get(golden.suffix)
        if kind:
            body = golden.read_bytes()
            seeds.add(kind, prefix + body)
            seeds.add("loose", zlib.compress(b"%s %d\x00" % (kind.encode(), len(body)) + body))

    for repo in repos:
        for kind, body in objects_of(repo):
            if kind != "blob":
                seeds.add(kind, algorithm_byte(repo) + body)
            seeds.add("loose", zlib.compress(b"%s %d\x00" % (kind.encode(), len(body)) + body))
        for pack in (repo / "objects" / "pack").glob("*.pack"):
            if pack.stat().st_size <= 40_000:
                seeds.add("pack", algorithm_byte(repo) + pack.read_bytes())
        for index in (repo / "objects" / "pack").glob("*.idx"):
            if index.stat().st_size <= 12_000:
                seeds.add("idx", algorithm_byte(repo) + index.read_bytes())
        packed = (repo / "packed-refs").read_bytes() if (repo / "packed-refs").exists() else b""
        head = (repo / "HEAD").read_bytes()
        seeds.add("refs", packed + b"\x00" + head)
        if packed:
            first_id = packed.splitlines()[1].split()[0]
            seeds.add("refs", packed + b"\x00" + first_id + b"\n")
        seeds.add("config", (repo / "config").read_bytes())

    with tempfile.TemporaryDirectory() as scratch:
        small = small_repository(os.path.join(scratch, "small"))
        ids = git("rev-list", "--objects", "--all", cwd=small).decode().split("\n")
        pack = git("pack-objects", "--stdout", "-q", "--delta-base-offset", cwd=small,
                   input="\n".join(line.split(" ")[0] for line in ids if line).encode())
        ref_delta_pack = git("pack-objects", "--stdout", "-q", cwd=small,
                             input="\n".join(line.split(" ")[0] for line in ids if line).encode())
        seeds.add("pack", b"\x00" + pack)
        seeds.add("pack", b"\x00" + ref_delta_pack)
        git("index-pack", "-o", os.path.join(scratch, "small.idx"), "--stdin", cwd=small, input=pack)
        seeds.add("idx", b"\x00" + pathlib.Path(scratch, "small.idx").read_bytes())
        head = git("rev-parse", "HEAD", cwd=small).decode().strip()
        zero = "0" * 40
        seeds.add("receive-pack", pkt(f"{zero} {head} refs/heads/main\x00report-status side-band-64k atomic\n")
                  + b"0000" + pack)
        seeds.add("receive-pack", pkt(f"{zero} {head} refs/heads/main\x00report-status\n")
                  + pkt(f"{zero} {head} refs/tags/v1\n") + b"0000" + ref_delta_pack)
        seeds.add("config", (pathlib.Path(small) / ".git" / "config").read_bytes())
        client_side_captures(seeds, small, scratch)

    zero = "0" * 40
    some_id = "1" * 40
    # The first byte picks the protocol: 0 for v2, 1 for v0.
    seeds.add("upload-pack", b"\x00" + pkt("command=ls-refs\n") + pkt("agent=git/2.39\n") + b"0001"
              + pkt("peel\n") + pkt("symrefs\n") + pkt("ref-prefix refs/heads/\n") + b"0000")
    seeds.add("upload-pack", b"\x00" + pkt("command=fetch\n") + b"0001" + pkt("thin-pack\n") + pkt("ofs-delta\n")
              + pkt(f"want {some_id}\n") + pkt(f"have {zero}\n") + pkt("deepen 1\n") + pkt("done\n") + b"0000")
    seeds.add("upload-pack", b"\x01" + pkt(f"want {some_id} multi_ack_detailed side-band-64k thin-pack ofs-delta\n")
              + b"0000" + pkt(f"have {zero}\n") + pkt("done\n"))
    for request in (pkt("command=ls-refs\n") + b"0000", pkt("hello\n") + b"0001" + b"0002" + pkt(b"\x01data")
                    + pkt(b"\x02progress\n") + b"0000", b"0003", b"000"):
        seeds.add("pktline", request)

    attributes = [b"a.json\n*.json merge=json\n", b"x/y.txt\n[attr]binary -diff -merge -text\n*.txt binary\n",
                  b'"q\\"uoted"\n"q\\"uoted" merge=union !text\n/rooted/** -merge\n']
    for text in attributes:
        seeds.add("gitattributes", text)
    seeds.add("config", b'[remote "origin"]\n\turl = https://example.com/x.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n'
              b'[core]\n\tbare = yes\n\tbigFileThreshold = 1m\n[banyan "x.y"]\n\tv = "a\\tb" ; comment\n')
    for name in ("refs/heads/main", "refs/heads/a/b.c", "refs/tags/v1.0", "HEAD", "refs/heads/x..y", "refs/heads/@{u}",
                 "a/b/c.json", ".git/config", "a//b", "git~1/x", "sp ace/ü"):
        seeds.add("names", name.encode())
    # A delta: two length bytes, the base, then base size, result size,
    # copy 16 bytes from offset 0, insert "abc" (and copy 32 from offset 16).
    base = b"hello, delta world\n" * 4
    head = len(base).to_bytes(2, "big") + base
    seeds.add("delta", head + bytes([len(base), 19, 0x91, 0x00, 0x10, 0x03]) + b"abc")
    seeds.add("delta", head + bytes([len(base), 51, 0x91, 0x00, 0x10, 0x03]) + b"abc" + bytes([0x91, 0x10, 0x20]))

    for target, number in sorted(seeds.count.items()):
        print(f"{target}: {number} seeds")


main()
