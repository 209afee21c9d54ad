reg-lic-title = Licence
reg-lic-premises = Premises
reg-lic-issued = Issued on
reg-lic-history = History
reg-lic-when = When
reg-lic-action = Action
reg-lic-reason = Reason
reg-lic-legal-basis = Legal basis
reg-lic-legal-basis-hint = The provision relied on, for example Cap. 138 s.14
reg-lic-act = Act on this licence
reg-lic-suspend = Suspend
reg-lic-reinstate = Reinstate
reg-lic-surrender = Record surrender
reg-lic-propose-revoke = Propose revocation
reg-lic-pending-revocation = Revocation proposed
reg-lic-second-officer = A second licensing manager, not the one who proposed it, decides.
reg-lic-approve-revoke = Approve the revocation
reg-lic-reject-revoke = Reject the revocation
reg-lic-renewal = Renewal
reg-lic-renew-title = Renew licence
reg-lic-renew-lead = Renewing now keeps the licence valid until { $date }.
reg-lic-pay-renew = Pay { $amount } and renew
reg-lic-renew-closed = Online renewal is not open for this licence now: it opens 90 days before expiry and stays open for 30 days after a licence lapses.
reg-lic-renewed = Renewed: the licence is now valid until { $date }.
reg-lic-action-new = Granted
reg-lic-action-renew = Renewed
reg-lic-action-amend = Amended
reg-lic-action-suspend = Suspended
reg-lic-action-reinstate = Reinstated
reg-lic-action-revoke = Revoked
reg-lic-action-surrender = Surrendered
reg-lic-action-lapse = Lapsed
reg-lic-done-suspend = The licence is suspended and the holder told.
reg-lic-done-reinstate = The licence is reinstated and the holder told.
reg-lic-done-surrender = The surrender is recorded.
reg-lic-done-propose-revoke = The revocation is proposed: a second licensing manager decides.
reg-lic-done-approve-revoke = The licence is revoked and the holder told.
reg-lic-done-reject-revoke = The proposed revocation is rejected.
field-error-reason_missing = Enter the reason
field-error-legal_basis_missing = Enter the legal basis
field-error-needs_second_officer = A revocation needs a second officer: propose it instead
field-error-transition_not_allowed = This action is not possible for a licence in this status
field-error-licence_changed = The licence changed meanwhile: check it and try again
field-error-proposal_pending = A revocation is already proposed for this licence
field-error-no_proposal = No revocation is proposed for this licence
field-error-same_officer = The officer who proposed a revocation cannot also approve it
field-error-not_allowed = Your role does not allow this action
field-error-renewal_not_open = Online renewal is not open for this licence now
field-error-licence_not_found = There is no such licence
field-error-licence_exists = The licence exists already
notify-regulatory-licence-suspend-subject = Licence suspended: ((licence))
notify-regulatory-licence-suspend-body =
    Dear ((name)),

    Licence ((licence)) is suspended: ((detail)). Details at ((link)).
notify-regulatory-licence-reinstate-subject = Licence reinstated: ((licence))
notify-regulatory-licence-reinstate-body =
    Dear ((name)),

    Licence ((licence)) is reinstated. Details at ((link)).
notify-regulatory-licence-surrender-subject = Licence surrendered: ((licence))
notify-regulatory-licence-surrender-body =
    Dear ((name)),

    We have recorded the surrender of licence ((licence)).
notify-regulatory-licence-revoke-subject = Licence revoked: ((licence))
notify-regulatory-licence-revoke-body =
    Dear ((name)),

    Licence ((licence)) is revoked: ((detail)). You may appeal within 21 days. Details at ((link)).
notify-regulatory-licence-renew-subject = Licence renewed: ((licence))
notify-regulatory-licence-renew-body =
    Dear ((name)),

    Licence ((licence)) is renewed and now valid until ((expires)).
notify-regulatory-licence-lapse-subject = Licence lapsed: ((licence))
notify-regulatory-licence-lapse-body =
    Dear ((name)),

    Licence ((licence)) expired on ((expires)) without renewal and has lapsed. You may still renew it online for 30 days at ((link)).
notify-regulatory-renewal-reminder-subject = Renew licence ((licence)) by ((expires))
notify-regulatory-renewal-reminder-body =
    Dear ((name)),

    Licence ((licence)) expires on ((expires)), in ((detail)) days. Renew it online at ((link)).
