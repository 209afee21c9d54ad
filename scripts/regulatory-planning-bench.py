#!/usr/bin/env python3
"""Helpers of scripts/bench-regulatory-planning (issue 13 item 7 benchmark).

  generate [--inspectors 50] [--per 15] [--seed 2026]  > PROBLEM.json
      A deterministic instance over Hong Kong (lat 22.2-22.5, lon 113.9-114.3): visits clustered
      around the 18 district centres, three skills, windows (all day, half day, two hours),
      durations 15-30 min, priorities 1 (10 %), 2 (40 %), 3 (50 %); shifts 08:30-17:30.
  ortools PROBLEM.json SECONDS  > PLAN.json      (run with the OR-Tools venv's python)
      The same model in OR-Tools' routing solver: skills as allowed vehicles, time windows on a
      time dimension (seconds; travel rounded up so that its plans keep the exact rules), shifts
      as the vehicles' start and end windows, distance in metres as the arc cost, and dropping
      penalties that make the priority order lexicographic (one priority-p visit costs more than
      every lower-priority visit together plus any possible distance). Prints the plan in the
      contract's JSON, times computed from the routes by the contract's exact rules; the wall time
      and solver status on stderr.
"""
import json
import math
import os
import random
import sys
import time

R_KM, DETOUR, SPEED = 6371.0, 1.35, 25.0

# Approximate centres of the 18 districts (lat, lon), clipped to the benchmark's box.
DISTRICTS = [
    ("Central and Western", 22.2860, 114.1500), ("Wan Chai", 22.2770, 114.1760), ("Eastern", 22.2840, 114.2240),
    ("Southern", 22.2470, 114.1600), ("Yau Tsim Mong", 22.3100, 114.1700), ("Sham Shui Po", 22.3300, 114.1600),
    ("Kowloon City", 22.3280, 114.1900), ("Wong Tai Sin", 22.3420, 114.1950), ("Kwun Tong", 22.3130, 114.2250),
    ("Kwai Tsing", 22.3550, 114.1300), ("Tsuen Wan", 22.3700, 114.1150), ("Tuen Mun", 22.3900, 113.9750),
    ("Yuen Long", 22.4450, 114.0250), ("North", 22.4950, 114.1300), ("Tai Po", 22.4500, 114.1700),
    ("Sha Tin", 22.3800, 114.1900), ("Sai Kung", 22.3800, 114.2700), ("Islands", 22.2900, 113.9450),
]
WEIGHTS = [6, 5, 8, 4, 9, 7, 6, 6, 9, 7, 5, 7, 8, 5, 5, 9, 6, 3]
SKILLS = ["pharmacy", "clinic", "chinese_medicine"]


def hhmm(m):
    return f"{m // 60:02d}:{m % 60:02d}"


def generate(inspectors=50, per=15, seed=2026):
    rng = random.Random(seed)
    ins = []
    for i in range(inspectors):
        skills = [SKILLS[i % 3]]
        if i % 2 == 0:
            skills.append(SKILLS[(i + 1) % 3])
        ins.append({"id": f"INS-{i + 1:03d}", "skills": skills, "start": "08:30", "end": "17:30"})
    visits = []
    for k in range(inspectors * per):
        name, lat, lon = rng.choices(DISTRICTS, weights=WEIGHTS)[0]
        lat = min(22.5, max(22.2, rng.gauss(lat, 0.012)))
        lon = min(114.3, max(113.9, rng.gauss(lon, 0.012)))
        r = rng.random()
        if r < 0.55:
            window = (9 * 60, 17 * 60)
        elif r < 0.8:
            window = (9 * 60, 12 * 60 + 30) if rng.random() < 0.5 else (13 * 60 + 30, 17 * 60)
        else:
            s = rng.randrange(9 * 60, 15 * 60 + 1, 30)
            window = (s, s + 120)
        p = rng.random()
        priority = 1 if p < 0.1 else (2 if p < 0.5 else 3)
        visits.append({
            "id": f"V{k + 1:04d}", "lat": round(lat, 6), "lon": round(lon, 6),
            "duration_min": rng.choice([15, 20, 25, 30]), "skill": rng.choices(SKILLS, weights=[5, 3, 2])[0],
            "window": [hhmm(window[0]), hhmm(window[1])], "priority": priority, "district": name,
        })
    return {"date": "2026-12-08", "depot": {"lat": 22.2783, "lon": 114.1747}, "inspectors": ins, "visits": visits}


def travel_km(a, b):
    la1, la2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * R_KM * math.asin(min(1.0, math.sqrt(h))) * DETOUR


def tmin(s):
    return int(s[:2]) * 60 + int(s[3:])


def fmt(m):
    m = int(math.floor(m + 0.5))
    return f"{m // 60:02d}:{m % 60:02d}"


def contract_plan(problem, sequences):
    """The contract's output for routes given as visit-id sequences (times by the exact rules)."""
    depot = (problem["depot"]["lat"], problem["depot"]["lon"])
    visits = {v["id"]: v for v in problem["visits"]}
    routes, served, total = [], set(), 0.0
    for ins in problem["inspectors"]:
        seq = sequences.get(ins["id"], [])
        t, here, dist, stops = float(tmin(ins["start"])), depot, 0.0, []
        for vid in seq:
            v = visits[vid]
            at = (v["lat"], v["lon"])
            leg = travel_km(here, at)
            dist += leg
            arrive = t + leg / SPEED * 60
            s = max(arrive, tmin(v["window"][0]))
            depart = s + v["duration_min"]
            stops.append({"visit": vid, "arrive": fmt(arrive), "depart": fmt(depart)})
            t, here = depart, at
            served.add(vid)
        if seq:
            dist += travel_km(here, depot)
        km = round(dist, 3) if seq else 0.0
        total += km
        routes.append({"inspector": ins["id"], "stops": stops, "distance_km": km})
    unassigned = [v["id"] for v in problem["visits"] if v["id"] not in served]
    reasons = {}
    for vid in unassigned:
        v = visits[vid]
        skilled = [i for i in problem["inspectors"] if v["skill"] in i["skills"]]
        def alone(i):
            there = travel_km(depot, (v["lat"], v["lon"])) / SPEED * 60
            s = max(tmin(i["start"]) + there, tmin(v["window"][0]))
            return s <= tmin(v["window"][1]) + 1e-9 and s + v["duration_min"] + there <= tmin(i["end"]) + 1e-9
        reasons[vid] = "no_skill" if not skilled else ("no_time" if any(alone(i) for i in skilled) else "window_unreachable")
    return {"routes": routes, "unassigned": unassigned, "reasons": reasons, "total_distance_km": round(total, 3)}


def solve_ortools(problem, seconds):
    t0 = time.perf_counter()
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    depot = (problem["depot"]["lat"], problem["depot"]["lon"])
    vs, ins = problem["visits"], problem["inspectors"]
    pts = [depot] + [(v["lat"], v["lon"]) for v in vs]
    n = len(pts)
    dist_m = [[int(round(travel_km(pts[i], pts[j]) * 1000)) for j in range(n)] for i in range(n)]
    # Travel seconds rounded up: a plan that keeps the rules with these keeps them exactly.
    travel_s = [[int(math.ceil(travel_km(pts[i], pts[j]) / SPEED * 3600 - 1e-9)) for j in range(n)] for i in range(n)]
    service_s = [0] + [int(round(v["duration_min"] * 60)) for v in vs]
    manager = pywrapcp.RoutingIndexManager(n, len(ins), 0)
    routing = pywrapcp.RoutingModel(manager)

    def dist_cb(a, b):
        return dist_m[manager.IndexToNode(a)][manager.IndexToNode(b)]

    def time_cb(a, b):
        i, j = manager.IndexToNode(a), manager.IndexToNode(b)
        return service_s[i] + travel_s[i][j]

    d_idx = routing.RegisterTransitCallback(dist_cb)
    routing.SetArcCostEvaluatorOfAllVehicles(d_idx)
    t_idx = routing.RegisterTransitCallback(time_cb)
    day = 24 * 3600
    routing.AddDimension(t_idx, day, day, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for k, x in enumerate(ins):
        time_dim.CumulVar(routing.Start(k)).SetRange(tmin(x["start"]) * 60, tmin(x["end"]) * 60)
        time_dim.CumulVar(routing.End(k)).SetRange(tmin(x["start"]) * 60, tmin(x["end"]) * 60)
    # Lexicographic dropping penalties: D bounds any total distance (metres).
    d_max = sum(max(row) for row in dist_m) + 1
    priorities = sorted({v.get("priority", 1) for v in vs}, reverse=True)  # lowest priority first
    count = {p: sum(1 for v in vs if v.get("priority", 1) == p) for p in priorities}
    penalty, below = {}, 0
    for p in priorities:
        penalty[p] = d_max + below
        below += count[p] * penalty[p]
    assert below < 2**62, "penalties overflow int64"
    for i, v in enumerate(vs, start=1):
        idx = manager.NodeToIndex(i)
        ws, we = tmin(v["window"][0]) * 60, tmin(v["window"][1]) * 60
        time_dim.CumulVar(idx).SetRange(ws, we)  # cumul = service start (waiting is slack)
        allowed = [k for k, x in enumerate(ins) if v["skill"] in x["skills"]]
        # Skills as allowed vehicles (-1: dropped). SetAllowedVehiclesForIndex does the same but
        # its Python binding refuses lists in ortools 9.15.
        routing.VehicleVar(idx).SetValues([-1] + allowed)
        routing.AddDisjunction([idx], penalty[v.get("priority", 1)])
    params = pywrapcp.DefaultRoutingSearchParameters()
    first = os.environ.get("PHOS_ORTOOLS_FIRST", "PARALLEL_CHEAPEST_INSERTION")
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    meta = os.environ.get("PHOS_ORTOOLS_META", "GUIDED_LOCAL_SEARCH")
    params.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, meta)
    remaining = max(0.5, seconds - (time.perf_counter() - t0) - 0.3)
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    solution = routing.SolveWithParameters(params)
    sequences = {}
    if solution:
        for k, x in enumerate(ins):
            idx, seq = routing.Start(k), []
            idx = solution.Value(routing.NextVar(idx))
            while not routing.IsEnd(idx):
                seq.append(vs[manager.IndexToNode(idx) - 1]["id"])
                idx = solution.Value(routing.NextVar(idx))
            sequences[x["id"]] = seq
    plan = contract_plan(problem, sequences)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall_s": round(wall, 2), "status": routing.status(), "found": bool(solution)}), file=sys.stderr)
    return plan


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "generate":
        args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
        print(json.dumps(generate(int(args.get("--inspectors", 50)), int(args.get("--per", 15)), int(args.get("--seed", 2026)))))
    elif cmd == "ortools":
        problem = json.load(open(sys.argv[2], encoding="utf-8"))
        print(json.dumps(solve_ortools(problem, float(sys.argv[3]))))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
