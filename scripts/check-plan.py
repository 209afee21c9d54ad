#!/usr/bin/env python3
"""Independent checker of an inspection day plan against its problem (issue 13 item 7 contract).

Usage: scripts/check-plan.py PROBLEM.json PLAN.json
Prints a JSON summary {"ok", "errors", "served_by_priority", "visits_by_priority",
"total_distance_km", "recomputed_distance_km"} and exits 0 when the plan keeps every rule, 1 when
it does not, 2 when a file cannot be read. Written from the contract alone (standard library
only), not from the Rust code:

- travel: haversine (R = 6371 km) x 1.35, at 25 km/h;
- every inspector listed once; each route leaves the depot no earlier than the shift start and is
  back by its end; an inspector may arrive early and wait (or leave later: a printed arrival later
  than the earliest possible one is taken as a later departure);
  depart = max(arrive, window start) + duration; service starts by the window end;
- printed times are the exact times rounded to the nearest minute (checked to +-0.5 min);
- each visit is served at most once, by an inspector with its skill, and every visit is either
  served or unassigned with a reason; no_skill when (and only when) nobody has the skill,
  window_unreachable when no skilled inspector could serve it alone, no_time otherwise;
- distance_km of each route (0 when empty) and total_distance_km match the recomputed distances
  (to 0.0015 km per route).
"""
import json
import math
import sys

R_KM = 6371.0
DETOUR = 1.35
SPEED = 25.0
EPS = 1e-6


def travel_km(a, b):
    la1, la2 = math.radians(a[0]), math.radians(b[0])
    dla = la2 - la1
    dlo = math.radians(b[1] - a[1])
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * R_KM * math.asin(min(1.0, math.sqrt(h))) * DETOUR


def minutes(km):
    return km / SPEED * 60.0


def hhmm(s):
    h, m = s.split(":")
    assert len(h) == 2 and len(m) == 2
    h, m = int(h), int(m)
    assert 0 <= h < 24 and 0 <= m < 60
    return h * 60 + m


def lone_trip_ok(depot, ins, v):
    """Could inspector `ins` serve visit `v` with nothing else to do?"""
    start, end = hhmm(ins["start"]), hhmm(ins["end"])
    ws, we = window(v)
    there = minutes(travel_km(depot, (v["lat"], v["lon"])))
    s = max(start + there, ws)
    return s <= we + EPS and s + v["duration_min"] + there <= end + EPS


def window(v):
    w = v.get("window")
    return (hhmm(w[0]), hhmm(w[1])) if w else (0, 23 * 60 + 59)


def check(problem, plan):
    errors = []
    depot = (problem["depot"]["lat"], problem["depot"]["lon"])
    inspectors = {i["id"]: i for i in problem["inspectors"]}
    visits = {v["id"]: v for v in problem["visits"]}
    for key in ("routes", "unassigned", "reasons", "total_distance_km"):
        if key not in plan:
            errors.append(f"the plan has no {key!r}")
    if errors:
        return errors, {}, 0.0
    listed = [r["inspector"] for r in plan["routes"]]
    if sorted(listed) != sorted(inspectors):
        errors.append(f"routes list inspectors {sorted(listed)}, the problem has {sorted(inspectors)}")
    served = {}
    total = 0.0
    for r in plan["routes"]:
        ins = inspectors.get(r["inspector"])
        if ins is None:
            continue
        start, end = hhmm(ins["start"]), hhmm(ins["end"])
        t, here, dist = float(start), depot, 0.0
        for i, stop in enumerate(r["stops"]):
            where = f"{r['inspector']} stop {i + 1} ({stop.get('visit')})"
            v = visits.get(stop.get("visit"))
            if v is None:
                errors.append(f"{where}: unknown visit")
                continue
            if v["id"] in served:
                errors.append(f"{where}: visit already served by {served[v['id']]}")
            served[v["id"]] = r["inspector"]
            if v["skill"] not in ins.get("skills", []):
                errors.append(f"{where}: inspector lacks skill {v['skill']!r}")
            at = (v["lat"], v["lon"])
            leg = travel_km(here, at)
            dist += leg
            arrive = t + minutes(leg)
            printed_arrive = hhmm(stop["arrive"])
            if printed_arrive < arrive - 0.5 - EPS:
                errors.append(f"{where}: arrives {stop['arrive']}, but cannot be there before {arrive:.2f} min")
            elif printed_arrive > arrive + 0.5 + EPS:
                arrive = float(printed_arrive)  # left later than it could: allowed
            ws, we = window(v)
            s = max(arrive, ws)
            if s > we + EPS:
                errors.append(f"{where}: service starts at {s:.2f} min, after the window end {we}")
            depart = s + v["duration_min"]
            if abs(hhmm(stop["depart"]) - depart) > 0.5 + EPS:
                errors.append(f"{where}: departs {stop['depart']}, expected {depart:.2f} min")
            t, here = depart, at
        if r["stops"]:
            back = travel_km(here, depot)
            dist += back
            if t + minutes(back) > end + EPS:
                errors.append(f"{r['inspector']}: back at the depot at {t + minutes(back):.2f} min, after the end {end}")
        if abs(r["distance_km"] - dist) > 0.0015:
            errors.append(f"{r['inspector']}: distance_km {r['distance_km']}, recomputed {dist:.4f}")
        total += dist
    if abs(plan["total_distance_km"] - sum(r["distance_km"] for r in plan["routes"])) > 0.0015 * max(1, len(plan["routes"])):
        errors.append(f"total_distance_km {plan['total_distance_km']} is not the sum of the routes")
    unassigned = list(plan["unassigned"])
    if len(set(unassigned)) != len(unassigned):
        errors.append("a visit is unassigned twice")
    for vid in unassigned:
        if vid in served:
            errors.append(f"{vid}: both served and unassigned")
    missing = set(visits) - set(served) - set(unassigned)
    if missing:
        errors.append(f"visits neither served nor unassigned: {sorted(missing)}")
    if set(plan["reasons"]) != set(unassigned):
        errors.append("reasons are not exactly the unassigned visits")
    for vid, reason in plan["reasons"].items():
        v = visits.get(vid)
        if v is None:
            errors.append(f"reason for unknown visit {vid}")
            continue
        skilled = [i for i in problem["inspectors"] if v["skill"] in i.get("skills", [])]
        alone = any(lone_trip_ok(depot, i, v) for i in skilled)
        expected = "no_skill" if not skilled else ("no_time" if alone else "window_unreachable")
        if reason != expected:
            errors.append(f"{vid}: reason {reason!r}, expected {expected!r}")
    by_priority = {}
    all_by_priority = {}
    for v in problem["visits"]:
        p = str(v.get("priority", 1))
        all_by_priority[p] = all_by_priority.get(p, 0) + 1
        by_priority.setdefault(p, 0)
        if v["id"] in served:
            by_priority[p] += 1
    return errors, (by_priority, all_by_priority), total


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        problem = json.load(open(sys.argv[1], encoding="utf-8"))
        plan = json.load(open(sys.argv[2], encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    errors, counts, total = check(problem, plan)
    served, visits = counts if counts else ({}, {})
    key = lambda kv: int(kv[0])
    print(json.dumps({
        "ok": not errors,
        "errors": errors[:50],
        "served_by_priority": dict(sorted(served.items(), key=key)),
        "visits_by_priority": dict(sorted(visits.items(), key=key)),
        "total_distance_km": plan.get("total_distance_km"),
        "recomputed_distance_km": round(total, 3),
    }))
    sys.exit(0 if not errors else 1)


if __name__ == "__main__":
    main()
