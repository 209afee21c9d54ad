# Health protection: the overview, the line list, the case page and contacts.

## Overview and line list
prot-cases-title = Cases
prot-cases-desc = The line list: filter by disease, classification, district, onset and cluster.
prot-clusters-title = Clusters and outbreaks
prot-clusters-desc = Linked cases and their transmission chains.
prot-assignments-title = Assignments
prot-assignments-desc = Who investigates which case or cluster (need-to-know).
prot-diseases-title = Notifiable diseases
prot-diseases-desc = The catalogue: names, codes, time frames, form questions and detection settings.
prot-my-assignments = Assigned to you
prot-no-assignments = No assignments.
prot-kind-of-subject = Case or cluster
prot-since = Since
prot-recent-title = Cases by disease, last four report weeks
prot-recent-since = Report weeks from { $date }, from the weekly counts.
prot-no-cases = No cases.
prot-line-list-pseudonymised = The line list is pseudonymised: open a case assigned to you to see the person.
prot-all = All
prot-onset-from = Onset from
prot-onset-to = Onset to
prot-cluster = Cluster
prot-assigned = Assigned
prot-assigned-mine = Assigned to me
prot-assigned-none = Not assigned
prot-filter = Show cases
prot-count-cases = { $count ->
    [one] 1 case
   *[other] { $count } cases
}
prot-age-band = Age band
prot-notified = Notified
prot-yours = yours
prot-pages = Pages
prot-previous = Previous page
prot-next = Next page
prot-page-of = Page { $count }

## The case page
prot-notifications-count = { $count ->
    [one] 1 notification
   *[other] { $count } notifications
}
prot-person = The person
prot-named-because = You see this person named because the case is assigned to you. This view is recorded.
prot-pseudonymised-because = You see a pseudonymised record: the case is not assigned to you. This view is recorded.
prot-age-years = { $count ->
    [one] 1 year
   *[other] { $count } years
}
prot-assigned-to = Assigned to:
prot-assign-to-me = Assign to me
prot-assign-to = Assign to
prot-class-history = Classification history
prot-when = When
prot-from = From
prot-to = To
prot-reason = Reason
prot-by = By
prot-new-classification = New classification
prot-change-classification = Change classification
prot-investigation = Investigation
prot-hospitalised = Admitted to hospital
prot-imported = Imported (infected outside Hong Kong)
prot-outcome = Outcome
prot-notes = Notes
prot-edit-investigation = Edit the investigation
prot-save = Save
prot-lab-results = Laboratory results
prot-no-lab-results = No laboratory results yet.
prot-source = Source
prot-added-by-staff = Added by staff
prot-add-lab = Add a laboratory result
prot-notifications = Notifications
prot-notifications-intro = Every notification of this person, disease and episode is attached to this one case.
prot-channel = Channel
prot-reported-as = Reported as
prot-reporter = Reporter
prot-merge = Case
prot-opened-case = Opened this case
prot-contacts = Contacts
prot-no-contacts = No contacts recorded.
prot-contacts-named-only = Contacts are shown only to epidemiologists assigned to the case.
prot-relationship = Relationship
prot-last-exposure = Last exposure
prot-follow-up-until = Follow up until
prot-status = Status
prot-add-contact = Add a contact
prot-follow-up-rule = { $count ->
    [one] Follow-up lasts until the last exposure plus 1 day (the longest incubation period of this disease).
   *[other] Follow-up lasts until the last exposure plus { $count } days (the longest incubation period of this disease).
}
prot-cluster-of-case = Cluster of this case
prot-no-cluster = No cluster
prot-reason-opened = Opened by notification { $ref }
prot-reason-raised = Raised by notification { $ref }
prot-by-system = PHOS (automatic)
prot-saved-classification = The classification has been changed.
prot-saved-investigation = The investigation has been saved.
prot-saved-lab = The laboratory result has been added.
prot-saved-cluster = The cluster has been saved.
prot-saved-follow_up = The follow-up has been recorded.
prot-saved-outcome = The contact's status has been saved.

## Contacts
prot-contact = Contact
prot-back-to-case = Back to case
prot-follow-up-days-left = { $count ->
    [one] Follow-up continues: 1 day left.
   *[other] Follow-up continues: { $count } days left.
}
prot-follow-up-ended = The follow-up period has ended.
prot-missing-days = Days without a record:
prot-follow-ups = Daily follow-up
prot-no-follow-ups = No follow-up recorded yet.
prot-day = Day
prot-symptoms = Symptoms
prot-symptoms-question = Does the contact have symptoms?
prot-record-follow-up = Record a day's follow-up
prot-record = Record
prot-contact-outcome = Status of the contact
