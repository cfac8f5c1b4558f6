#!/usr/bin/env bash
# Frames per second of the app on every shipped scene: release build, Xvfb and
# Mesa's software Vulkan (lavapipe), 1600x900, each scene played for N seconds.
#   tools/fps.sh [SECONDS]      (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/iolab-target}
secs=${1:-8}
cargo build --release --locked -q
bin="$CARGO_TARGET_DIR/release/iolab"
# The app's remembered settings stay out of the measurement.
export XDG_CONFIG_HOME=$(mktemp -d)
for f in scenes/*.ron; do
    name=$(basename "$f" .ron)
    line=$(xvfb-run -a -s "-screen 0 1600x900x24" "$bin" gui "$f" --fps-seconds "$secs" 2>/dev/null | grep '^fps' || echo "fps ? (failed)")
    printf '%-24s %s\n' "$name" "$line"
done
