# Health protection: the public surveillance page and open data.

prot-home-open = Infectious disease surveillance
prot-home-open-desc = Weekly confirmed and probable cases of notifiable diseases by district, with downloads in CSV and JSON.

## Open data
prot-open-title = Infectious disease surveillance: weekly cases
prot-open-intro = Confirmed and probable cases of notifiable diseases by report week (the week a case was first notified) and district of residence. Figures change as cases are investigated and reclassified.
prot-open-show = Show
prot-open-suppression-title = Small numbers are hidden
prot-open-suppression = To protect the privacy of the people concerned, a district's week with between 1 and { $count } minus 1 cases is shown as “<{ $count }”.
prot-open-totals = Totals add up the numbers shown only: a total marked “≥” leaves out hidden cells, so no hidden number can be worked out from the totals.
prot-open-table-caption = { $what }: cases by report week and district
prot-open-downloads = Download the data
prot-open-csv = These weeks as CSV
prot-open-json = These weeks as JSON
prot-open-api = For other diseases, weeks and districts, use the open data API:
prot-open-curve-title = { $what }: cases by report week
prot-open-curve-desc = { $what }, all districts, weeks { $from } to { $to }: the sum of the numbers shown in the table below, one bar per week (hidden small numbers are not included).
prot-open-series = Cases (numbers shown)
prot-open-settings-title = Open data settings
prot-open-settings-desc = The threshold below which the public surveillance page and downloads hide numbers.
prot-open-settings-intro = The public surveillance page and the open data downloads hide numbers of cases below this threshold.
prot-open-settings-saved = The threshold is saved.
prot-open-threshold = Hide numbers of cases below
prot-open-threshold-hint = A whole number from 2 to 100. The usual is 5.
prot-open-save = Save

error-invalid_parameters-title = Some parameters are not valid
field-error-from_after_to = The start of the range must not be after its end
field-error-range_too_long = { $max ->
    [one] Ask for at most 1 week at a time
   *[other] Ask for at most { $max } weeks at a time
}
field-error-unknown_format = Choose the format json or csv (got “{ $value }”)
field-error-threshold_range = Enter a whole number from { $min } to { $max }
prot-dash-signals-none = No signals are waiting for triage for this choice.
prot-dash-signals-count = { $count ->
    [one] One signal is waiting for triage.
   *[other] { $count } signals are waiting for triage; the latest { $shown } are shown.
}
prot-dash-signals-caption = Signals waiting for triage, latest week first
