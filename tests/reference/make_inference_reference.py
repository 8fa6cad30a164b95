"""Make the lifelines reference for tests/test_inference_lifelines.py (run by hand, rarely).

lifelines pins pandas < 3, so it cannot live in the package's environment. Two steps:

1. in the package's environment, write the record-aware inputs of the committed sample: the
   age scale of every child in the curve (``inference_ages_sample.csv``: entry, exit, event,
   eldest) and the counting-process intervals (``inference_intervals_sample.csv``, the rows
   of ``escalation_intervals.csv``)::

       .venv/bin/python tests/reference/make_inference_reference.py input

2. in a separate environment with lifelines (``python -m venv /tmp/ll &&
   /tmp/ll/bin/pip install lifelines "pandas<3"``), compute with lifelines:

   - ``lifelines_age_km_sample.csv``: ``KaplanMeierFitter().fit(exit, event, entry=entry)``
     of the ``all`` group, at its event times (survival, log-log interval, at risk, events);
   - ``lifelines_cox_sample.csv``: ``CoxPHFitter().fit(intervals, "stop_age_days", "event",
     entry_col="start_age_days")`` with ``older_sibling_escalated`` and ``younger`` (Efron
     ties; convergence tightened with ``fit_options``, as lifelines' default stops when the
     log-likelihood changes by less than 1e-9 relative, about 1e-6 from the maximum in the
     coefficients): coefficients and hazard ratios;
   - ``lifelines_cif_sample.csv``: ``AalenJohansenFitter().fit(exit, status, event_of_interest=1,
     entry=entry)``
     of the competing-risk input (``inference_cif_sample.csv``), at its event times::

       /tmp/ll/bin/python tests/reference/make_inference_reference.py lifelines

The expected values therefore come from an independent implementation, not from this package.
Made with lifelines 0.30.3 on pandas 2.3.3.
"""
import sys
from pathlib import Path

HERE = Path(__file__).parent


def write_input() -> None:
    from neglect_analysis import io, pipeline, siblings

    cohort, _ = io.load_extract(HERE.parents[1] / "data" / "sample")
    t = pipeline.build_tables(cohort)
    ages = t.family.ages
    ages = ages[ages["in_curve"]]
    el = siblings.eldest(t.family.members)
    el.index = el.index.astype(str)
    out = ages[["child_id", "entry_age_days", "exit_age_days", "event"]].assign(
        eldest=el.reindex(ages["child_id"].astype(str)).to_numpy().astype(int))
    out.to_csv(HERE / "inference_ages_sample.csv", index=False, lineterminator="\n")
    t.extra["escalation_intervals"].to_csv(HERE / "inference_intervals_sample.csv", index=False,
                                           lineterminator="\n")
    from neglect_analysis.inference import cif_status

    cif_status(t.family.ages).to_csv(HERE / "inference_cif_sample.csv", index=False, lineterminator="\n")


def write_lifelines() -> None:
    import lifelines
    import pandas as pd

    ages = pd.read_csv(HERE / "inference_ages_sample.csv")
    kmf = lifelines.KaplanMeierFitter().fit(ages["exit_age_days"], ages["event"],
                                            entry=ages["entry_age_days"], alpha=0.05)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    et = kmf.event_table
    rows = []
    for t in et.index[et["observed"] > 0]:
        rows.append({"group": "all", "age_days": int(t), "survival": sf.loc[t],
                     "ci_lower": ci.iloc[:, 0].loc[t], "ci_upper": ci.iloc[:, 1].loc[t],
                     "at_risk": int(et.loc[t, "at_risk"]), "events": int(et.loc[t, "observed"])})
    pd.DataFrame(rows).to_csv(HERE / "lifelines_age_km_sample.csv", index=False,
                              float_format="%.12g", lineterminator="\n")

    iv = pd.read_csv(HERE / "inference_intervals_sample.csv")
    iv = iv.assign(younger=1 - iv["eldest"])
    cph = lifelines.CoxPHFitter().fit(
        iv[["start_age_days", "stop_age_days", "event", "older_sibling_escalated", "younger"]],
        "stop_age_days", "event", entry_col="start_age_days",
        fit_options={"precision": 1e-12, "r_precision": 1e-14, "max_steps": 500})
    s = cph.summary
    pd.DataFrame({"term": s.index, "coef": s["coef"].to_numpy(), "hazard_ratio": s["exp(coef)"].to_numpy(),
                  "se_naive": s["se(coef)"].to_numpy()}).to_csv(
        HERE / "lifelines_cox_sample.csv", index=False, float_format="%.12g", lineterminator="\n")

    cif_in = HERE / "inference_cif_sample.csv"
    if cif_in.exists():
        c = pd.read_csv(cif_in)
        ajf = lifelines.AalenJohansenFitter(calculate_variance=False).fit(
            c["exit_age_days"], c["status"], event_of_interest=1, entry=c["entry_age_days"])
        cif = ajf.cumulative_density_.iloc[:, 0]
        times = sorted(set(c.loc[c["status"] == 1, "exit_age_days"]))
        pd.DataFrame({"age_days": times, "cif": [cif.loc[cif.index <= t].iloc[-1] for t in times]}).to_csv(
            HERE / "lifelines_cif_sample.csv", index=False, float_format="%.12g", lineterminator="\n")


if __name__ == "__main__":
    {"input": write_input, "lifelines": write_lifelines}[sys.argv[1]]()
