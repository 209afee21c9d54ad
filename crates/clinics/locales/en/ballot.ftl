ballot-list-title = Ballots for clinic places
ballot-intro = Scarce places are shared fairly by a public, verifiable draw instead of first come, first served.
ballot-none = There are no ballots now.
ballot-places = Places
ballot-closes = Registration closes
ballot-status-open = Open for registration
ballot-status-drawn = Drawn
ballot-title = Ballot
ballot-window = Registration
ballot-entries = Registrations
ballot-commitment = Commitment (SHA-256 of the secret seed)
ballot-commitment-help = The seed stays secret until the draw. Afterwards it is published here, and anyone can check that its SHA-256 equals this commitment.
ballot-your-entries = Your registrations
ballot-sign-in = Sign in to register
ballot-register = Register for the ballot
ballot-result = Result of the draw
ballot-verified = Verified: recomputing the draw from the published seed and registrations gives the published result.
ballot-not-verified = Not verified: the published result cannot be reproduced.
ballot-seed = Seed
ballot-no-show = Measured no-show rate (90 days)
ballot-winners = Winners
ballot-cap = extra at most
ballot-risk = risk of more arrivals than places
ballot-result-hash = Result hash
ballot-how = The place of each registration in the draw is the SHA-256 of the seed and its registration number; people aged 65 or above are drawn first. The first winners get bookings; the rest form the waitlist in order.
ballot-ranking = Ranking
ballot-registrant = Registration number
ballot-tier = Priority tier
ballot-outcome = Outcome
ballot-outcome-won = Place allocated
ballot-outcome-waitlist = Waitlist
ballot-outcome-pending = Waiting for the draw
ballot-session = Session
ballot-start = Run a ballot for this slot
field-error-ballot_not_found = There is no such ballot
field-error-ballot_closed = Registration for this ballot is not open
field-error-ballot_already_registered = This person is already registered in this ballot
field-error-ballot_close_time = Choose a closing time in the future, before the slot starts
error-ballot_already_drawn-title = This ballot has already been drawn
error-ballot_still_open-title = Registration is still open: draw after it closes
clinics-home-ballots = Ballots for scarce places
clinics-home-ballots-desc = Register for a fair, verifiable draw for over-subscribed sessions, and check any draw yourself.
notify-clinic-ballot-registered-subject = Ballot registration received: ((service)), ((when))
notify-clinic-ballot-registered-body =
    Dear ((name)),
    
    You are registered in the ballot for this session.
    Service: ((service))
    Clinic: ((clinic))
    Session: ((when))
    Registration number: ((registrant))
    
    The draw is after registration closes at ((draw)). We will tell you the result.
notify-clinic-ballot-won-subject = Ballot result: you have a place, ((service)), ((when))
notify-clinic-ballot-won-body =
    Dear ((name)),
    
    You were drawn in the ballot and your place is booked.
    Service: ((service))
    Clinic: ((clinic))
    Time: ((when))
    Reference: ((reference))
    
    If you cannot come, please cancel so that the next person can have the place.
notify-clinic-ballot-not-won-subject = Ballot result: no place this time, ((service)), ((when))
notify-clinic-ballot-not-won-body =
    Dear ((name)),
    
    You were not drawn for a place in this session.
    Service: ((service))
    Clinic: ((clinic))
    Session: ((when))
    
    You are number ((position)) on the waiting list for it. If a place is given up, we will offer it to you in that order.
