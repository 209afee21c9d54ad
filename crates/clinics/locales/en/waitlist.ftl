waitlist-mine = My waiting lists
waitlist-offers = Places offered to you
waitlist-none = You are not on any waiting list.
waitlist-position = Position
waitlist-estimate = Estimated wait
waitlist-range = Likely between
waitlist-basis = { $count ->
    [one] based on 1 place freed in the last 90 days
   *[other] based on { $count } places freed in the last 90 days
}
waitlist-no-estimate = Not enough history yet to estimate
waitlist-leave = Leave the list
waitlist-from-ballot = Waiting list of a ballot (in draw order)
waitlist-status-waiting = Waiting
waitlist-status-offered = A place is offered
waitlist-status-booked = Booked
waitlist-status-left = Left
waitlist-status-removed = Removed
waitlist-joined = You are on the waiting list. We will offer you a place when one frees up.
waitlist-left = You have left the waiting list.
waitlist-accepted = You accepted the place. Your booking is confirmed.
waitlist-declined = You declined the place. You stay on the waiting list.
waitlist-join-heading = No suitable time?
waitlist-join-help = Join the waiting list. When a place frees up we hold it for you and send you a message; you then have a short time to accept it.
waitlist-join = Join the waiting list
waitlist-offer-title = A place is offered to you
waitlist-answer-by = Please answer by { $time }. After that the place goes to the next person.
waitlist-accept = Accept this place
waitlist-decline = Decline
waitlist-offer-pending = Waiting for your answer
waitlist-offer-accepted = Accepted
waitlist-offer-declined = Declined
waitlist-offer-expired = Expired (not answered in time)
waitlist-offer-withdrawn = Withdrawn
waitlist-staff-title = Waiting list
waitlist-staff-none = Nobody is waiting at this clinic.
waitlist-staff-waiting = People waiting, in the order places are offered
waitlist-joined-at = Joined
waitlist-remove = Remove
waitlist-recent-offers = Recent offers
waitlist-no-offers = No offers yet.
waitlist-offered-at = Offered
waitlist-expires = Answer by
field-error-already_waiting = This person is already on the waiting list for this service here
field-error-offer_not_pending = This offer has already been answered or has passed to someone else
field-error-offer_expired = The time to accept this offer has passed; the place went to the next person
notify-clinic-offer-subject = A place is free for you: ((service)), ((when))
notify-clinic-offer-body =
    Dear ((name)),
    
    A place has freed up and we are holding it for you.
    Service: ((service))
    Clinic: ((clinic))
    Time: ((when))
    
    Accept or decline by ((expires)): ((link))
    If you do not answer in time, the place goes to the next person.
notify-clinic-no-show-warning-subject = You missed your clinic appointment
notify-clinic-no-show-warning-body =
    Dear ((name)),
    
    Our records show you did not attend your appointment ((count)) time(s) in the last 180 days.
    Please cancel when you cannot come, so that someone else can have the place. Two missed
    appointments in 180 days lower your priority in ballots for 90 days.
    If this is wrong, please contact the clinic to appeal.
notify-clinic-no-show-penalty-subject = Lower ballot priority after missed appointments
notify-clinic-no-show-penalty-body =
    Dear ((name)),
    
    You did not attend ((count)) appointments in the last 180 days. Until ((until)) you will be
    drawn after other people in clinic ballots.
    If a missed appointment was not your fault, please contact the clinic to appeal.
notify-clinic-offer-expired-subject = Offer expired: ((service)), ((when))
notify-clinic-offer-expired-body =
    Dear ((name)),
    
    We held a place for you but did not hear from you in time, so it has gone to the next person.
    Service: ((service))
    Clinic: ((clinic))
    Time: ((when))
    
    ((then))
clinic-offer-expired-waiting = You are still on the waiting list.
clinic-offer-expired-removed = You have left several offers unanswered, so you are no longer on the waiting list. You can join it again at any time.
