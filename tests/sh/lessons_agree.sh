#!/bin/sh
# Every shipped scenario runs as a newcomer would run it (its own seed,
# replications and horizon) with exit 0, and its model check never says
# "differs": a lesson whose simulation disagrees with its own exact values
# would teach the wrong thing (or hide a bug).  A "differs" by chance alone
# means the lesson needs more replications, not a different seed.
set -eu
. "$TESTS_DIR/lib.sh"
here=$(cd "$TESTS_DIR/.." && pwd)

for f in "$here"/scenarios/*.json "$here"/scenarios/published/*.json; do
    name=$(basename "$f" .json)
    relsim run "$f" -q --no-plots -o "$tmp/$name"
    if ! rc_is 0; then fail "$name: exit $rc"; show; continue; fi
    differs=$(python3 - "$tmp/$name/results.json" <<'PY'
import json, sys
mc = json.load(open(sys.argv[1]))['model_check']
print('; '.join('%s (exact %s, simulated %s)' % (m['quantity'], m.get('predicted'), m.get('observed'))
                for m in mc if m['verdict'] == 'differs'))
PY
)
    if [ -z "$differs" ]; then pass "$name: runs, model check has no 'differs'"
    else fail "$name: model check differs: $differs"; fi
done
finish
