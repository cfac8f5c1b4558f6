#!/usr/bin/env bash
# Frames per second of the app on every shipped scene: release build, Xvfb and
# Mesa's software Vulkan (lavapipe), 1600x900, each scene played for N seconds.
#   tools/fps.sh [SECONDS]                  (default 8)
#   tools/fps.sh --rounds N [SECONDS]       every scene N times, round after round,
#                                           and the median of each (a single run
#                                           moves by a fifth with the machine's load)
#   tools/fps.sh --breakdown [SECONDS] [SCENE...]
# --breakdown plays each scene (default: read_write and page_cache_pollution) with
# the rectangles (sprites and solids), the labels, the panels and all three left
# out in turn, twice over,
# and prints what each part costs a frame: the frame time with it minus without.
# Leaving the panels out gives the drawing the whole window, so their share is
# a lower bound.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/iolab-target}
breakdown=0
rounds=1
if [ "${1:-}" = "--breakdown" ]; then
    breakdown=1
    shift
elif [ "${1:-}" = "--rounds" ]; then
    rounds=${2:?--rounds needs a number}
    shift 2
fi
secs=${1:-8}
[ $# -gt 0 ] && shift
cargo build --release --locked -q
bin="$CARGO_TARGET_DIR/release/iolab"
# The app's remembered settings stay out of the measurement.
export XDG_CONFIG_HOME=$(mktemp -d)

# fps of one run: SCENE [--fps-hide PARTS]
fps() {
    xvfb-run -a -s "-screen 0 1600x900x24" "$bin" gui "$@" --fps-seconds "$secs" 2>/dev/null | grep '^fps' || echo "fps ? (failed)"
}

if [ $breakdown -eq 0 ] && [ "$rounds" -eq 1 ]; then
    for f in scenes/*.ron; do
        printf '%-24s %s\n' "$(basename "$f" .ron)" "$(fps "$f")"
    done
    exit 0
fi

if [ $breakdown -eq 0 ]; then
    # Round after round, so a change in the machine's load falls on every scene.
    runs=$(mktemp)
    for r in $(seq "$rounds"); do
        for f in scenes/*.ron; do
            v=$(fps "$f" | awk '{print $2}')
            echo "$(basename "$f" .ron) $v" >>"$runs"
        done
    done
    printf '%-24s %6s   %s\n' scene median "runs (fps)"
    sort -k1,1 -k2,2n "$runs" | awk '
        { runs[$1] = runs[$1] " " $2; n[$1]++; v[$1, n[$1]] = $2 }
        END {
            for (k in n) {
                m = n[k] % 2 ? v[k, (n[k] + 1) / 2] : (v[k, n[k] / 2] + v[k, n[k] / 2 + 1]) / 2
                printf "%-24s %6.1f  %s\n", k, m, runs[k]
            }
        }' | sort
    rm -f "$runs"
    exit 0
fi

scenes=("$@")
[ ${#scenes[@]} -eq 0 ] && scenes=(scenes/read_write.ron scenes/page_cache_pollution.ron)
parts=(none sprites text panels sprites,text,panels)
for f in "${scenes[@]}"; do
    declare -A sum=()
    counts=""
    # Two rounds, the parts interleaved, so a change in the machine's load
    # falls on all of them alike.
    for round in 1 2; do
        for p in "${parts[@]}"; do
            if [ "$p" = none ]; then line=$(fps "$f"); else line=$(fps "$f" --fps-hide "$p"); fi
            v=$(echo "$line" | awk '{print $2}')
            [ "$v" = "?" ] && { echo "$f: $line"; exit 1; }
            sum[$p]=$(awk -v a="${sum[$p]:-0}" -v b="$v" 'BEGIN{print a+b}')
            [ "$p" = none ] && counts=$(echo "$line" | sed 's/.*; //; s/)$//')
        done
    done
    ms() { awk -v s="${sum[$1]}" 'BEGIN{printf "%.1f", 2000/s}'; }
    diff() { awk -v a="$(ms none)" -v b="$(ms "$1")" 'BEGIN{printf "%.1f", a-b}'; }
    printf '%s: %s ms a frame (%s fps; %s)\n' "$(basename "$f" .ron)" "$(ms none)" \
        "$(awk -v s="${sum[none]}" 'BEGIN{printf "%.1f", s/2}')" "$counts"
    printf '  rectangles %s ms, labels %s ms, panels >= %s ms, the rest %s ms\n' \
        "$(diff sprites)" "$(diff text)" "$(diff panels)" "$(ms sprites,text,panels)"
    unset sum
done
