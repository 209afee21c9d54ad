clinics-home-book = Book a clinic appointment
clinics-home-book-desc = See what each clinic offers and who can use it, then book a time for yourself or someone you care for.
clinics-home-mine = My bookings
clinics-home-mine-desc = See, cancel or show your booking references and QR codes.
clinics-home-staff = Clinics: day lists, counters and queues
clinics-home-staff-desc = Each clinic's bookings, attendance, capacity and sessions, with its counter, queue console, waiting list and fridges.
clinics-services = Services here
clinics-no-services = No bookable services at this service point yet.
clinics-eligibility = Who can use it
clinics-see-times = See times and book
clinics-before-you-book = Before you book
clinics-sign-in-to-book = Sign in to book a time
clinics-times = Available times
clinics-no-times = There are no times left in the next three weeks. Try another clinic.
clinics-time = Time
clinics-places-left = Places left
clinics-book = Book
clinics-by-ballot = Sessions by ballot
clinics-by-ballot-intro = These sessions are given out by a fair draw, not first come first served. Open one to register.
clinics-by-ballot-until = register by
clinics-check-title = Check your booking
clinics-check-change = Choose another time
clinics-check-confirm = Confirm booking
clinics-full = Full
clinics-for-whom = Book for
clinics-my-bookings = My bookings
clinics-no-bookings = You have no bookings.
clinics-find = Find a clinic
clinics-add-to-calendar = Add to my calendar (.ics)
clinics-reference = Reference
clinics-who = Who
clinics-service = Service
clinics-when = When
clinics-where = Where
clinics-status-booked = Booked
clinics-status-cancelled = Cancelled
clinics-status-attended = Attended
clinics-status-no_show = Did not attend
clinics-status-late = Late
clinics-booking = Booking
clinics-booked = Your booking is confirmed
clinics-booked-message = We have sent the details to you. Show the reference or the QR code at the counter.
clinics-qr-label = QR code of booking
clinics-qr-caption = Show this code at the clinic counter.
clinics-cancel = Cancel this booking
clinics-cancel-confirm-title = Cancel this booking?
clinics-cancel-confirm-explain = Your place will be given to someone else at once. You can book again if there is still a free time.
clinics-cancel-confirm-button = Yes, cancel the booking
clinics-cancel-keep = No, keep it
clinics-cancelled = Your booking is cancelled and the place has been freed for someone else.
clinics-staff-title = Clinics
clinics-show-day = Show day
clinics-day-list = Day list
clinics-no-slots-day = No sessions on this day.
clinics-capacity = Capacity
clinics-booked-count = Booked
clinics-pool-walkin = Kept for walk-ins
clinics-pool-elderly = Kept for people aged 65+
clinics-new-capacity = New capacity
clinics-save-capacity = Change capacity
clinics-attendance = Attendance
clinics-attendance-choose = Choose…
clinics-find-booking = Find a booking
clinics-find-booking-hint = Type the reference or scan the QR code on the booking
clinics-find-booking-button = Find
clinics-record = Record
clinics-sessions = Weekly sessions
clinics-weekday = Day of the week
clinics-valid = Valid
clinics-new-session = Add a weekly session
clinics-start = Start time
clinics-end = End time
clinics-slot-minutes = Minutes per slot
clinics-valid-from = First day
clinics-valid-to = Last day
clinics-add-session = Add session
clinics-weekday-1 = Monday
clinics-weekday-2 = Tuesday
clinics-weekday-3 = Wednesday
clinics-weekday-4 = Thursday
clinics-weekday-5 = Friday
clinics-weekday-6 = Saturday
clinics-weekday-7 = Sunday
field-error-slot_not_found = This time does not exist
error-slot_not_found-title = This time does not exist
field-error-slot_full = This time is fully booked. Choose another time
error-slot_full-title = This time is fully booked. Choose another time
field-error-slot_closed = This time is closed for booking
error-slot_closed-title = This time is closed for booking
field-error-slot_past = This time has passed
error-slot_past-title = This time has passed
field-error-too_late = This time is too soon to book. Choose a later time
error-too_late-title = This time is too soon to book. Choose a later time
field-error-already_booked = There is already an active booking for this person and service. Cancel it first or change it
error-already_booked-title = There is already an active booking for this person and service. Cancel it first or change it
field-error-not_eligible_age = This service is not for this person's age (we need a date of birth on the record)
error-not_eligible_age-title = This service is not for this person's age (we need a date of birth on the record)
field-error-too_many_reschedules = This booking cannot be changed again. Cancel it and book again
error-too_many_reschedules-title = This booking cannot be changed again. Cancel it and book again
field-error-not_yours = You cannot manage bookings for this person
error-not_yours-title = You cannot manage bookings for this person
field-error-booking_not_active = This booking is no longer active
error-booking_not_active-title = This booking is no longer active
field-error-same_slot = The booking is already at this time
error-same_slot-title = The booking is already at this time
field-error-different_service = Choose a time of the same service
error-different_service-title = Choose a time of the same service
field-error-capacity_number = Enter the capacity as a whole number from 0 to 10000
field-error-capacity_below_bookings = { $count ->
    [one] The capacity cannot go below the 1 place already booked plus the places kept in reserve
   *[other] The capacity cannot go below the { $count } places already booked plus the places kept in reserve
}
field-error-number_between = Enter a whole number from { $min } to { $max }
field-error-time_format = Enter a time like 09:30
field-error-end_after_start = The end time must be after the start time
field-error-date_range = The last day must be after the first day, within a year
field-error-pools_exceed_capacity = The reserved places cannot be more than the capacity
notify-clinic-booked-subject = Booking confirmed: ((service)), ((when)) [((reference))]
notify-clinic-booked-body =
    Dear ((name)),
    
    Your booking is confirmed.
    Service: ((service))
    Clinic: ((clinic))
    Time: ((when))
    Reference: ((reference))
    
    To see, cancel or change it: ((link))
notify-clinic-closure-rebooked-subject = ((service)) moved because of ((reason))
notify-clinic-closure-rebooked-body =
    Your booking for ((service)) on ((old)) is cancelled because of the ((reason)).
    
    We have kept you a place first, before anyone else: ((new)), reference ((reference)).
    To keep it, do nothing. To see or cancel it: ((link))
    To choose another time: ((change))
notify-clinic-closure-cancelled-subject = ((service)) cancelled because of ((reason))
notify-clinic-closure-cancelled-body =
    Your booking for ((service)) on ((old)) is cancelled because of the ((reason)).
    
    There is no suitable time free yet. Please choose another time: ((link))
answer-title = Your appointment
answer-confirm-button = Yes, I will come
answer-cancel-button = No, cancel my appointment
answer-cancel-explain = Cancelling frees your place at once for someone else.
answer-confirmed = Thank you. Your attendance is confirmed.
answer-cancelled = Your appointment is cancelled and the place has been given back.
field-error-link_forged = This link is not valid. Use the link in your message, or sign in to manage your booking
field-error-link_expired = This link has expired because the appointment time has passed
notify-clinic-reminder-24h-subject = Reminder: ((service)) ((day)), ((when))
notify-clinic-reminder-24h-body =
    Your appointment: ((service)) at ((clinic)), ((when)). Reference ((reference)).
    
    Will you come? Yes: ((yes))
    If you cannot come, please cancel so that someone else can have the place: ((no))
notify-clinic-reminder-2h-subject = Reminder: ((service)) at ((when))
notify-clinic-reminder-2h-body =
    Your appointment: ((service)) at ((clinic)), ((when)). Reference ((reference)).
    Cannot come? Cancel here: ((no))
counter-title = Counter booking
counter-find = Find the person
counter-hkid = HKID number
counter-hkid-hint = As on the identity card, e.g. A123456(3). Used only to find the person; stored masked.
counter-find-button = Find
counter-not-found = No one is registered with this HKID number. Register the person to book for them.
counter-register = Register the person
counter-name-en = Name in English
counter-name-zh = Name in Chinese
counter-birth-date = Date of birth
counter-sex = Sex
counter-sex-f = Female
counter-sex-m = Male
counter-phone = Hong Kong mobile number (optional, for reminders)
counter-register-button = Register
counter-show-times = Show times
counter-next-person = Serve the next person
field-error-birth_date = Enter the date of birth, not in the future
field-error-hk_mobile = Enter a Hong Kong mobile number of 8 digits, like 9123 4567
change-title = Change the time
change-current = Current time
change-left = Changes left: { $count }
change-none-left = This booking cannot be changed again. Cancel it and book a new time instead.
change-move = Move to this time
change-done = Your booking has moved to the new time.
clinics-change = Change the time

field-error-attendance_choose = Choose attended, late or no-show for { $reference }
field-error-no_show_before_time = { $reference } cannot be a no-show before the appointment time
field-error-booking_not_found = No booking has the reference { $value }
notify-clinic-cancelled-subject = Booking cancelled: ((service)), ((when)) [((reference))]
notify-clinic-cancelled-body =
    Dear ((name)),
    
    Your booking is cancelled and the place has been given back.
    Service: ((service))
    Clinic: ((clinic))
    Time: ((when))
    Reference: ((reference))
    
    If you did not ask for this, or to book again: ((link))
notify-clinic-changed-subject = Booking changed: ((service)), now ((when)) [((reference))]
notify-clinic-changed-body =
    Dear ((name)),
    
    Your booking has moved to a new time.
    Service: ((service))
    Clinic: ((clinic))
    New time: ((when))
    Previous time: ((old))
    Reference: ((reference))
    
    To see, cancel or change it: ((link))
