#!/usr/bin/python3
"""The kiosk image's CJK fonts: Noto Sans CJK SC cut down to what a county kiosk writes.

The full Noto Sans CJK collections (fonts-noto-cjk: 19-20 MB each, ten fonts for five
regions) are memory the kiosk pays for: every glyph it draws faults in the 64 KiB around it,
spread over the whole file, so the two weights the UI uses held 11.3 MiB of the kiosk's PSS
on the image. This keeps, from the Simplified Chinese member of each collection, the glyphs
of:
  - 通用规范汉字表 (the 2013 Table of General Standard Chinese Characters, 8,105 characters:
    the standard for names, places and official text; Unihan's kTGH field, Debian's
    unicode-data package) and GB 2312 (6,763, almost all of them inside the table);
  - every character the kiosk's own text uses (the UI, the seed catalog, the drivers'
    and kiosk's strings, the example configuration): read from the source tree given;
  - Latin, Greek and Cyrillic letters, digits, punctuation, CJK symbols and punctuation,
    full-width forms, arrows, enclosed numbers, box drawing and the symbols the UI draws.
The glyphs are then put in the order the kiosk needs them: its own text first, then the
table's 3,500 common characters (一级字表) in the table's order, then the rest. The kiosk
pays for a font in 64 KiB windows (the kernel maps pages around each glyph it reads), so
what a screen shows comes from the first few hundred KiB of the file instead of from
windows all over it; a rare character in a name costs one more window.
The family name stays "Noto Sans CJK SC" (the name the UI asks for; the SIL Open Font
License of Noto CJK reserves only the name "Source"), with OpenType layout features kept.

  subset.py --ttc FILE --index N --out FILE.otf --unihan DIR --source DIR [--source DIR ...]

Needs Debian's python3-fonttools and unicode-data (run with /usr/bin/python3).
Prints the number of characters asked for, found in the font, and the size written.
"""
import argparse
import bz2
import os
import sys

import logging

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

# Ranges kept whole (only what the font has of them ends up in the subset).
RANGES = [
    (0x0020, 0x024F),  # Basic Latin, Latin-1, Latin Extended-A/B: English and pinyin names
    (0x02B0, 0x036F),  # spacing modifiers, combining marks (pinyin tones)
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2000, 0x206F),  # General Punctuation
    (0x20A0, 0x20CF),  # currency
    (0x2100, 0x214F),  # letterlike (℃, №)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2300, 0x23FF),  # miscellaneous technical (⌫)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① …)
    (0x2500, 0x25FF),  # box drawing, block elements, geometric shapes
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats (⚠ ✓)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x33FF),  # enclosed CJK letters, CJK compatibility (㎡)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]
TEXT_FILES = (".rs", ".slint", ".toml", ".json", ".csv", ".txt", ".md", ".html", ".ftl")


def general_standard(unihan_dir):
    """The 8,105 characters of 通用规范汉字表 (Unihan kTGH), each with its number in the
    table (1-3500: 一级字表, the common characters)."""
    path = os.path.join(unihan_dir, "Unihan_OtherMappings.txt.bz2")
    chars = {}
    with bz2.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 3 and fields[1] == "kTGH":
                # "2013:1234" (a character may be listed twice: the first number counts)
                number = int(fields[2].split()[0].split(":")[1])
                chars.setdefault(int(fields[0][2:], 16), number)
    if len(chars) < 8000:
        sys.exit(f"subset.py: only {len(chars)} kTGH characters in {path}: not the 2013 table")
    return chars


def gb2312():
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def used_in(folders):
    """Every character beyond ASCII in the kiosk's own text files."""
    chars = set()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d not in ("target", ".git", "node_modules")]
            for name in files:
                if not name.endswith(TEXT_FILES):
                    continue
                try:
                    with open(os.path.join(root, name), encoding="utf-8") as f:
                        chars.update(ord(c) for c in f.read() if ord(c) > 0x7F)
                except (UnicodeDecodeError, OSError):
                    continue
    return chars


COMMON = 3500  # 一级字表


def rank(c, table, own):
    """Where character c's glyph goes: the kiosk's own text, ASCII and punctuation first, then
    the common characters in the table's order, then the rest of the table, then the others."""
    if c in own or c < 0x0250 or 0x2000 <= c <= 0x206F or 0x3000 <= c <= 0x303F \
            or 0xFF00 <= c <= 0xFFEF:
        return (0, c)
    if table.get(c, COMMON + 1) <= COMMON:
        return (1, table[c])
    if c in table:
        return (2, table[c])
    return (3, c)


def reorder(font, key):
    """Puts the glyphs of a CID-keyed CFF font in the order `key(glyph name)` gives (.notdef
    stays first). Each charstring is read with its own private dict (FDSelect) before the
    order changes, then written back in the new order with FDSelect to match; the layout
    tables refer to glyphs by name and are compiled against the new order."""
    font.ensureDecompiled()
    old = font.getGlyphOrder()
    top = font["CFF "].cff.topDictIndex[0]
    charstrings = top.CharStrings
    outlines = {g: charstrings[g] for g in old}
    for outline in outlines.values():
        outline.decompile()
    fd = {g: top.FDSelect[i] for i, g in enumerate(old)} if hasattr(top, "FDSelect") else None
    position = {g: i for i, g in enumerate(old)}
    new = [old[0]] + sorted(old[1:], key=lambda g: (key(g), position[g]))
    charstrings.charStringsAreIndexed = 0
    charstrings.charStrings = {g: outlines[g] for g in new}
    top.charset = new
    if fd is not None:
        top.FDSelect.gidArray = [fd[g] for g in new]
    font.setGlyphOrder(new)
    font.getReverseGlyphMap(rebuild=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ttc", required=True)
    p.add_argument("--index", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--unihan", default="/usr/share/unicode")
    p.add_argument("--source", action="append", default=[])
    args = p.parse_args()
    # The reordered glyphs leave the layout tables' coverage ranges out of glyph-id order;
    # fontTools writes them sorted with their coverage indices kept (valid, and what shapers
    # look up), and says so once per table: not news here.
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    table = general_standard(args.unihan)
    own = used_in(args.source)
    wanted = set(table) | gb2312() | own
    for lo, hi in RANGES:
        wanted.update(range(lo, hi + 1))
    font = TTCollection(args.ttc).fonts[args.index]
    family = font["name"].getDebugName(1)
    if family != "Noto Sans CJK SC":
        sys.exit(f"subset.py: font {args.index} of {args.ttc} is '{family}', not Noto Sans CJK SC")
    cmap = font.getBestCmap()
    present = sorted(c for c in wanted if c in cmap)
    options = subset.Options()
    options.layout_features = ["*"]  # vertical forms, locl, proportional figures: as the original
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=present)
    sub.subset(font)
    # The subsetter renumbers glyphs but keeps them in the original font's order; reading the
    # subset back gives plain tables to reorder.
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    staging = args.out + ".part"
    font.save(staging)
    font = TTFont(staging)
    first = {}
    for c, glyph in font.getBestCmap().items():
        r = rank(c, table, own)
        if glyph not in first or r < first[glyph]:
            first[glyph] = r
    reorder(font, lambda g: first.get(g, (4, 0)))
    font.save(args.out)
    os.remove(staging)
    han = sum(1 for c in present if 0x3400 <= c <= 0x9FFF or 0x20000 <= c <= 0x3FFFF)
    order = font.getGlyphOrder()
    cmap = font.getBestCmap()
    last_own = max((order.index(cmap[c]) for c in own if c in cmap), default=0)
    print(f"{os.path.basename(args.out)}: {len(present)} characters ({han} Han) of "
          f"{len(wanted)} asked for; {os.path.getsize(args.out) / 1e6:.1f} MB "
          f"(from {os.path.getsize(args.ttc) / 1e6:.1f} MB); the kiosk's own text in the "
          f"first {last_own + 1} of {len(order)} glyphs")


if __name__ == "__main__":
    main()
