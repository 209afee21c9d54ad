noshow-title = No-show record
noshow-standing-good = In good standing: no unexcused no-shows in the last 180 days.
noshow-standing-warned = { $count ->
    [one] Warned: 1 unexcused no-show in the last 180 days.
   *[other] Warned: { $count } unexcused no-shows in the last 180 days.
}
noshow-standing-penalised = Lower ballot priority until { $until } (two or more unexcused no-shows in 180 days).
noshow-policy = Policy: one no-show in 180 days brings a warning; two or more put the person after everyone else in ballots for 90 days from the latest. A clinic manager can excuse a no-show on appeal.
noshow-none = No no-shows recorded.
noshow-appeal = Appeal
noshow-reason = Reason for excusing
noshow-excuse = Excuse
noshow-excused = Excused
noshow-counts = Counts
field-error-excuse_reason = Give a reason of 3 to 500 characters
field-error-not_an_unexcused_no_show = This booking is not an unexcused no-show
