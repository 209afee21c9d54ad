# Health protection: the epidemiologists' dashboard.

## Dashboard
prot-dash-title = Surveillance dashboard
prot-dash-desc = Epidemic curves, rates by district, top diseases this week and the timeliness of notification and follow-up.
prot-dash-intro = Figures come from counts kept in step with every case: cases by report week (the week of the first notification).
prot-dash-all-diseases = All diseases
prot-dash-all-districts = All districts
prot-dash-period = Period
prot-dash-last-weeks = { $count ->
    [one] Last week
   *[other] Last { $count } weeks
}
prot-dash-classes-cp = Confirmed and probable
prot-dash-classes-c = Confirmed only
prot-dash-classes-cps = Confirmed, probable and suspected
prot-dash-stack = Bars split by
prot-dash-stack-class = Classification
prot-dash-stack-region = Region
prot-dash-showing = Report weeks from { $from } to { $to }.
prot-dash-curve-title = Epidemic curve by report week
prot-dash-curve-desc = { $what }, { $where }: { $count ->
    [one] 1 case
   *[other] { $count } cases
} reported from week { $from } to week { $to }, one bar per week. The same figures are in the table below.
prot-dash-curve-table = The epidemic curve as a table
prot-dash-axis-week = Report week
prot-dash-axis-cases = Cases
prot-dash-total = Total
prot-dash-region-HK = Hong Kong Island
prot-dash-region-KLN = Kowloon
prot-dash-region-NT = New Territories and Islands
prot-dash-region-UNK = District not known
prot-dash-map-title = Cases per 100,000 people by district
prot-dash-map-intro = Each square is a district, placed roughly as on the map. The darker the square, the higher the rate over the period. Cases with no known district are not shown on the map.
prot-dash-map-desc = Tile map of the 18 districts for { $what }, weeks { $from } to { $to }: each tile shows the district code, the rate per 100,000 and the number of cases. The same figures are in the table below.
prot-dash-map-legend = Per 100,000
prot-dash-no-cases = No cases
prot-dash-map-table = Rates by district as a table
prot-dash-population = Population
prot-dash-rate = Per 100,000
prot-dash-top-title = Top diseases this week
prot-dash-top-caption = Cases in report week { $week } and the week before
prot-dash-this-week = This week
prot-dash-last-week = Last week
prot-dash-change = Change
prot-dash-kpi-title = Timeliness
prot-dash-kpi-intro = Days from onset to notification, and from notification to the first daily follow-up record of any of the case's contacts, for cases reported in the period. The share notified in time counts cases notified within the disease's time frame of onset (1 day for immediate and 24-hour diseases, 3 or 7 days for the others).
prot-dash-kpi-all-districts = Timeliness is counted for all districts together, whichever district is chosen above.
prot-dash-kpi-caption = Timeliness by disease over the period (days)
prot-dash-onset-to-notification = Onset to notification
prot-dash-notification-to-followup = Notification to first contact follow-up
prot-dash-cases-n = Cases
prot-dash-median = Median
prot-dash-p90 = 90th percentile
prot-dash-within = Notified in time
prot-dash-period-before = All diseases, the period before
prot-dash-signals-title = Open signals
prot-dash-signals-link = Signals to triage
