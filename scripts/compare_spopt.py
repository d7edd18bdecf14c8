#!/usr/bin/env python3
"""Compare PySAL spopt's MaxPHeuristic with pcn's formation engine on the same
practices and the same adjacency graph, judged by the same code.

Normally started by scripts/compare-spopt.sh, which makes a throwaway
virtualenv with spopt, libpysal and geopandas and runs this file with it.

For every input (a synthetic area of N practices, or the real January 2021
England set) it:

  1. builds a throwaway pcn store, imports the input and exports the adjacency
     graph pcn's formation uses (practices.csv, edges.csv);
  2. runs spopt MaxPHeuristic on exactly those practices and edges in a child
     process (killed after --timeout seconds) and writes its labels as a
     practice,network CSV;
  3. runs `pcn form --mode scratch --ignore-commissioners` and turns its
     output into a practice,network CSV over the same practices;
  4. measures BOTH CSVs with `pcn form --mode evaluate` (same code, same
     practices), and re-measures both with an independent Python check;
  5. prints a table per input, the speed-up and the quality verdict.

The driver itself needs only the standard library; the `spopt-worker`
subcommand needs spopt, libpysal, geopandas, numpy and pandas.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import glob
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

THRESHOLD = 30_000  # the Network Contract DES floor, spopt's threshold
CEILING = 50_000  # only used by the independent cross-check


# ----------------------------------------------------------------------------
# Child processes: wall time, CPU time and peak RSS of that one child
# ----------------------------------------------------------------------------


class Timeout(Exception):
    pass


def run_child(cmd, timeout, stdout_path=None, stderr_path=None, env=None):
    """Run cmd in its own process group, wait for it with wait4 so the rusage
    belongs to this child only. Returns dict(rc, wall_s, cpu_s, peak_rss_mb).
    Raises Timeout (after killing the whole group) when it runs too long."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    err = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True, env=env)
        deadline = t0 + timeout if timeout else None
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                break
            if deadline and time.perf_counter() > deadline:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.wait4(p.pid, 0)
                p.returncode = -9
                raise Timeout(f"killed after {timeout} s: {' '.join(map(str, cmd[:4]))} ...")
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        return {
            "rc": p.returncode,
            "wall_s": wall,
            "cpu_s": ru.ru_utime + ru.ru_stime,
            "peak_rss_mb": ru.ru_maxrss / 1024.0,  # Linux: KiB
        }
    finally:
        if stdout_path:
            out.close()
        if stderr_path:
            err.close()


class Failure(Exception):
    pass


def tail(path, n=15):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def pcn(binary, db, argv, timeout, work, tag, ok_codes=(0,)):
    """Run `pcn --db DB argv...`; return (rusage dict, stdout text)."""
    so, se = os.path.join(work, f"{tag}.stdout"), os.path.join(work, f"{tag}.stderr")
    cmd = [binary, "--db", db, *argv]
    r = run_child(cmd, timeout, so, se)
    if r["rc"] not in ok_codes:
        raise Failure(f"pcn {' '.join(argv)} exited {r['rc']}:\n{tail(se)}{tail(so)}")
    with open(so, "r", errors="replace") as f:
        return r, f.read()


# ----------------------------------------------------------------------------
# Reading the exported graph, assignments, independent quality check
# ----------------------------------------------------------------------------


def read_adjacency(adj_dir):
    practices = []
    with open(os.path.join(adj_dir, "practices.csv"), newline="") as f:
        for r in csv.DictReader(f):
            practices.append(
                {
                    "practice": r["practice"],
                    "x": float(r["easting"]),
                    "y": float(r["northing"]),
                    "registered": float(r["registered"] or 0),
                }
            )
    index = {p["practice"]: i for i, p in enumerate(practices)}
    edges = []
    with open(os.path.join(adj_dir, "edges.csv"), newline="") as f:
        for r in csv.DictReader(f):
            edges.append((index[r["a"]], index[r["b"]]))
    return practices, index, edges


def components(n, edges, members=None):
    """Connected components of the graph (restricted to `members` if given)."""
    nodes = list(range(n)) if members is None else list(members)
    keep = set(nodes)
    adj = defaultdict(list)
    for a, b in edges:
        if a in keep and b in keep:
            adj[a].append(b)
            adj[b].append(a)
    seen, comps = set(), []
    for s in nodes:
        if s in seen:
            continue
        seen.add(s)
        stack, comp = [s], [s]
        while stack:
            u = stack.pop()
            for v in adj[u]:
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
                    comp.append(v)
        comps.append(comp)
    return comps


def read_assignment(path):
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["network"]:
                out[r["practice"]] = r["network"]
    return out


def write_assignment(path, mapping):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["practice", "network"])
        for p, n in mapping.items():
            w.writerow([p, n])


def independent_quality(practices, index, edges, assignment):
    """Python re-measure over practices.csv only (list sizes from practices.csv,
    contiguity over edges.csv, floor 30k, ceiling 50k, population-weighted mean
    distance to the network's population centre). A sanity check of pcn's
    evaluate, not a replacement for it."""
    nets = defaultdict(list)
    for p, net in assignment.items():
        if p in index:
            nets[net].append(index[p])
    sizes = {k: sum(practices[i]["registered"] for i in v) for k, v in nets.items()}
    below = sum(1 for s in sizes.values() if s < THRESHOLD)
    above = sum(1 for s in sizes.values() if s > CEILING)
    noncontig = sum(1 for v in nets.values() if len(components(len(practices), edges, v)) > 1)
    wd = ws = 0.0
    for v in nets.values():
        w = sum(practices[i]["registered"] for i in v)
        if w <= 0:
            continue
        cx = sum(practices[i]["x"] * practices[i]["registered"] for i in v) / w
        cy = sum(practices[i]["y"] * practices[i]["registered"] for i in v) / w
        wd += sum(practices[i]["registered"] * math.hypot(practices[i]["x"] - cx, practices[i]["y"] - cy) for i in v)
        ws += w
    return {
        "networks": len(nets),
        "below_floor": below,
        "above_ceiling": above,
        "non_contiguous": noncontig,
        "uncovered": sum(1 for p in practices if p["practice"] not in assignment),
        "mean_weighted_distance_km": round(wd / ws / 1000.0, 2) if ws else 0.0,
        "largest_network": int(max(sizes.values())) if sizes else 0,
    }


# ----------------------------------------------------------------------------
# spopt worker (runs in the child process, inside the venv)
# ----------------------------------------------------------------------------


def spopt_worker(a):
    t_start = time.perf_counter()
    import random

    import geopandas as gpd
    import libpysal
    import numpy as np
    import pandas as pd
    from spopt.region import MaxPHeuristic

    t_import = time.perf_counter()
    df = pd.read_csv(os.path.join(a.adjacency, "practices.csv"), dtype={"practice": str, "commissioner": str})
    codes = df["practice"].tolist()
    pos = {c: i for i, c in enumerate(codes)}
    gdf = gpd.GeoDataFrame(
        {
            "practice": codes,
            "x_km": df["easting"].astype(float) / 1000.0,
            "y_km": df["northing"].astype(float) / 1000.0,
            "registered": df["registered"].fillna(0).astype(float),
        },
        geometry=gpd.points_from_xy(df["easting"].astype(float), df["northing"].astype(float)),
        crs="EPSG:27700",
    )
    # spopt's max-p indexes W.neighbors by row position (weight.neighbors[p] with
    # p = 0..n-1), so the W's ids are the row positions of practices.csv; the
    # graph is exactly edges.csv, islands (no edges) kept as empty lists.
    neighbors = {i: set() for i in range(len(codes))}
    ed = pd.read_csv(os.path.join(a.adjacency, "edges.csv"), dtype=str)
    for x, y in zip(ed["a"], ed["b"]):
        i, j = pos[x], pos[y]
        if i != j:
            neighbors[i].add(j)
            neighbors[j].add(i)
    w = libpysal.weights.W({k: sorted(v) for k, v in neighbors.items()}, silence_warnings=True)
    comp_sizes = np.unique(w.component_labels, return_counts=True)[1]
    comp_pop = gdf.groupby(w.component_labels)["registered"].sum()
    infeasible = int((comp_pop < THRESHOLD).sum())
    t_setup = time.perf_counter()

    # spopt draws from NumPy's global generator; seed it so a run is repeatable.
    np.random.seed(a.seed)
    random.seed(a.seed)
    model = MaxPHeuristic(
        gdf,
        w,
        attrs_name=["x_km", "y_km"],
        threshold_name="registered",
        threshold=THRESHOLD,
        top_n=2,
        max_iterations_construction=a.iterations_construction,
        max_iterations_sa=a.iterations_sa,
        policy=a.policy,
    )
    t0 = time.perf_counter()
    model.solve()
    solve_s = time.perf_counter() - t0

    labels = model.labels_
    if a.policy == "drop":
        # 'drop' solves on the feasible components only (in row order).
        keep = ~np.isin(w.component_labels, comp_pop[comp_pop < THRESHOLD].index.to_numpy())
        rows = np.flatnonzero(keep)
    else:
        rows = np.arange(len(codes))
    unassigned = 0
    with open(a.labels, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["practice", "network"])
        for r, lab in zip(rows, labels):
            lab = int(lab)
            if lab <= 0:  # spopt's "not assigned" (e.g. islands under policy 'keep')
                unassigned += 1
                continue
            out.writerow([codes[r], f"S{lab}"])
    meta = {
        "solve_s": solve_s,
        "import_s": t_import - t_start,
        "setup_s": t_setup - t_import,
        "p": int(model.p),
        "unassigned": unassigned,
        "components": int(len(comp_sizes)),
        "infeasible_components": infeasible,
        "policy": a.policy,
        "iterations_construction": a.iterations_construction,
        "iterations_sa": a.iterations_sa,
    }
    with open(a.meta, "w") as f:
        json.dump(meta, f)


# ----------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------

COLUMNS = [
    ("solve_s", "solve s"),
    ("wall_s", "wall s"),
    ("cpu_s", "cpu s"),
    ("peak_rss_mb", "peak MB"),
    ("networks", "networks"),
    ("below_floor", "below_floor"),
    ("above_ceiling", "above_ceiling"),
    ("non_contiguous", "non_contiguous"),
    ("uncovered", "uncovered"),
    ("mean_weighted_distance_km", "mean_wdist_km"),
]
LOWER_IS_BETTER = ["below_floor", "above_ceiling", "non_contiguous", "uncovered", "mean_weighted_distance_km"]


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def print_table(rows):
    header = ["tool"] + [h for _, h in COLUMNS]
    cell = lambda r, k: f">{r['wall_s']:g} killed" if k == "wall_s" and r.get("timed_out") else fmt(r.get(k))
    body = [[r["tool"]] + [cell(r, k) for k, _ in COLUMNS] for r in rows]
    widths = [max(len(x[i]) for x in [header] + body) for i in range(len(header))]
    line = lambda cells: "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for b in body:
        print(line(b))


def prepare_input(a, work, label, size):
    """A fresh store with the input imported; returns (db, adjacency dir)."""
    db = os.path.join(work, "pcn.db")
    if size is not None:
        syn = os.path.join(work, "synth")
        pcn(a.pcn, db, ["synth", "--practices", str(size), "--seed", str(a.synth_seed), "--out", syn], a.timeout, work, "synth")
        files = sorted(glob.glob(os.path.join(syn, "*")))
    else:
        d = a.data_dir
        files = [
            os.path.join(d, "snapshot_2021", "gp-reg-pat-prac-all_2021-01.csv"),
            os.path.join(d, "snapshot_2021", "qof_2021_MAPPING_NHS_GEOGRAPHIES.csv"),
            os.path.join(d, "geo", "practice_postcode_coords_codepoint.csv"),
        ]
        for f in files:
            if not os.path.isfile(f):
                raise Failure(f"real data file missing: {f}")
    pcn(a.pcn, db, ["import", *files], a.timeout, work, "import")
    adj = os.path.join(work, "adjacency")
    pcn(a.pcn, db, ["export", "adjacency", "--out", adj], a.timeout, work, "export")
    return db, adj


def evaluate(a, db, assignment_csv, work, tag):
    r, out = pcn(
        a.pcn,
        db,
        ["form", "--mode", "evaluate", "--assignment", assignment_csv, "--ignore-commissioners", "--json"],
        a.timeout,
        work,
        tag,
        ok_codes=(0, 1),
    )
    try:
        return json.loads(out)["quality"]
    except (ValueError, KeyError) as e:
        raise Failure(f"pcn form --mode evaluate printed no quality JSON ({e}):\n{out[:2000]}")


def run_input(a, label, size):
    work = tempfile.mkdtemp(prefix="input-", dir=a.workdir)
    print(f"\n=== {label} ===", flush=True)
    result = {
        "input": label,
        "practices_requested": size,
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "pcn_binary": a.binary,
        "seed": a.seed,
        "timeout_s": a.timeout,
    }
    db, adj = prepare_input(a, work, label, size)
    practices, index, edges = read_adjacency(adj)
    comps = components(len(practices), edges)
    comp_pops = sorted(sum(practices[i]["registered"] for i in c) for c in comps)
    graph = {
        "practices": len(practices),
        "edges": len(edges),
        "registered": int(sum(p["registered"] for p in practices)),
        "components": len(comps),
        "components_below_floor": sum(1 for s in comp_pops if s < THRESHOLD),
        "practices_above_ceiling_alone": sum(1 for p in practices if p["registered"] > CEILING),
    }
    result["graph"] = graph
    print(
        f"graph: {graph['practices']} practices, {graph['edges']} edges, {graph['registered']:,} registered, "
        f"{graph['components']} component(s), {graph['components_below_floor']} of them below {THRESHOLD:,}; "
        f"{graph['practices_above_ceiling_alone']} practice(s) above {CEILING:,} on their own",
        flush=True,
    )

    # --- spopt -------------------------------------------------------------
    it_c, it_sa = (99, 10) if a.full_iterations else (10, 1)
    spopt_csv, meta_json = os.path.join(work, "spopt.csv"), os.path.join(work, "spopt-meta.json")
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "spopt-worker",
        "--adjacency", adj,
        "--labels", spopt_csv,
        "--meta", meta_json,
        "--seed", str(a.seed),
        "--policy", a.policy,
        "--iterations-construction", str(it_c),
        "--iterations-sa", str(it_sa),
    ]
    print(f"spopt MaxPHeuristic (threshold {THRESHOLD}, top_n=2, iterations {it_c}/{it_sa}, policy {a.policy}) ...", flush=True)
    spopt_row = {"tool": f"spopt {it_c}/{it_sa}"}
    se = os.path.join(work, "spopt.stderr")
    try:
        r = run_child(cmd, a.timeout, os.path.join(work, "spopt.stdout"), se)
        if r["rc"] != 0:
            raise Failure(f"spopt worker exited {r['rc']}:\n{tail(se, 30)}")
        with open(meta_json) as f:
            meta = json.load(f)
        spopt_row.update(r)
        spopt_row["solve_s"] = meta["solve_s"]
        spopt_row["meta"] = meta
        spopt_row["timed_out"] = False
    except Timeout:
        print(f"spopt did not finish within {a.timeout} s (killed)", flush=True)
        spopt_row.update({"timed_out": True, "wall_s": float(a.timeout)})
        spopt_csv = None

    # --- pcn ---------------------------------------------------------------
    print(f"pcn form --mode scratch --ignore-commissioners --seed {a.seed} ...", flush=True)
    own_out = os.path.join(work, "pcn-epcn.csv")
    pcn_row = {"tool": "pcn scratch", "timed_out": False, "unlocated": []}
    pcn_csv = pcn_assign = None
    try:
        r, out = pcn(
            a.pcn,
            db,
            ["form", "--mode", "scratch", "--ignore-commissioners", "--seed", str(a.seed), "--json", "--out", own_out],
            a.timeout,
            work,
            "pcn-form",
            ok_codes=(0, 1),
        )
    except Timeout:
        print(f"pcn did not finish within {a.timeout:g} s (killed)", flush=True)
        pcn_row.update({"timed_out": True, "wall_s": float(a.timeout)})
    if not pcn_row["timed_out"]:
        try:
            own = json.loads(out)
        except ValueError as e:
            raise Failure(f"pcn form --json printed no JSON ({e}):\n{out[:2000]}")
        pcn_row.update(r)
        pcn_row["solve_s"] = own["quality"]["seconds"]
        pcn_row["own_report"] = {k: v for k, v in own["quality"].items() if k != "by_rule"}
        pcn_row["unlocated"] = own.get("unlocated", [])
        # The ePCN core-partner layout -> practice,network, restricted to the
        # practices spopt saw (practices.csv), so both are judged on the same set.
        pcn_all, pcn_assign = {}, {}
        with open(own_out, newline="") as f:
            for rr in csv.DictReader(f):
                pcn_all[rr["PARTNER_ORG_CODE"]] = rr["PCN_CODE"]
        for p in practices:
            if pcn_all.get(p["practice"]):
                pcn_assign[p["practice"]] = pcn_all[p["practice"]]
        pcn_csv = os.path.join(work, "pcn.csv")
        write_assignment(pcn_csv, pcn_assign)

    # --- the same measure for both ---------------------------------------
    rows = []
    if spopt_csv:
        q = evaluate(a, db, spopt_csv, work, "eval-spopt")
        spopt_row.update({k: q[k] for k in q if k not in ("seconds", "by_rule")})
        spopt_row["by_rule"] = q["by_rule"]
        spopt_row["check"] = independent_quality(practices, index, edges, read_assignment(spopt_csv))
    rows.append(spopt_row)
    if pcn_csv:
        q = evaluate(a, db, pcn_csv, work, "eval-pcn")
        pcn_row.update({k: q[k] for k in q if k not in ("seconds", "by_rule")})
        pcn_row["by_rule"] = q["by_rule"]
        pcn_row["check"] = independent_quality(practices, index, edges, pcn_assign)
    rows.append(pcn_row)

    print()
    print(f"{label}: {graph['practices']} practices; both assignments measured by `pcn form --mode evaluate --ignore-commissioners`")
    print_table(rows)
    verdict = {"speedup_solve": None, "speedup_wall": None, "pcn_equal_or_better_everywhere": None}
    if spopt_row["timed_out"] and pcn_row["timed_out"]:
        print(f"both killed at {a.timeout:g} s: no comparison")
    elif spopt_row["timed_out"]:
        print(f"speed-up spopt/pcn: > {a.timeout / pcn_row['wall_s']:.1f}x wall (spopt killed at {a.timeout:g} s); no quality comparison")
    elif pcn_row["timed_out"]:
        print(f"speed-up spopt/pcn: < {spopt_row['wall_s'] / a.timeout:.2f}x wall (pcn killed at {a.timeout:g} s, so pcn is SLOWER); no quality comparison")
    else:
        sp = {
            "solve": spopt_row["solve_s"] / pcn_row["solve_s"] if pcn_row["solve_s"] else None,
            "wall": spopt_row["wall_s"] / pcn_row["wall_s"],
        }
        verdict["speedup_solve"], verdict["speedup_wall"] = sp["solve"], sp["wall"]
        print(
            f"speed-up spopt/pcn: solve {fmt(sp['solve'])}x, wall {fmt(sp['wall'])}x"
            + ("  (pcn is SLOWER)" if (sp["solve"] or 0) < 1 or sp["wall"] < 1 else "")
        )
        per = {}
        for k in LOWER_IS_BETTER:
            s_, c = spopt_row[k], pcn_row[k]
            per[k] = "better" if c < s_ else ("equal" if c == s_ else "WORSE")
        verdict["per_measure"] = per
        verdict["pcn_equal_or_better_everywhere"] = all(v != "WORSE" for v in per.values())
        print(
            "pcn vs spopt: "
            + ", ".join(f"{k} {v}" for k, v in per.items())
            + f" -> pcn equal or better on every measure: {'YES' if verdict['pcn_equal_or_better_everywhere'] else 'NO'}"
        )
    if not spopt_row["timed_out"]:
        m = spopt_row["meta"]
        print(
            f"spopt p={m['p']}, unassigned by spopt={m['unassigned']}, graph components={m['components']} "
            f"(below floor: {m['infeasible_components']}, handled by policy '{m['policy']}'); "
            f"spopt python import {m['import_s']:.1f} s, data+W setup {m['setup_s']:.1f} s"
        )
    if pcn_row["unlocated"]:
        o = pcn_row["own_report"]
        print(
            f"note: {len(pcn_row['unlocated'])} practice(s) have no coordinates ({', '.join(pcn_row['unlocated'])}); they are "
            f"not in practices.csv, so spopt cannot place them and both rows count them as uncovered. pcn's own report, "
            f"which places them too: networks {o['networks']}, below_floor {o['below_floor']}, above_ceiling {o['above_ceiling']}, "
            f"non_contiguous {o['non_contiguous']}, uncovered {o['uncovered']}, mean_wdist_km {o['mean_weighted_distance_km']}"
        )
    if graph["components_below_floor"]:
        print(
            f"note: {graph['components_below_floor']} graph component(s) cannot reach {THRESHOLD:,} on their own (e.g. an island "
            f"practice with no edges). spopt's policy '{a.policy}' "
            + ("adds joins that are not in edges.csv, so a network using one counts as non_contiguous here; "
               if a.policy in ("single", "multiple") else "changes what spopt sees; ")
            + "keeping to edges.csv, such a component can only be below the floor (or uncovered)."
        )
    # Independent re-measure (python) -- flags any disagreement with pcn's evaluate.
    # (the unlocated count comes from pcn's scratch report; unknown if pcn was killed)
    unlocated = None if pcn_row["timed_out"] else len(pcn_row["unlocated"])
    for row in rows:
        c = row.get("check")
        if not c:
            continue
        diffs = [k for k in ["networks", "below_floor", "above_ceiling", "non_contiguous"] if c[k] != row[k]]
        if unlocated is not None and c["uncovered"] + unlocated != row["uncovered"]:
            diffs.append("uncovered")
        if abs(c["mean_weighted_distance_km"] - row["mean_weighted_distance_km"]) > 0.011:
            diffs.append("mean_weighted_distance_km")
        print(
            f"python re-check {row['tool']}: networks {c['networks']}, <30k {c['below_floor']}, >50k {c['above_ceiling']}, "
            f"disconnected {c['non_contiguous']}, uncovered {c['uncovered']}"
            + (f" (+{unlocated} unlocated)" if unlocated else "")
            + f", mean_wdist_km {c['mean_weighted_distance_km']}, "
            f"largest {c['largest_network']:,}"
            + (f"  [differs from pcn evaluate on: {', '.join(diffs)}]" if diffs else "  [agrees with pcn evaluate]")
        )
    result["rows"] = [{k: v for k, v in r.items()} for r in rows]
    result["verdict"] = verdict
    if not a.keep_temp:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "spopt-worker":
        w = argparse.ArgumentParser(prog="compare_spopt.py spopt-worker")
        w.add_argument("--adjacency", required=True)
        w.add_argument("--labels", required=True)
        w.add_argument("--meta", required=True)
        w.add_argument("--seed", type=int, default=1)
        w.add_argument("--policy", default="single")
        w.add_argument("--iterations-construction", type=int, default=10)
        w.add_argument("--iterations-sa", type=int, default=1)
        spopt_worker(w.parse_args(sys.argv[2:]))
        return 0

    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="300 1000 2000 6600", help='synthetic sizes, e.g. "300 1000 2000" ("" for none)')
    ap.add_argument("--real", action="store_true", help="also the real January 2021 England set from $PCN_DATA_DIR")
    ap.add_argument("--data-dir", default=os.environ.get("PCN_DATA_DIR", "/work/shared/data"))
    ap.add_argument("--full-iterations", action="store_true", help="spopt's default 99/10 iterations (else 10/1)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds before a spopt (or pcn) run is killed")
    ap.add_argument("--seed", type=int, default=1, help="pcn form --seed and spopt's NumPy seed")
    ap.add_argument("--synth-seed", type=int, default=1, help="pcn synth --seed")
    ap.add_argument("--policy", default="single", choices=["single", "multiple", "keep", "drop"],
                    help="spopt MaxPHeuristic policy for graph components below the threshold (spopt default: single)")
    ap.add_argument("--pcn", default=os.environ.get("PCN_BIN", os.path.join(here, "..", "target", "release", "pcn")))
    ap.add_argument("--out", help="append results as JSON lines to this file (nothing is written otherwise)")
    ap.add_argument("--workdir", help="scratch directory (default: a new temp dir, removed at the end)")
    ap.add_argument("--keep-temp", action="store_true")
    a = ap.parse_args()

    a.pcn = os.path.abspath(a.pcn)
    if not os.access(a.pcn, os.X_OK):
        print(f"error: no pcn binary at {a.pcn}; build it with `cargo build --release -p pcn` or pass --pcn", file=sys.stderr)
        return 2
    sizes = [int(s) for s in a.sizes.replace(",", " ").split()]
    if not sizes and not a.real:
        print("error: nothing to compare (no --sizes and no --real)", file=sys.stderr)
        return 2
    own_workdir = a.workdir is None
    a.workdir = a.workdir or tempfile.mkdtemp(prefix="compare-spopt-")
    os.makedirs(a.workdir, exist_ok=True)
    # Use a private copy of the binary so a rebuild during the run cannot mix versions.
    private = os.path.join(a.workdir, "pcn-bin")
    shutil.copy2(a.pcn, private)
    a.pcn_source, a.pcn = a.pcn, private
    v = subprocess.run([a.pcn, "--version"], capture_output=True, text=True).stdout.strip()
    import hashlib

    with open(a.pcn, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    built = _dt.datetime.fromtimestamp(os.path.getmtime(a.pcn)).isoformat(timespec="seconds")
    a.binary = {"path": a.pcn_source, "version": v, "sha256_12": digest, "mtime": built}
    print(f"pcn: {a.pcn_source} ({v}, sha256 {digest}, built {built}); spopt iterations {'99/10 (default)' if a.full_iterations else '10/1 (reduced)'}; timeout {a.timeout:g} s")

    inputs = [(f"synthetic n={n} (pcn synth --seed {a.synth_seed})", n) for n in sizes]
    if a.real:
        inputs.append(("real England, January 2021", None))
    results, failed = [], []
    try:
        for label, size in inputs:
            try:
                res = run_input(a, label, size)
                results.append(res)
                if a.out:
                    with open(a.out, "a") as f:
                        f.write(json.dumps(res, default=str) + "\n")
            except (Failure, Timeout) as e:
                print(f"FAILED {label}: {e}", file=sys.stderr, flush=True)
                failed.append(label)
    finally:
        if own_workdir and not a.keep_temp:
            shutil.rmtree(a.workdir, ignore_errors=True)

    print("\n=== summary ===")
    for res in results:
        rs = {r["tool"].split()[0]: r for r in res["rows"]}
        s, p, vd = rs["spopt"], rs["pcn"], res["verdict"]
        one = lambda r: f"killed at {a.timeout:g} s" if r["timed_out"] else f"{r['solve_s']:.2f} s solve / {r['wall_s']:.2f} s wall"
        line = f"{res['input']}: spopt {one(s)}, pcn {one(p)}"
        if vd["pcn_equal_or_better_everywhere"] is not None:
            line += (
                f", speed-up {fmt(vd['speedup_solve'])}x solve, {fmt(vd['speedup_wall'])}x wall; "
                f"pcn equal or better on every measure: {'YES' if vd['pcn_equal_or_better_everywhere'] else 'NO'}"
            )
        print(line)
        if p["timed_out"]:
            failed.append(f"{res['input']} (pcn did not finish in {a.timeout:g} s)")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
