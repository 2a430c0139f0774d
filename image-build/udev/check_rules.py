#!/usr/bin/env python3
"""Syntax check of udev rules files, for systems whose udevadm has no `verify` (systemd 252).

Tokenises each rule as udev does (comma-separated KEY[{attr}] OP "value"), and reports unknown
keys, bad operators, unquoted values, assignments to match-only keys and GOTOs without a LABEL.
Usage: check_rules.py FILE...   Exit status 1 on any problem.
"""
import re
import sys

MATCH_ONLY = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER",
              "DRIVERS", "ATTRS", "TAGS", "TEST", "PROGRAM", "RESULT", "CONST", "SYSCTL"}
ASSIGN_ONLY = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "RUN", "LABEL", "GOTO", "IMPORT",
               "OPTIONS", "SECLABEL"}
BOTH = {"ENV", "ATTR", "TAG", "SYSCTL"}
KNOWN = MATCH_ONLY | ASSIGN_ONLY | BOTH
TOKEN = re.compile(r'\s*([A-Z_]+)(\{[^}]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')


def check(path):
    problems = []
    labels, gotos = set(), []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.endswith("\\"):
            problems.append(f"{path}:{n}: line continuation is not used in these rules")
            continue
        pos = 0
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m:
                problems.append(f"{path}:{n}: cannot parse from column {pos + 1}: {text[pos:pos + 40]!r}")
                break
            key, attr, op, value = m.group(1), m.group(2), m.group(3), m.group(4)
            if key not in KNOWN:
                problems.append(f"{path}:{n}: unknown key {key}")
            is_match = op in ("==", "!=")
            if is_match and key in ASSIGN_ONLY - {"TAG"}:
                problems.append(f"{path}:{n}: {key} cannot be matched, only assigned")
            if not is_match and key in MATCH_ONLY:
                problems.append(f"{path}:{n}: {key} can only be matched (use ==), not assigned with {op}")
            if key in ("ATTR", "ATTRS", "ENV", "SYSCTL") and not attr:
                problems.append(f"{path}:{n}: {key} needs {{name}}")
            if key == "MODE" and not re.fullmatch(r"0?[0-7]{3,4}", value):
                problems.append(f"{path}:{n}: MODE {value!r} is not octal")
            if key == "LABEL":
                labels.add(value)
            if key == "GOTO":
                gotos.append((n, value))
            pos = m.end()
            if m.group(5) == "" and pos < len(text):
                problems.append(f"{path}:{n}: missing comma")
                break
    for n, target in gotos:
        if target not in labels:
            problems.append(f"{path}:{n}: GOTO {target!r} has no LABEL in this file")
    return problems


def main():
    problems = []
    for path in sys.argv[1:]:
        problems += check(path)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"ok   {len(sys.argv) - 1} udev rules file(s) parse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
