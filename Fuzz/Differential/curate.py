#!/usr/bin/env python3
"""Chooses the replay corpus from a FuzzDiff run (scripts/fuzz-diff.sh) and copies it into the tests.

  curate.py RUN-DIR [DEST]     (RUN-DIR: .build-fuzz/diff; DEST: Tests/EnvelopeCoreTests/Vectors/differential)

Keeps one mutant of every operator x verdict x EnvelopeKit error code x Python exception among the
agreements (every rejection class and the edge accepts), and up to three of every operator x
explanation among the disagreements. Writes DEST/manifest.tsv:
  file, expected (EnvelopeKit's verdict: accept|reject), plaintext SHA-256 (accept) or -,
  python (the Python ESDK's verdict), class (agree, or the explanation of the disagreement),
  operator, EnvelopeKit error code, Python exception, base message.
Old *.bin files in DEST are removed first; the key and SOURCE.md stay.
"""
import csv
import os
import shutil
import sys


def main(argv):
    run = argv[0]
    dest = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EnvelopeCoreTests", "Vectors", "differential")
    with open(os.path.join(run, "manifest.tsv"), newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    chosen, seen = [], {}
    for row in rows:
        verdict, explanation = row["verdict"], row["explanation"]
        agree = verdict.startswith("both")
        key = (row["operator"], verdict, row["EnvelopeKit code"], row["Python ESDK exception"]) if agree else (row["operator"], explanation)
        limit = 1 if agree else 3
        if seen.get(key, 0) >= limit:
            continue
        seen[key] = seen.get(key, 0) + 1
        chosen.append(row)
    for name in os.listdir(dest):
        if name.endswith(".bin"):
            os.remove(os.path.join(dest, name))
    lines = ["file\texpected\tplaintext-sha256\tpython\tclass\toperator\tenvelopekit-code\tpython-exception\tbase"]
    for index, row in enumerate(chosen):
        verdict = row["verdict"]
        ours = "accept" if verdict in ("both-accept", "only-ours-accepts", "plaintexts-differ") else "reject"
        theirs = "accept" if verdict in ("both-accept", "only-python-accepts", "plaintexts-differ") else "reject"
        name = "%03d-%s-%s.bin" % (index, ours, row["operator"])
        shutil.copyfile(os.path.join(run, row["file"]), os.path.join(dest, name))
        klass = "agree" if verdict.startswith("both") else row["explanation"]
        lines.append("\t".join([name, ours, row["plaintext SHA-256"], theirs, klass, row["operator"],
                                row["EnvelopeKit code"], row["Python ESDK exception"], row["base message"]]))
    with open(os.path.join(dest, "manifest.tsv"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("curate: %d mutants into %s" % (len(chosen), dest))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
