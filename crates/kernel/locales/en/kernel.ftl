site-name = Public Health Operations Suite
department-name = Department of Health (synthetic demonstration)
skip-to-content = Skip to main content
nav-language = Language
nav-footer = Site links
nav-home = Home
footer-synthetic = PHOS demonstration. All people, bookings and cases shown are synthetic; no real personal data is used.

home-title = Public health services
home-intro = Find Department of Health services, check when they are open, and use our open data.
home-for-public = For the public
home-for-partners = For partners and researchers
home-for-staff = For staff
home-card-service-points = Find a service point
home-card-service-points-desc = Dental clinics, Elderly Health Centres and Maternal and Child Health Centres by district.
home-card-calendar = Public holidays and closures
home-card-calendar-desc = General holidays and service closures for typhoons and black rainstorms.
home-card-api = Open API
home-card-api-desc = The OpenAPI 3.1 description of the PHOS JSON API.
home-card-account = My account
home-card-account-desc = Sign in with a one-time code to keep your details and manage services for the people you care for.
home-card-staff = Staff home
home-card-staff-desc = Sign in to the tools of your role: accounts, audit log, partners, outbox.
home-card-outbox = Notification outbox
home-card-outbox-desc = Messages sent by PHOS and whether each was delivered.

closure-in-force = Some services are closed now
closure-see-details = See which services are closed and until when
closure-territory-wide = All districts
closure-kind = Reason
closure-where = Where
closure-from = From
closure-until = Until
closure-until-lifted = Until further notice
closure-kind-typhoon_8 = Tropical cyclone signal No. 8 or above
closure-kind-black_rainstorm = Black rainstorm warning
closure-kind-other = Special closure

calendar-title = Public holidays and service closures
calendar-intro = Department of Health services are closed on general holidays and while a typhoon signal No. 8 or a black rainstorm warning is in force.
calendar-closures = Closures now and announced
calendar-no-closures = No closures are in force or announced.
calendar-holidays = General holidays in { $year }
calendar-choose-year = Choose a year
calendar-date = Date
calendar-holiday = Holiday
calendar-sundays = Every Sunday is also a general holiday.

sp-title = Find a service point
sp-intro = Choose a district or a kind of service to narrow the list.
sp-district = District
sp-any-district = Any district
sp-kind = Service
sp-any-kind = Any service
sp-kind-dental = Dental clinic (general public sessions)
sp-kind-ehc = Elderly Health Centre
sp-kind-mchc = Maternal and Child Health Centre
sp-kind-vaccination = Vaccination centre
sp-search = Show service points
sp-results = { $count ->
    [one] 1 service point
   *[other] { $count } service points
}
sp-none = No service points match. Try another district or service.
sp-name = Name
sp-address = Address

outbox-title = Notification outbox
outbox-intro = Messages PHOS has queued and sent, newest first. Recipients are masked.
outbox-empty = No messages yet.
outbox-created = Queued at
outbox-channel = Channel
outbox-to = To
outbox-subject = Subject
outbox-status = Status
outbox-attempts = Attempts
outbox-status-queued = Queued
outbox-status-sending = Sending
outbox-status-delivered = Delivered
outbox-status-temporary_failure = Temporary failure (will retry)
outbox-status-permanent_failure = Permanent failure

error-prefix = Error:
error-summary-title = There is a problem
error-go-home = Go to the home page
error-status = Status
error-reference = Reference
error-generic-advice = Please try again later. If the problem continues, contact us and quote the reference below.
error-not_found-title = Page not found
error-not_found-advice = If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.
error-bad_request-title = The request could not be understood
error-bad_request-advice = Check what you entered and try again.
error-validation_failed-title = Some details are not valid
error-unauthorized-title = You need to sign in
error-forbidden-title = You do not have access to this page
error-forbidden-advice = This page is only for authorised staff.
error-too_many_requests-title = Too many requests
error-too_many_requests-advice = Please wait a moment and try again.
error-service_unavailable-title = The service is not available
error-internal-title = Sorry, there is a problem with the service
error-method_not_allowed-title = This action is not allowed here
error-request_timeout-title = The request took too long
error-conflict-title = The request conflicts with the current state
error-payload_too_large-title = What you sent is too large
error-payload_too_large-advice = Send a smaller file or less text and try again.
error-invalid_encoding-title = The form could not be read
error-invalid_encoding-advice = Some characters were not valid text. Please type your answer again and resubmit.
error-unsupported_media_type-title = This type of content is not accepted

field-error-unknown_district = Choose a district from the list (got “{ $value }”)
field-error-unknown_kind = Choose a service from the list (got “{ $value }”)
field-error-year_out_of_range = The year must be between 2024 and 2027
field-error-invalid_date = Enter a real date between 2024 and 2027, like 2025-03-14
field-error-invalid_datetime = Enter a date and time like 2025-03-14T09:30:00+08:00
field-error-out_of_range = The number is out of range

notify-test-subject = PHOS test message
notify-test-body =
    Dear ((name)),
    
    This is a test message from the Public Health Operations Suite. If you received it, e-mail delivery works.
    
    ((base_url))

closures-title = Service closures
closures-intro = Declare a closure when typhoon signal No. 8 or a black rainstorm warning is issued. Bookings in the closed period are cancelled at once, each person is told in their language and given a place in the next suitable session.
closures-declare = Declare a closure
closures-until-hint = Leave empty until the signal is lowered; then lift the closure.
closures-note = Note (shown to staff)
closures-declare-button = Declare closure and cancel bookings
closures-recent = Recent closures
closures-lift = Lift (signal lowered)
field-error-invalid_datetime_local = Enter a date and time
home-card-closures = Service closures
home-card-closures-desc = Declare typhoon and black-rainstorm closures; affected bookings are cancelled and rebooked.

# Waits and durations (web::text)
wait-now = less than a minute
wait-about-minutes = { $count ->
    [one] about 1 minute
   *[other] about { $count } minutes
}
wait-under-a-day = under a day
wait-about-days = { $count ->
    [one] about 1 day
   *[other] about { $count } days
}
wait-about-weeks = { $count ->
    [one] about 1 week
   *[other] about { $count } weeks
}
wait-about-months = { $count ->
    [one] about 1 month
   *[other] about { $count } months
}
duration-hours = { $hours } h { $minutes } min
duration-minutes = { $minutes } min
duration-seconds = { $seconds } s

## Role homes (journeys)
home-staff-tools = Go to your staff tools
staff-home-tools = Your tools
access-rule-public = Anyone
access-rule-citizen = A signed-in member of the public
access-rule-any-staff = Any staff member
access-rule-partner = A partner with the scope { $scope }
access-rule-device = A registered device with its own key

## Paging long lists
pager-label = Pages
pager-showing = Showing { $from }–{ $to } of { $total }
pager-prev = Previous page
pager-next = Next page

## The outbox: search and one message
outbox-search-recipient = Recipient contains
outbox-template = Template
outbox-all = All
outbox-search = Search
outbox-read = (read the message)
outbox-message-title = Message in the outbox
outbox-message-audited = Reading a message is recorded in the audit log.
outbox-back = Back to the outbox
outbox-body = Message
day-today = today
day-tomorrow = tomorrow
day-on = on { $date }
