#!/bin/sh
# selfcontained.sh - the repository refers to nothing outside itself: no path
# into a sibling folder of the checkout, every mention of the contract points
# at docs/CONTRACT.md (which exists), and every relative Markdown link
# resolves to a file in the repository.  Uses $TESTS_DIR.
set -eu
: "${RELSIM:=unused}"
. "$TESTS_DIR/lib.sh"
root=$(cd "$TESTS_DIR/.." && pwd)
cd "$root"
files=$(find README.md Makefile .ci app models sim loader util plots tests docs scenarios -type f \
    \( -name '*.[ch]' -o -name '*.sh' -o -name '*.md' -o -name '*.json' -o -name Makefile \
       -o -name run -o -name fuzz -o -name '*.dict' \) 2>/dev/null | grep -v '^tests/sh/selfcontained.sh$')
# a sibling of the checkout, or the machine's work folder it sits in
outside="/work/|\.\./""shared"
check "no file names a path outside the repository" \
    eval '! grep -nE "$outside" $files'
check "docs/CONTRACT.md is in the repository" test -s docs/CONTRACT.md
# every CONTRACT.md mention outside docs/ says docs/CONTRACT.md
check "every mention of CONTRACT.md outside docs/ is docs/CONTRACT.md" \
    eval '! grep -n "CONTRACT\.md" $(echo "$files" | grep -v "^docs/") | grep -v "docs/CONTRACT\.md"'
check "every relative Markdown link resolves" python3 - $(echo "$files" | grep '\.md$') <<'PY'
import os, re, sys
bad = []
for f in sys.argv[1:]:
    for m in re.finditer(r'\]\(([^)#\s]+)(#[^)]*)?\)', open(f).read()):
        t = m.group(1)
        if re.match(r'[a-z]+:', t):
            continue
        if not os.path.exists(os.path.join(os.path.dirname(f), t)):
            bad.append(f + ": " + t)
if bad:
    print("      broken:", bad[:8])
sys.exit(1 if bad else 0)
PY
finish
