#!/usr/bin/env bash
# Regenerates Fixtures/golden/<format>/: object bodies written by real git, in
# both object formats, that BanyanCoreTests decode and re-encode byte for byte.
# Every name, date and zone is fixed, so a rerun gives identical files.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME="Ada Author" GIT_AUTHOR_EMAIL="ada@example.com" GIT_AUTHOR_DATE="1700000000 +0530"
export GIT_COMMITTER_NAME="Cy Committer" GIT_COMMITTER_EMAIL="cy@example.com" GIT_COMMITTER_DATE="1700000100 -0800"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for format in sha1 sha256; do
    export GIT_DIR="$work/$format.git"
    git init --quiet --bare --object-format="$format" "$GIT_DIR"
    out="$here/golden/$format"
    rm -rf "$out"
    mkdir -p "$out"

    # save NAME TYPE ID: the exact body git stores, plus a line in ids.txt.
    save() {
        git cat-file "$2" "$3" >"$out/$1.$2"
        echo "$1 $2 $3" >>"$out/ids.txt"
    }

    blob=$(printf 'golden\n' | git hash-object -w --stdin)
    subtree=$(printf '100644 blob %s\tinner\n' "$blob" | git mktree)
    root=$(git commit-tree "$subtree" -m "root")

    # All five modes; "a-b" and "a.txt" sort before the directory "a" (compared as "a/").
    tree=$(printf '%s\n' \
        "100644 blob $blob"$'\t'"a.txt" \
        "100755 blob $blob"$'\t'"a-b" \
        "120000 blob $blob"$'\t'"link" \
        "040000 tree $subtree"$'\t'"a" \
        "100644 blob $blob"$'\t'"a0" \
        "160000 commit $root"$'\t'"module" | git mktree)
    save tree-all-modes tree "$tree"

    second=$(GIT_AUTHOR_DATE="1700000200 -0800" git commit-tree "$tree" -p "$root" -m "second")
    merge=$(git commit-tree "$tree" -p "$root" -p "$second" -m "Merge two lines" -m "The author zone is +0530.")
    save commit-merge commit "$merge"

    # git only writes gpgsig when it can sign, so this commit is typed in; the
    # signature is fake but shaped like a real one, blank armor line included.
    signed=$(printf '%s\n' \
        "tree $tree" \
        "parent $merge" \
        "author Ada Author <ada@example.com> 1700000000 +0530" \
        "committer Cy Committer <cy@example.com> 1700000100 -0800" \
        "encoding ISO-8859-1" \
        "gpgsig -----BEGIN PGP SIGNATURE-----" \
        " " \
        " iQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAFAmVVVVUACgkQAAAAAAAA" \
        " =AAAA" \
        " -----END PGP SIGNATURE-----" \
        "" \
        "Signed commit" | git hash-object -t commit -w --stdin)
    save commit-signed commit "$signed"

    git tag -a -m "Release 1.0" -m "Annotated, made by git tag -a." v1.0 "$signed"
    save tag-annotated tag "$(git rev-parse refs/tags/v1.0)"

    # A branch, so fsck has a head to check from instead of printing notices.
    git update-ref refs/heads/main "$signed"
    git symbolic-ref HEAD refs/heads/main
    git fsck --strict --no-dangling
done
