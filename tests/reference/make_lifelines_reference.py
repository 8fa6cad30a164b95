"""Make the lifelines reference for tests/test_survival_lifelines.py (run by hand, rarely).

lifelines pins pandas < 3, so it cannot live in the package's environment. This script runs
in two steps:

1. in the package's environment, write the Kaplan-Meier input of the committed sample
   (``escalation.km_groups``: group, days, event per child) to ``km_input_sample.csv``::

       .venv/bin/python tests/reference/make_lifelines_reference.py input

2. in a separate environment with lifelines (``python -m venv /tmp/ll &&
   /tmp/ll/bin/pip install lifelines``), estimate each group's curve and the log-rank tests
   with lifelines and write ``lifelines_km_sample.csv`` and ``lifelines_logrank_sample.csv``::

       /tmp/ll/bin/python tests/reference/make_lifelines_reference.py lifelines

The expected values therefore come from an independent implementation, not from this package.
Made with lifelines 0.30.3 on pandas 2.3.3.
"""
import sys
from pathlib import Path

HERE = Path(__file__).parent


def write_input() -> None:
    from neglect_analysis import io, pipeline
    from neglect_analysis.escalation import km_groups

    cohort, _ = io.load_extract(HERE.parents[1] / "data" / "sample")
    fam = pipeline.build_tables(cohort).family
    long = km_groups(fam.child_escalation, fam.members, fam.family_signal)
    long[["group", "days", "event"]].to_csv(HERE / "km_input_sample.csv", index=False, lineterminator="\n")


def write_lifelines() -> None:
    import lifelines
    import pandas as pd
    from lifelines.statistics import logrank_test

    long = pd.read_csv(HERE / "km_input_sample.csv")
    rows = []
    for name, g in long.groupby("group", sort=False):
        kmf = lifelines.KaplanMeierFitter().fit(g["days"], g["event"], alpha=0.05)
        sf = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_  # lifelines: exponential Greenwood (log-log) interval
        et = kmf.event_table
        for t in et.index[et["observed"] > 0]:
            rows.append({"group": name, "days": int(t), "survival": sf.loc[t],
                         "ci_lower": ci.iloc[:, 0].loc[t], "ci_upper": ci.iloc[:, 1].loc[t],
                         "at_risk": int(et.loc[t, "at_risk"]), "events": int(et.loc[t, "observed"])})
    pd.DataFrame(rows).to_csv(HERE / "lifelines_km_sample.csv", index=False, float_format="%.12g",
                              lineterminator="\n")
    tests = []
    # The stored reference (made before the born before / after groups were removed) also has
    # those two groups; a new input has eldest / younger only.
    for g1, g2 in (("eldest", "younger"),
                   ("born_before_sibling_escalation", "born_after_sibling_escalation")):
        if not {g1, g2} <= set(long["group"]):
            continue
        a, b = long[long["group"] == g1], long[long["group"] == g2]
        r = logrank_test(a["days"], b["days"], a["event"], b["event"])
        tests.append({"group_1": g1, "group_2": g2, "chi2": r.test_statistic, "p_value": r.p_value})
    pd.DataFrame(tests).to_csv(HERE / "lifelines_logrank_sample.csv", index=False,
                               float_format="%.12g", lineterminator="\n")


if __name__ == "__main__":
    {"input": write_input, "lifelines": write_lifelines}[sys.argv[1]]()
