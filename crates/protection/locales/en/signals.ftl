# Signals: the daily detection run, triage and the duty officer.

prot-sig-title = Signals
prot-sig-desc = Alarms of the daily detection run and the space-time scan, to triage.
prot-sig-intro = Every morning at 07:00 the detection run checks last week's counts of every disease in every district and territory-wide, and scans for clusters across districts. Each alarm becomes a signal to assess.
prot-sig-one = Signal:
prot-sig-status = Status
prot-sig-area = Area
prot-sig-area-hk = Territory-wide
prot-sig-method = Method
prot-sig-count = { $count ->
    [one] 1 signal
   *[other] { $count } signals
}
prot-sig-none = No signals match.
prot-sig-week = Week starting
prot-sig-observed = Cases
prot-sig-upperbound = Upper bound
prot-sig-expected = Expected cases
prot-sig-districts = Districts of the cluster
prot-sig-p-value = p-value
prot-sig-reason = Reason
prot-sig-reason-hint = Required to dismiss a signal. Say what you checked.
prot-sig-runs = Recent detection runs
prot-sig-no-runs = Detection has not run yet.
prot-sig-run-at = Run at
prot-sig-run-series = Series checked
prot-sig-run-raised = New signals
prot-sig-run-ms = Milliseconds
prot-sig-duty = Duty officer
prot-sig-duty-desc = The duty officer receives one summary of the new signals of each run, and a message for every triage decision.
prot-sig-duty-emails = Duty officer's staff e-mail addresses
prot-sig-duty-emails-hint = One or more staff e-mail addresses, one per line.
prot-sig-duty-language = Language of the messages
prot-sig-duty-save = Save duty officer
prot-sig-duty-none = No duty officer is set.
prot-sig-duty-saved = The duty officer was saved.
prot-sig-saved = Your decision was saved and the duty officer told.
prot-sig-evidence = Evidence
prot-sig-chart-caption = Cases per week as bars, the method's upper bound as a dashed line; alarm weeks are dark red and marked with a triangle. The same numbers are in the table below.
prot-sig-chart-caption-scan = Cases per week in the districts of the cluster as bars; the weeks of the cluster are dark red and marked with a triangle. The same numbers are in the table below.
prot-sig-chart-desc = { $count ->
    [one] Cases per week over 1 week with the upper bound.
   *[other] Cases per week over { $count } weeks with the upper bound.
}
prot-sig-chart-alarms = Alarm weeks: { $value }.
prot-sig-table = The numbers as a table
prot-sig-alarm = Alarm
prot-sig-params = Method and parameters
prot-sig-threshold-min = { $count ->
    [one] No signal below 1 case a week.
   *[other] No signal below { $count } cases a week.
}
prot-sig-not-run = Methods that could not run
prot-sig-needs = { $count ->
    [one] needs 1 week of history
   *[other] needs { $count } weeks of history
}
prot-sig-has = the series has { $count }
prot-sig-triage = Decision
prot-sig-closed = This signal has been decided.
prot-sig-decision = What do you decide?
prot-sig-action-assessing = Assess it (under assessment)
prot-sig-action-outbreak = Open an outbreak
prot-sig-action-dismissed = Dismiss it
prot-sig-cluster = Cluster for the outbreak
prot-sig-cluster-hint = Link an open cluster, or leave as is to open a new one.
prot-sig-other-disease = Link even if the cluster is of another disease
prot-sig-cluster-new = Open a new cluster
prot-sig-decide = Save decision
prot-sig-history = History of decisions
prot-sig-when = When
prot-sig-from = From
prot-sig-to = To
prot-sig-by = By
prot-sig-status-new = New
prot-sig-status-assessing = Under assessment
prot-sig-status-outbreak = Outbreak opened
prot-sig-status-dismissed = Dismissed
prot-sig-method-ears-c1 = EARS C1
prot-sig-method-ears-c2 = EARS C2
prot-sig-method-ears-c3 = EARS C3
prot-sig-method-farrington-flexible = Farrington (flexible)
prot-sig-method-cusum = CUSUM
prot-sig-method-threshold = Threshold
prot-sig-method-scan = Space-time scan
field-error-signal_stale = Someone decided on this signal after you opened it. Check its status and history, then decide again
field-error-not_staff_email = { $value } is not a staff member's e-mail address
error-signal_stale-title = The signal changed since it was read
notify-protection-signals-raised-subject = PHOS: ((count)) new signal(s), week starting ((week))
notify-protection-signals-raised-body =
    The detection run raised ((count)) new signal(s) for the week starting ((week)):
    
    ((list))
    
    Triage them at ((link))
notify-protection-signal-triaged-subject = PHOS signal: ((status))
notify-protection-signal-triaged-body =
    A signal was triaged.
    
    ((signal))
    Decision: ((status))
    Reason: ((reason))
    Cluster: ((cluster))
    By: ((by))
    
    ((link))
