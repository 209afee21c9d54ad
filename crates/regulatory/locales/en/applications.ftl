reg-app-home-title = Licences and applications
reg-app-home-lead = Apply for a licence, follow your applications and see your licences, all with one account.
reg-app-apply = Apply for a licence
reg-app-my-applications = Your applications
reg-app-my-licences = Your licences
reg-app-none = You have no applications yet.
reg-app-no-licences = You hold no licences yet.
reg-app-reference = Case reference
reg-app-type = Licence type
reg-app-status = Status
reg-app-waiting-for = What we are waiting for
reg-app-licence-number = Licence number
reg-app-expires = Expires on
reg-app-choose-title = Which licence do you want to apply for?
reg-app-start = Start the application
reg-app-licensee = Who will hold the licence
reg-app-licensee-kind = The licence holder is
reg-app-company = A company
reg-app-individual = A person
reg-app-licensee-name-en = Name in English
reg-app-licensee-name-zh = Name in Chinese
reg-app-br-number = Business registration number (8 digits)
reg-app-premises = The premises
reg-app-premises-name-en = Premises name in English
reg-app-premises-name-zh = Premises name in Chinese
reg-app-address-en = Address in English
reg-app-address-zh = Address in Chinese
reg-app-district = District
reg-app-choose = Choose…
reg-app-start-date = When will the premises open?
reg-app-start-date-hint = Day, month and year, for example 15/01/2027
reg-app-responsible = The responsible person
reg-app-responsible-hint = The registered professional who answers for the premises. We check the register.
reg-app-responsible-name = Full name as on the register
reg-app-responsible-number = Registration number
reg-app-fee = Fee
reg-app-total = Total
reg-app-fake-payment = Payment in this demonstration goes through a fake payment provider: no money is taken.
reg-app-save = Save and come back later
reg-app-pay-submit = Check, pay { $amount } and submit
reg-app-documents = Documents
reg-app-uploaded-file = Uploaded
reg-app-upload = Upload
reg-app-progress = Where your application is
reg-app-current = now
reg-app-granted = Your application was granted: the licence is listed on your licences page.
reg-app-refused = Your application was refused. The letter we sent gives the reasons and how to appeal.
reg-app-answer = Your answer
reg-app-send-answer = Send the answer
reg-app-paid = Paid
reg-app-saved = Your answers are saved.
reg-app-submitted = Your application is submitted. We have sent you a confirmation.
reg-app-uploaded = The document is uploaded.
reg-app-answered = Thank you: your answer is with the officer.
reg-app-status-draft = Draft
reg-app-status-submitted = Submitted
reg-app-status-screening = Screening
reg-app-status-assessment = Assessment
reg-app-status-inspection = Inspection
reg-app-status-decision = Decision
reg-app-status-info_requested = Waiting for your information
reg-app-status-granted = Granted
reg-app-status-refused = Refused
reg-app-status-withdrawn = Withdrawn
reg-app-reading-not_checked = not checked (document reading is not available)
reg-app-reading-matched = name and registration number found on the certificate
reg-app-reading-not_matched = the name or registration number was not found on the certificate
reg-app-reading-unreadable = the document could not be read
reg-licence-status-active = Active
reg-licence-status-suspended = Suspended
reg-licence-status-revoked = Revoked
reg-licence-status-surrendered = Surrendered
reg-licence-status-lapsed = Lapsed
field-error-licence_type_missing = Choose a licence type
field-error-licensee_name_missing = Enter the licence holder's name in English or Chinese
field-error-br_number_missing = Enter the business registration number
field-error-br_number_invalid = The business registration number must be 8 digits
field-error-licensee_kind_missing = Choose whether the licence holder is a company or a person
field-error-premises_name_missing = Enter the premises name in English or Chinese
field-error-address_missing = Enter the premises address
field-error-district_missing = Choose the district of the premises
field-error-address_unresolved = We could not place this address in a Hong Kong district: add the area or street, for example Mong Kok or Nathan Road
field-error-address_other_district = The address is in a different district from the one chosen
field-error-start_date_missing = Enter when the premises will open
field-error-start_date_invalid = Enter the opening date as day, month and year, for example 15/01/2027
field-error-start_date_past = The opening date must be today or later
field-error-start_date_far = The opening date must be within a year
field-error-responsible_name_missing = Enter the responsible person's name
field-error-responsible_number_missing = Enter the responsible person's registration number
field-error-responsible_not_registered = This registration number is not on the register
field-error-responsible_wrong_register = This person is on a different register from the one this licence needs
field-error-responsible_not_in_good_standing = This person's registration is suspended or removed
field-error-responsible_name_differs = The name does not match the register for this registration number
field-error-responsible_elsewhere = This person is already the responsible person for other licensed premises
field-error-document_missing = Upload this document
field-error-document_missing_named = Upload this document: { $document }
field-error-certificate_mismatch = The certificate does not show the responsible person's name and registration number
field-error-answer_missing = Enter your answer
field-error-application_submitted = This application is already submitted
field-error-application_changed = The application changed meanwhile: check it and try again
field-error-payment_declined = The payment was declined: nothing was charged and the application is not submitted
field-error-no_information_requested = We are not waiting for information on this application
field-error-unknown_requirement = This document is not one the application needs
field-error-unknown_licence_type = Choose a licence type
notify-regulatory-application-received-subject = Application received: ((reference))
notify-regulatory-application-received-body =
    Dear ((name)),

    We have received your licence application ((reference)) and your payment. You can follow it at ((link)).
notify-regulatory-information-requested-subject = Information needed: ((reference))
notify-regulatory-information-requested-body =
    Dear ((name)),

    To go on with your application ((reference)) we need: ((detail))

    Please answer at ((link)). The time limit is paused until you do.
notify-regulatory-application-granted-subject = Licence granted: ((reference))
notify-regulatory-application-granted-body =
    Dear ((name)),

    Your application ((reference)) is granted: licence number ((detail)). See it at ((link)).
notify-regulatory-application-refused-subject = Application refused: ((reference))
notify-regulatory-application-refused-body =
    Dear ((name)),

    Your application ((reference)) was refused. ((detail)) You may appeal within 21 days. Details at ((link)).
reg-app-staff-title = Licence applications
reg-app-staff-lead = Applications in progress. The tasks of each stage are on the worklist:
reg-app-worklist = your worklist
reg-app-in-progress = In progress
reg-app-filter = Show
reg-app-none-staff = No applications in this status.
reg-app-submitted-on = Submitted
reg-app-checks = Checks as they stand
reg-app-checks-pass = Every completeness and consistency check passes.
reg-app-answers = Answers
reg-app-no-documents = No documents uploaded.
reg-app-document = Document
reg-app-file = File
reg-app-reading = Reading
reg-app-card-staff-lead = Applications at every stage, with their documents and checks.
