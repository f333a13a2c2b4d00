#!/usr/bin/env bash
# Regenerates Fixtures/repos/: small bare repositories packed by real git in
# the ways Banyan must read (and gc, and bundle):
#
#   sha1-gc.git          git gc: deltas, packed-refs with peeled tags, a merge,
#                        binary files, exec bit and symlink, commit-graph; then
#                        one more commit left loose (packs and loose together)
#   sha1-aggressive.git  the same history and 40 more edits, git gc --aggressive
#   sha1-deep.git        300 revisions of two files, repack -a -d -f
#                        --depth=250 --window=250: delta chains 150 deep
#   sha1-large.git       blobs over 64 KiB (random bytes) and edits of them
#   sha256-gc.git        the sha1-gc history in a SHA-256 repository, git gc
#
# Names, dates and file contents are fixed (a linear congruential generator
# makes the "random" bytes), so a rerun makes the same objects. Work-tree
# leftovers (index, hooks, logs) are removed: the repositories are bare.
# refs/.gitkeep keeps refs/ in Banyan's git tree once every ref is packed;
# git and Banyan skip ref files whose names start with a dot.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/repos"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME="Ada Author" GIT_AUTHOR_EMAIL="ada@example.com"
export GIT_COMMITTER_NAME="Cy Committer" GIT_COMMITTER_EMAIL="cy@example.com"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# bytes SEED COUNT: COUNT pseudo-random bytes (NULs included) on stdout.
bytes() {
    awk -v seed="$1" -v count="$2" 'BEGIN {
        x = seed
        for (i = 0; i < count; i++) {
            x = (x * 1103515245 + 12345) % 2147483648
            printf "\\x%02x", int(x / 65536) % 256
            if (i % 64 == 63) printf "\n"
        }
        printf "\n"
    }' | while IFS= read -r line; do printf "%b" "$line"; done
}

# commit N MESSAGE: commits the work tree at a fixed time N minutes after the epoch below.
commit() {
    local when=$((1700000000 + $1 * 60))
    git add -A
    GIT_AUTHOR_DATE="$when +0000" GIT_COMMITTER_DATE="$when +0000" git commit --quiet -m "$2"
}

# start NAME FORMAT: a new bare repository with a separate work tree.
start() {
    git init --quiet --bare --template= --initial-branch=main --object-format="$2" "$work/$1"
    export GIT_DIR="$work/$1" GIT_WORK_TREE="$work/$1-tree"
    mkdir -p "$GIT_WORK_TREE"
    cd "$GIT_WORK_TREE"
}

# history: a store-like history with directories, text edits, binaries, a merge and tags.
history() {
    mkdir -p notes/daily config bin
    for i in $(seq 1 40); do echo "line $i of the shared notes file"; done >notes/shared.txt
    echo '{"theme": "dark", "size": 12}' >config/settings.json
    bytes 7 3000 >bin/blob.bin
    printf '#!/bin/sh\necho hi\n' >bin/run.sh && chmod +x bin/run.sh
    ln -s ../notes/shared.txt bin/link
    commit 1 "first"
    for i in $(seq 2 12); do
        sed -i "s/^line $i of/line $i (edited in round $i) of/" notes/shared.txt
        echo "entry $i" >"notes/daily/day-$i.txt"
        echo "{\"theme\": \"dark\", \"size\": $((12 + i))}" >config/settings.json
        if [ $((i % 4)) = 0 ]; then bytes "$i" 3000 >bin/blob.bin; fi
        commit "$i" "round $i"
    done
    GIT_COMMITTER_DATE="1700001000 +0000" git tag -a v1 -m "release 1" HEAD~6
    git tag light HEAD~3
    git checkout --quiet -b feature HEAD~4
    echo "feature work" >notes/feature.txt
    commit 20 "feature"
    git checkout --quiet main
    GIT_AUTHOR_DATE="1700002000 +0000" GIT_COMMITTER_DATE="1700002000 +0000" \
        git merge --quiet --no-ff -m "merge feature" feature
    GIT_COMMITTER_DATE="1700003000 +0000" git tag -a v2 -m "release 2" HEAD
    GIT_COMMITTER_DATE="1700003100 +0000" git -c advice.nestedTag=false tag -a v2-signed-off -m "a tag of a tag" v2
}

# finish NAME: drops work-tree state and moves the repository into Fixtures/repos.
finish() {
    cd "$work"
    rm -rf "$GIT_DIR/index" "$GIT_DIR/logs" "$GIT_DIR/hooks" "$GIT_DIR/COMMIT_EDITMSG" \
        "$GIT_DIR/ORIG_HEAD" "$GIT_DIR/info" "$GIT_DIR/description"
    git config core.bare true
    git config --unset core.worktree 2>/dev/null || true
    touch "$GIT_DIR/refs/.gitkeep"
    rm -rf "${out:?}/$1"
    mv "$GIT_DIR" "$out/$1"
    unset GIT_DIR GIT_WORK_TREE
}

rm -rf "$out"
mkdir -p "$out"
printf '* -text -diff -merge\n' >"$out/.gitattributes"

start sha1-gc.git sha1
history
git gc --quiet
git checkout --quiet -b after-gc
echo "written after gc" >notes/loose.txt
commit 30 "loose after gc"
git checkout --quiet main
finish sha1-gc.git

start sha1-aggressive.git sha1
history
for i in $(seq 31 70); do
    sed -i "s/^line $((i % 40 + 1)) /line $((i % 40 + 1)) (again, round $i) /" notes/shared.txt
    echo "{\"theme\": \"light\", \"size\": $i}" >config/settings.json
    commit "$i" "round $i"
done
git gc --quiet --aggressive
finish sha1-aggressive.git

start sha1-deep.git sha1
for i in $(seq 1 300); do
    echo "revision $i appends this line to the log" >>log.txt
    # A sliding window of fixed-width lines: each version is nearest to the
    # one before, so the delta search builds one long chain.
    awk -v i="$i" 'BEGIN { for (n = i; n < i + 200; n++) printf "%06d\n", n }' >window.txt
    commit "$i" "revision $i"
done
git repack --quiet -a -d -f --depth=250 --window=250
git pack-refs --all
finish sha1-deep.git

start sha1-large.git sha1
bytes 11 100000 >large.bin
commit 1 "large blob"
{ head -c 50000 large.bin; printf 'an edit in the middle'; tail -c 49000 large.bin; } >large.tmp && mv large.tmp large.bin
commit 2 "edit the large blob"
bytes 12 70000 >second.bin
cat large.bin >>second.bin
commit 3 "a second large blob sharing bytes with the first"
git gc --quiet
finish sha1-large.git

start sha256-gc.git sha256
history
git gc --quiet
finish sha256-gc.git

du -sh "$out"
