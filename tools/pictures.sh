#!/usr/bin/env bash
# Retakes every picture in the README from the release build, under Xvfb with
# Mesa's software Vulkan (lavapipe), so a picture never shows an older app than
# the one it describes. Look at each PNG before committing it.
#   tools/pictures.sh            all of them
#   tools/pictures.sh NAME...    only these (e.g. read_write app_zh)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/iolab-target}
cargo build --release --locked -q
bin="$CARGO_TARGET_DIR/release/iolab"

# One picture: NAME THEME(dark|projector) ARGS... -> docs/NAME.png
# Each runs with its own empty settings folder, so the remembered language, UI
# scale and theme of whoever runs this stay out of the picture.
shoot() {
    local name=$1 theme=$2
    shift 2
    local cfg
    cfg=$(mktemp -d)
    if [ "$theme" = projector ]; then
        mkdir -p "$cfg/iolab"
        echo '(projector: true)' >"$cfg/iolab/settings.ron"
    fi
    XDG_CONFIG_HOME=$cfg xvfb-run -a -s "-screen 0 1600x900x24" \
        "$bin" gui "$@" --screenshot "docs/$name.png" >/dev/null 2>&1 ||
        { echo "$name: the app failed" >&2; return 1; }
    rm -rf "$cfg"
    echo "docs/$name.png"
}

want() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
only=("$@")

want read_write && shoot read_write dark read_write --at-cycle 170
want app_zh && shoot app_zh dark read_write --at-cycle 170 --lang zh
want pio_read && shoot pio_read dark pio_read --at-cycle 175
want sendfile_sg && shoot sendfile_sg dark sendfile_sg --at-cycle 269
want recv_async && shoot recv_async dark recv_async --at-cycle 250
want write_throttled && shoot write_throttled dark write_throttled --at-cycle 406
want io_uring_sqpoll && shoot io_uring_sqpoll dark io_uring_sqpoll --present --at-event 120
want present_read_write && shoot present_read_write projector read_write --present \
    --window 1024x576 --at-event 56
want lesson && shoot lesson dark --lesson pio_to_zero_copy --lesson-step 3
want lesson_zh && shoot lesson_zh dark --lesson pio_to_zero_copy --lesson-step 3 --lang zh
want lesson_present && shoot lesson_present dark --lesson pio_to_zero_copy --lesson-step 3 --present
want compare_view && shoot compare_view dark classroom_64 --compare classic
# The vector pictures.
if want compare; then
    "$bin" compare scenes/classroom_64.ron \
        --methods read+pio,read+dma,sendfile,sendfile+sg,splice,direct_io \
        --svg docs/compare.svg >/dev/null
    echo docs/compare.svg
fi
if want figure_classic; then
    "$bin" gui read_write --compare classic --figure docs/figure_classic.svg >/dev/null
    echo docs/figure_classic.svg
fi
