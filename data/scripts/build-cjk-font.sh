#!/usr/bin/env bash
# Builds data/fonts/egdi-cjk.ttf, the font egdi embeds to draw Chinese in charts.
#
# Source: WenQuanYi Micro Hei (Debian package fonts-wqy-microhei), licensed Apache-2.0
# (or GPL-3+ with font exception); its Latin glyphs come from Droid Sans, so one font
# covers mixed Chinese and Latin labels. The subset keeps:
#   - ASCII, Latin-1, general punctuation, arrows, CJK punctuation, full-width forms;
#   - the 3,755 level-1 hanzi of GB 2312 (the common characters of modern Chinese);
#   - every other character used in egdi's own data and source (country, region and
#     province names, labels), so the shipped names always render.
# Hinting and OpenType layout tables are dropped (charts are drawn at print sizes), and
# the family is renamed so the subset never shadows a full installed copy.
#
# Needs: apt-get install fonts-wqy-microhei python3-fonttools
# Run from the repository root after adding Chinese text to data/ or the code:
#   bash data/scripts/build-cjk-font.sh
set -euo pipefail
src=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
py=/usr/bin/python3
out=data/fonts/egdi-cjk.ttf
[ -f "$src" ] || { echo "missing $src: apt-get install fonts-wqy-microhei" >&2; exit 1; }
$py -c 'import fontTools' 2>/dev/null || { echo "missing fontTools: apt-get install python3-fonttools" >&2; exit 1; }

chars=$(mktemp); trap 'rm -f "$chars" "$chars.ttf"' EXIT
$py - "$chars" <<'PY'
import pathlib, sys
chars = set()
for b1 in range(0xB0, 0xD8):          # GB 2312 level 1: rows 16-55
    for b2 in range(0xA1, 0xFF):
        try:
            chars.add(bytes([b1, b2]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for root in ("data", "internal", "cmd"):
    for p in pathlib.Path(root).rglob("*"):
        if p.suffix in (".csv", ".yaml", ".go", ".md") and p.is_file():
            chars.update(c for c in p.read_text(encoding="utf-8") if ord(c) > 0x7F)
pathlib.Path(sys.argv[1]).write_text("".join(sorted(chars)), encoding="utf-8")
PY
$py -m fontTools.subset "$src" --font-number=0 --text-file="$chars" \
  --unicodes="U+0020-007E,U+00A0-00FF,U+2000-206F,U+2190-21FF,U+2212,U+2264,U+2265,U+3000-303F,U+FF00-FFEF" \
  --no-hinting --layout-features='' --drop-tables+=FFTM,gasp,vhea,vmtx \
  --output-file="$chars.ttf" 2>/dev/null
$py - "$chars.ttf" "$out" <<'PY'
import sys
from fontTools.ttLib import TTFont
f = TTFont(sys.argv[1])
for rec in f["name"].names:
    if rec.nameID in (1, 3, 4, 16):
        rec.string = "egdi CJK Sans"
    elif rec.nameID == 6:
        rec.string = "egdiCJKSans"
    elif rec.nameID == 5:
        rec.string = "subset of WenQuanYi Micro Hei 0.2.0-beta"
f.save(sys.argv[2], reorderTables=True)
PY
echo "wrote $out ($(stat -c %s "$out") bytes, $(wc -m < "$chars") characters)"
