#!/bin/bash
# Prepend the Apache 2.0 header to Python files that lack it.
set -eu
hdr=$(dirname "$0")/license-header.txt
for f in "$@"; do
    if ! grep -q "Licensed under the Apache License" "$f"; then
        tmp=$(mktemp)
        if [ -s "$f" ]; then
            { cat "$hdr"; echo; cat "$f"; } > "$tmp"
        else
            cat "$hdr" > "$tmp"
        fi
        cat "$tmp" > "$f"
        rm -f "$tmp"
    fi
done
