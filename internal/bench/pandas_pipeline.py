#!/usr/bin/env python3
"""The benchmark pipeline of egdi written with pandas, for comparison (make bench).

Same work as `egdi import indicators` + `egdi compute --method bench/bench.yaml` +
`egdi export`: read a long CSV (unit,year,indicator,value), reject duplicates and
non-finite values, z-score each indicator per year, average x01..x05 into sub-index a
and x06..x10 into b, min-max both, average them into the index, rank it (competition
ranking on 4 decimals), band it into the UN groups and write the result as CSV.

    python3 bench/pandas_pipeline.py IN.csv OUT.csv
"""
import sys

import numpy as np
import pandas as pd


def main(src, dst):
    df = pd.read_csv(src, dtype={"unit": str, "year": np.int32, "indicator": str, "value": np.float64})
    if df.duplicated(["unit", "year", "indicator"]).any():
        sys.exit("duplicate (unit, year, indicator)")
    if not np.isfinite(df["value"]).all():
        sys.exit("non-finite value")
    g = df.groupby(["year", "indicator"])["value"]
    df["z"] = (df["value"] - g.transform("mean")) / g.transform("std", ddof=0)
    wide = df.pivot_table(index=["year", "unit"], columns="indicator", values="z", aggfunc="first")
    inds = sorted(wide.columns)
    half = len(inds) // 2

    def minmax(s):
        by = s.groupby(level="year")
        return (s - by.transform("min")) / (by.transform("max") - by.transform("min"))

    a = minmax(wide[inds[:half]].mean(axis=1, skipna=False))
    b = minmax(wide[inds[half:]].mean(axis=1, skipna=False))
    out = pd.DataFrame({"index": (a + b) / 2, "a": a, "b": b})
    out["rank"] = out["index"].round(4).groupby(level="year").rank(method="min", ascending=False)
    out["group"] = pd.cut(out["index"].round(4), [-np.inf, 0.25, 0.5, 0.75, np.inf], right=False,
                          labels=["low", "middle", "high", "very_high"])
    out.reset_index().sort_values(["year", "rank", "unit"]).to_csv(dst, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
