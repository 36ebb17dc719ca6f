"""Run egdi from a notebook and read its output with pandas.

The notebooks in this folder call the egdi binary the project builds (../bin/egdi, or
the one EGDI_BIN names), each on a database of its own under ../bin/notebooks/, and
read its --format json (or csv) output into DataFrames.
"""

import io
import json
import os
import subprocess
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
BIN = Path(os.environ.get("EGDI_BIN", HERE.parent / "bin" / "egdi"))
WORK = HERE.parent / "bin" / "notebooks"


class EgdiError(RuntimeError):
    """egdi exited non-zero; the message is what it printed on stderr."""


def database(name):
    """A fresh database for a notebook: removed if an earlier run left one."""
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / f"{name}.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        if p.exists():
            p.unlink()
    return db


def out(name):
    """A path for a file a notebook writes (a chart, a report)."""
    WORK.mkdir(parents=True, exist_ok=True)
    return WORK / name


class Egdi:
    """egdi on one database: run(...) returns its standard output as text, table(...)
    its --format json output as a DataFrame."""

    def __init__(self, db):
        if not BIN.exists():
            raise FileNotFoundError(f"{BIN} not found: build egdi first (make build; make notebooks does)")
        self.db = Path(db)

    def run(self, *args, check=True):
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        p = subprocess.run([str(BIN), "--db", str(self.db), "-q", *map(str, args)],
                           capture_output=True, text=True, env=env)
        if check and p.returncode != 0:
            raise EgdiError(f"egdi {' '.join(map(str, args))}: {p.stderr.strip()}")
        return p.stdout

    def table(self, *args):
        return pd.DataFrame(json.loads(self.run(*args, "--format", "json")))

    def csv(self, *args):
        return pd.read_csv(io.StringIO(self.run(*args, "--format", "csv")))

    def report(self, kind, *args):
        """A report as JSON (egdi report KIND ... --format json): its blocks' tables
        as DataFrames by heading, and its text."""
        path = out(f"{kind}.json")
        self.run("report", kind, *args, "--format", "json", "--out", path)
        doc = json.loads(path.read_text())
        tables = {b["heading"]: pd.DataFrame(b["table"]["rows"]) for b in doc["blocks"] if "table" in b}
        text = [t for b in doc["blocks"] for t in b.get("text", [])]
        return tables, text
