#!/usr/bin/env bash
# Rebuilds assets/fonts/NotoSansSC-iolab.otf: Noto Sans CJK SC Regular cut down to
# the 3,755 most common hanzi (GB 2312 level 1), Latin, CJK punctuation, and every
# character in assets/lang/*.ron and scenes/*.ron. Run it after adding Chinese text that uses a rare
# character. Needs: apt-get install fonts-noto-cjk; pip install fonttools.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
chars=$(mktemp)
python3 - "$chars" <<'PY'
import glob, sys
level1 = []
for hi in range(0xB0, 0xD8):
    for lo in range(0xA1, 0xFF):
        try:
            level1.append(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
used = set()
for f in sorted(glob.glob("assets/lang/*.ron") + glob.glob("scenes/*.ron") + glob.glob("scenes/lessons/*.ron")):
    used |= set(open(f, encoding="utf-8").read())
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(set(level1) | used)))
PY
# Font number 2 in the collection is the Simplified Chinese (SC) face.
pyftsubset "$src" --font-number=2 --text-file="$chars" \
    --unicodes="U+0020-007E,U+00A0-00FF,U+2010-2027,U+2190-21FF,U+2260-2265,U+25A0-25FF,U+3000-303F,U+FF00-FFEF" \
    --no-hinting --layout-features='*' --output-file=assets/fonts/NotoSansSC-iolab.otf
rm -f "$chars"
ls -l assets/fonts/NotoSansSC-iolab.otf
