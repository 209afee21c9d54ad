## Risk scores, weights and the due list (helper "risk")

reg-risk-card-due = Inspections due
reg-risk-card-due-lead = Routine inspections that fall due by risk band, and inspections asked for by complaints
reg-risk-card-weights = Risk score weights
reg-risk-card-weights-lead = Change the weights of the risk score, with the history of changes

reg-risk-premises-title = Regulated premises
reg-risk-due-title = Inspections due
reg-risk-address = Address
reg-risk-district = District
reg-risk-other-name = Name in the other language
reg-risk-premises = Premises
reg-risk-none = None.

reg-risk-score-heading = Risk score
reg-risk-total = Total score
reg-risk-band = Risk band
reg-risk-band-A = A (high risk)
reg-risk-band-B = B (medium risk)
reg-risk-band-C = C (low risk)
reg-risk-frequency = Routine inspection
reg-risk-every-months = { $n ->
    [one] every month
   *[other] every { $n } months
}
reg-risk-next-due = Next routine inspection due
reg-risk-computed = Computed
reg-risk-not-stored = computed for this page; not stored yet
reg-risk-factors-caption = How the score is made up: each factor's value, its points, its weight and the weighted points
reg-risk-factor = Factor
reg-risk-value = Value
reg-risk-points = Points
reg-risk-weight = Weight
reg-risk-weighted = Weighted points
reg-risk-explain = The total is the sum of each factor's points times its weight. Compliance history adds points for past outcomes (advice 5, warning 15, prosecution referral 25), halving every 12 months, capped at 30; more than 24 months since the last inspection adds 15; each complaint in the last 12 months adds 5, up to 20.
reg-risk-factor-compliance = Compliance history
reg-risk-factor-time_since = Time since the last inspection
reg-risk-factor-complaints = Complaints in the last 12 months
reg-risk-factor-risk_class = Product or service risk class
reg-risk-factor-volume = Volume
reg-risk-factor-licence_type = Licence type
reg-risk-never-inspected = Never inspected
reg-risk-months = { $n } months
reg-risk-no-licence = No licence

reg-risk-licences = Licences
reg-risk-licence-number = Licence number
reg-risk-licence-type = Type
reg-risk-licence-status = Status
reg-risk-issued = Issued
reg-risk-expires = Expires
reg-risk-licence-active = Active
reg-risk-licence-suspended = Suspended
reg-risk-licence-revoked = Revoked
reg-risk-licence-surrendered = Surrendered
reg-risk-licence-lapsed = Lapsed

reg-risk-inspections = Inspections
reg-risk-due-on = Due
reg-risk-kind = Kind
reg-risk-status = Status
reg-risk-outcome = Outcome
reg-risk-done = Done
reg-risk-priority = Priority
reg-risk-kind-routine = Routine
reg-risk-kind-complaint = Complaint
reg-risk-kind-pre_licence = Before licensing
reg-risk-kind-follow_up = Follow-up
reg-risk-status-due = Due
reg-risk-status-planned = Planned
reg-risk-status-done = Done
reg-risk-status-cancelled = Cancelled
reg-risk-outcome-compliant = Compliant
reg-risk-outcome-advice = Advice given
reg-risk-outcome-warning = Warning
reg-risk-outcome-prosecution = Referred for prosecution

reg-risk-weights-title = Risk score weights
reg-risk-weights-saved = The weights are saved. Every premises' score is being recomputed.
reg-risk-weights-intro = Each factor's points are multiplied by its weight. A change applies to every premises at once and is kept in the history below with your reason.
reg-risk-weights-factors = Weights of the factors
reg-risk-weights-factors-hint = A number from 0 to 10; 1 keeps the factor's points as they are, 0 ignores the factor.
reg-risk-weights-bands = Bands and inspection frequency
reg-risk-weights-types = Points by licence type
reg-risk-weights-types-hint = Points the licence type adds before its weight, from 0 to 50.
reg-risk-field-half-life-months = Months for an outcome's points to halve
reg-risk-field-band-a-min = Band A (high risk) from this total
reg-risk-field-band-b-min = Band B (medium risk) from this total
reg-risk-field-months-a = Months between routine inspections in band A
reg-risk-field-months-b = Months between routine inspections in band B
reg-risk-field-months-c = Months between routine inspections in band C
reg-risk-reason = Reason for the change
reg-risk-reason-hint = Kept in the history and the audit log.
reg-risk-weights-save = Save the weights
reg-risk-history = History of changes
reg-risk-history-empty = The weights have never been changed: the defaults apply.
reg-risk-version = Version
reg-risk-when = When
reg-risk-who = Who
reg-risk-changes = Changes
reg-risk-no-change = No value changed

reg-risk-due-intro = Inspections waiting to be planned: routine inspections falling due by risk band (within 14 days), follow-ups and those asked for by complaints. Soonest and most urgent first.
reg-risk-due-filter = Filter the due list
reg-risk-any-district = All districts
reg-risk-apply = Show
reg-risk-due-empty = No inspections are due.
reg-risk-due-refresh = Recompute all scores now
reg-risk-due-refresh-hint = Scores are recomputed every night, within seconds of a complaint or an inspection outcome, and after a change of weights.
reg-risk-due-queued = All scores are being recomputed. Reload this page in a minute.

field-error-reg_risk_number = Enter a number, like 1 or 1.5
field-error-reg_risk_whole_months = Enter a whole number of months, like 12
field-error-reg_risk_weight_range = Enter a weight from 0 to { $max }
field-error-reg_risk_type_points_range = Enter points from 0 to { $max }
field-error-reg_risk_band_range = Enter a total from 0 to { $max }
field-error-reg_risk_months_range = Enter a number of months from 1 to { $max }
field-error-reg_risk_band_order = Band B must start below band A
field-error-reg_risk_months_order = Higher-risk bands must be inspected at least as often: band A months ≤ band B months ≤ band C months
field-error-reg_risk_reason_missing = Enter the reason for the change
field-error-reg_risk_stale = Someone changed the weights while you were editing. Check the current weights below and save again
