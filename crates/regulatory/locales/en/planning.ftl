reg-plan-title = Inspection day plan
reg-plan-lead = Paste a planning problem (inspectors with skills and shifts, visits with windows and priorities) to see each inspector's route, in order, with times and distances.
reg-plan-problem = Planning problem (JSON)
reg-plan-problem-hint = The format of phos regulatory plan: date, depot, inspectors and visits. Times are HH:MM, Hong Kong time.
reg-plan-submit = Plan the day
reg-plan-result = Plan for { $date }
reg-plan-total = Total distance
reg-plan-unassigned = Visits not planned
reg-plan-visit = Visit
reg-plan-reason = Reason
reg-plan-reason-no_skill = No inspector has the skill
reg-plan-reason-window_unreachable = Cannot be reached within its time window and shift
reg-plan-reason-no_time = No time left after higher-priority visits
reg-plan-route-title = Route of { $inspector }
reg-plan-route-empty = No visits.
reg-plan-route-summary = { $count ->
    [one] 1 visit
   *[other] { $count } visits
}
reg-plan-route-distance = { $km } km
reg-plan-arrive = arrive { $time }
reg-plan-depart = depart { $time }
reg-plan-ics = Download the calendar of { $inspector } (.ics)
field-error-reg_plan_required = Paste a planning problem.
field-error-reg_plan_too_large = The problem is larger than { $max } kB; plan larger problems with phos regulatory plan.
field-error-reg_plan_invalid = The problem cannot be planned: { $detail }
