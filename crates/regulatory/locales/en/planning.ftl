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
field-error-reg_plan_json = The problem is not valid JSON: { $detail }
field-error-reg_plan_date = { $at }: "{ $value }" is not a date YYYY-MM-DD.
field-error-reg_plan_empty_id = { $at }: the id is empty.
field-error-reg_plan_duplicate_id = { $at }: the same id appears twice.
field-error-reg_plan_shift = { $at }: the shift ends ({ $end }) before it starts ({ $start }).
field-error-reg_plan_window = { $at }: the window ends ({ $end }) before it starts ({ $start }).
field-error-reg_plan_time = { $at }: { $field } "{ $value }" is not a time HH:MM between 00:00 and 23:59.
field-error-reg_plan_duration = { $at }: duration_min { $value } is not between 0 and 1440.
field-error-reg_plan_priority = { $at }: priority must be 1 (the highest) or more.
field-error-reg_plan_point = { $at }: ({ $lat }, { $lon }) is not a latitude and longitude in degrees.
