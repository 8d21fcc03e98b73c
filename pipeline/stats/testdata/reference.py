"""Reference values for pipeline/stats/reference_test.go, from the reference
libraries pinned in /requirements.txt (segregation 2.5.4, mapclassify 2.10.0,
numpy): the Go test sends its inputs as JSON on stdin, this
script answers with each library's result as JSON on stdout."""

import json
import sys
import warnings

import numpy as np
import pandas as pd
import mapclassify
from segregation.local import MultiLocationQuotient
from segregation.multigroup import MultiInfoTheory
from segregation.singlegroup import Dissim, Entropy
from segregation.singlegroup import Gini as GiniSeg

warnings.filterwarnings("ignore")


def segregation_part(req: dict) -> dict:
    groups = req["groups"]  # [{name, counts per tract}], exhaustive, in order
    names = [g["name"] for g in groups]
    df = pd.DataFrame({g["name"]: g["counts"] for g in groups})
    df["total"] = df[names].sum(axis=1)
    focal = req["focal"]
    out = {
        "dissim": Dissim(df, focal, "total").statistic,
        "gini": GiniSeg(df, focal, "total").statistic,
        "entropy": Entropy(df, focal, "total").statistic,
        "theil": MultiInfoTheory(df, groups=names).statistic,
    }
    lq = MultiLocationQuotient(df, groups=names).statistics
    out["lq"] = np.asarray(lq, dtype=float).T.tolist()  # [group][tract]
    return out


def breaks_part(values: list, k: int) -> dict:
    y = np.asarray(values, dtype=float)
    fj = mapclassify.FisherJenks(y, k=k)
    nb = mapclassify.NaturalBreaks(y, k=k, initial=10)
    return {
        "quantiles": mapclassify.Quantiles(y, k=k).bins.tolist(),
        "linear": [float(np.percentile(y, 100 * j / k)) for j in range(1, k + 1)],
        "inverted_cdf": [float(np.percentile(y, 100 * j / k, method="inverted_cdf")) for j in range(1, k + 1)],
        "equal": mapclassify.EqualInterval(y, k=k).bins.tolist(),
        "fisher_jenks": fj.bins.tolist(),
        "natural": nb.bins.tolist(),
    }


def main() -> None:
    req = json.load(sys.stdin)
    out = {"segregation": segregation_part(req["segregation"])}
    out["breaks"] = [breaks_part(b["values"], b["k"]) for b in req["breaks"]]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
