# Walk-in queue (e-ticketing)
queue-service-enquiry = Registration and enquiries
queue-kiosk-title = Take a queue ticket
queue-what-for = What are you here for?
queue-waiting-count = { $count ->
    [one] 1 person waiting
   *[other] { $count } people waiting
}
queue-estimated-wait = Estimated wait:
queue-priority-question = Do you need priority?
queue-priority-hint = Priority tickets are called first. Staff may ask to see proof, such as your HKID card or maternity record.
queue-priority-urgent = Urgent (decided by staff)
queue-priority-elderly = Aged 65 or above
queue-priority-pregnant = Pregnant
queue-priority-disability = Person with a disability, or their companion
queue-priority-general = No priority needed
queue-get-ticket = Get my ticket
queue-board-title = Queue display board
queue-clinic-page = About this clinic
queue-your-number = Your number
queue-you-are-next = You are next.
queue-position = You are number { $position } in the queue.
queue-around = around { $time }
queue-eta-basis = { $count ->
    [one] Based on 1 call in the last hour.
   *[other] Based on { $count } calls in the last hour.
}
queue-eta-typical = Based on the usual time per person; it will adjust as people are called.
queue-go-to = It is your turn. Please go to { $room } now.
queue-missed = You were called but we could not find you. Please speak to the staff at the counter.
queue-done = You have been seen. Thank you.
queue-cancelled = This ticket is no longer in the queue.
queue-ticket-title = Your queue ticket
queue-check-again = Check my place again
queue-follow-phone = Follow your place on your phone
queue-follow-phone-help = Scan this code with your phone camera. The page updates by itself when the queue moves.
queue-qr-label = QR code linking to this ticket
queue-leave-confirm = Leave the queue? Your ticket will be cancelled.
queue-leave = Leave the queue
queue-left = You have left the queue.
queue-now-calling = Now calling
queue-no-calls = Nobody has been called yet today.
queue-number = Number
queue-room = Room
queue-waiting-now = Waiting now
queue-waiting = Waiting
queue-console-title = Queue console
queue-stats-title = Queue analytics
queue-my-room = My room or counter
queue-choose-room = Choose a room
queue-use-room = Use this room
queue-serving-at = Serving at { $room }
queue-calls = { $count ->
    [one] called once
   *[other] called { $count } times
}
queue-recall = Recall
queue-skip = Skip (not here)
queue-mark-done = Done
queue-transfer-to = Transfer to
queue-choose-target = Choose a service or room
queue-transfer = Transfer
queue-room-free = Nobody is at this room.
queue-call-next = Call next
queue-priority = Priority
queue-waited = Waiting for
queue-called-now = Called to a room
queue-skipped-today = Skipped today
queue-reinstate = Put back in the queue
queue-issue-counter = Issue a ticket at the counter
queue-issue = Issue ticket
queue-rooms = Rooms and counters
queue-no-rooms = No rooms yet. Add one to start calling tickets.
queue-room-name-en = Name in English
queue-room-name-zh = Name in Chinese
queue-room-services = Calls tickets for
queue-add-room = Add room
queue-stats-help = Wait is the time from taking a ticket to its first call. The 90th percentile is the wait that 9 in 10 people did not exceed.
queue-stats-today = Today, live
queue-stats-none = No tickets in this period.
queue-issued = Tickets
queue-called-count = Called
queue-average-wait = Average wait (min)
queue-p90-wait = 90th percentile wait (min)
queue-stats-by-day = { $days ->
    [one] Last day
   *[other] Last { $days } days
}
queue-issued-notice = Ticket { $number } issued.
queue-called-notice = Called { $number }.
queue-nobody-waiting = Nobody is waiting.
queue-clinic-link = Walk-in queue
queue-clinic-link-desc = Take a ticket, follow your place in the queue on your phone, or see the display board.
field-error-queue_unknown_point = This clinic was not found
field-error-queue_unknown_service = Choose a service this clinic offers
field-error-queue_choose_service = Choose what you are here for
field-error-queue_priority_not_allowed = Ask the staff at the counter for an urgent ticket
field-error-queue_closed = The clinic is closed now (a closure is in force). Tickets cannot be issued
field-error-queue_ticket_moved = This ticket has already moved on. The page now shows where it stands
field-error-queue_room_unknown = Choose one of this clinic's rooms
field-error-queue_choose_target = Choose where to transfer the ticket
field-error-queue_room_name = Enter a name of up to 60 characters in English and 30 in Chinese
field-error-queue_room_services = Choose at least one service for the room
