#!/usr/bin/python3
"""Execute the notebooks and hold them to their committed outputs (make notebooks).

    run.py [--update] [NOTEBOOK.ipynb ...]     (default: every notebook here)

Each notebook runs top to bottom in a fresh Python kernel, in this folder. A cell that
raises (the notebooks assert their key numbers) fails the run. Then the text of every
output (printed text, tables, results and errors; images aside) must equal the
committed notebook's: a changed number, a reordered table or a new warning fails too,
so no notebook goes stale. --update writes the fresh outputs into the notebooks
instead, for committing.

A notebook whose metadata lists "egdi": {"needs": [paths]} is skipped, with the
notebook's own message, when one of those paths (relative to this folder) is absent.
"""

import difflib
import os
import sys
from pathlib import Path

try:
    import matplotlib  # noqa: F401  (the notebooks' own imports, checked up front)
    import nbformat
    import pandas  # noqa: F401
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
except ImportError as e:
    sys.exit(f"make notebooks needs Debian's Jupyter, pandas and matplotlib ({e.name} is missing): "
             "apt-get install jupyter-core python3-ipykernel python3-nbconvert python3-nbclient "
             "python3-pandas python3-matplotlib")

HERE = Path(__file__).resolve().parent
# the Debian kernel's debugger warns of frozen modules on every start; it is noise here
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def texts(nb):
    """The text of every code cell's outputs, images left out; printed text as one
    stream per cell and name, however the kernel split it into messages."""
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = []
        streams = {}
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                streams[o.name] = streams.get(o.name, "") + o.text
            elif o.output_type in ("execute_result", "display_data"):
                for mime in sorted(o.data):
                    if not mime.startswith("image/"):
                        lines.append(f"[{mime}]\n{o.data[mime]}")
            elif o.output_type == "error":
                lines.append(f"[error]\n{o.ename}: {o.evalue}")
        for name, text in sorted(streams.items()):
            lines.append(f"[{name}]\n{text}")
        cells.append((i + 1, "\n".join(lines)))
    return cells


def run(path, update):
    nb = nbformat.read(path, as_version=4)
    needs = nb.metadata.get("egdi", {}).get("needs", [])
    missing = [p for p in needs if not (HERE / p).exists()]
    if missing:
        why = nb.metadata.get("egdi", {}).get("skip", "")
        print(f"skip {path.name}: {', '.join(missing)} not found. {why}")
        return True
    committed = texts(nb)
    client = NotebookClient(nb, timeout=900, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    try:
        client.execute()
    except CellExecutionError as e:
        print(f"FAIL {path.name}: a cell raised\n{e}")
        return False
    fresh = texts(nb)
    if update:
        nbformat.write(nb, path)
        print(f"updated {path.name}")
        return True
    ok = True
    for (n, old), (_, new) in zip(committed, fresh):
        if old != new:
            ok = False
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "committed", "fresh", lineterm="", n=1)
            print(f"FAIL {path.name}, cell {n}: its output differs from the committed one")
            print("\n".join(list(diff)[:40]))
    if len(committed) != len(fresh):
        ok = False
        print(f"FAIL {path.name}: {len(committed)} code cells committed, {len(fresh)} run")
    if ok:
        print(f"ok   {path.name}")
    else:
        print(f"     (if the change is right: notebooks/run.py --update {path.name}, and commit it)")
    return ok


def main(argv):
    update = "--update" in argv
    names = [a for a in argv if a != "--update"]
    paths = [Path(a).resolve() for a in names] or sorted(HERE.glob("*.ipynb"))
    if not paths:
        print("no notebooks", file=sys.stderr)
        return 1
    results = [run(p, update) for p in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
