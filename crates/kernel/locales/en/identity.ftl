nav-account = Account
nav-my-account = My account
nav-sign-in = Sign in
nav-sign-out = Sign out
nav-staff-home = Staff home
nav-staff-sign-in = Staff sign-in

field-email = Email address
field-password = Password
field-new-password = New password
field-confirm-password = Type the new password again
field-name = Name

field-error-required = Enter this information
field-error-too_long = { $max ->
    [one] This is too long: at most 1 character
   *[other] This is too long: at most { $max } characters
}
field-error-bad_credentials = The email address or password is not right
field-error-locked = Too many wrong attempts. This account is locked until { $until }
field-error-too_many_attempts = Too many sign-in attempts from your network. Wait a minute and try again
field-error-account_disabled = This account has been disabled. Ask an administrator
field-error-invalid_email = Enter an email address like name@example.com
field-error-email_taken = There is already an account with this email address
field-error-choose_role = Choose at least one role
field-error-choose_scope = Choose at least one scope
field-error-invalid_choice = Choose one of the options
field-error-password_too_short = { $min ->
    [one] The password must be at least 1 character long
   *[other] The password must be at least { $min } characters long
}
field-error-password_too_long = The password must be at most 128 characters long
field-error-password_common = This password is too common. Choose a less predictable one, such as a few unrelated words
field-error-password_too_simple = This password repeats too few characters. Choose a less predictable one
field-error-password_contains_email = The password must not contain your email address
field-error-passwords_differ = The two passwords are not the same
field-error-invalid_contact = Enter an email address, or a Hong Kong mobile number like 9123 4567
field-error-too_many_codes = Too many codes were sent. Wait an hour and try again
field-error-code_format = Enter the 6-digit code
field-error-code_wrong = { $left ->
    [one] The code is not right. You have 1 try left
   *[other] The code is not right. You have { $left } tries left
}
field-error-code_expired = This code has expired. Ask for a new code
field-error-code_used = This code has already been used. Ask for a new code
field-error-code_attempts = Too many wrong codes. Ask for a new code
field-error-name_required = Enter your name in English or in Chinese
field-error-no_email_on_file = We have no email address for you. Choose SMS
field-error-no_phone_on_file = We have no mobile number for you. Choose email
field-error-hkid_format = Enter an HKID number like A123456(3)
field-error-hkid_check_digit = This HKID number is not valid. Check the number, including the digit in brackets
field-error-hkid_taken = This HKID number is already registered to another account. Call us if this is wrong
field-error-invalid_birth_date = Enter a real date of birth, like 2015-06-30
field-error-consent_required = Confirm that you have the right to act for this person

error-csrf_failed-title = Your form has expired
error-csrf_failed-advice = For your security, forms expire. Go back, reload the page and try again.
error-invalid_token-title = The access token is not valid or has expired
error-insufficient_scope-title = The access token does not allow this
error-invalid_client-title = Client authentication failed
error-invalid_request-title = The request is missing or has a wrong parameter
error-invalid_scope-title = A requested scope was not granted
error-unauthorized_client-title = This client is not approved
error-unsupported_grant_type-title = This grant type is not supported
error-cannot_remove_own_admin-title = You cannot remove your own administrator role
error-cannot_disable_self-title = You cannot disable your own account

role-admin = Administrator
role-auditor = Auditor
role-clinic_staff = Clinic staff
role-clinic_manager = Clinic manager
role-epidemiologist = Epidemiologist
role-inspector = Inspector
role-licensing_officer = Licensing officer
role-service_agent = Service agent
role-comms_officer = Communications officer
role-data_steward = Data steward
role-reporter = Registered medical practitioner / laboratory reporter
role-lead_epidemiologist = Lead epidemiologist
role-team_lead = Team lead
role-licensing_manager = Licensing manager

staff-login-title = Staff sign-in
staff-login-button = Sign in
staff-login-help = After 5 wrong passwords in a row the account is locked for 15 minutes.
staff-home-title = Staff home
staff-home-roles = Your roles:
staff-users-title = Staff accounts
staff-users-desc = Invite staff, change roles, disable accounts.
staff-status = Status
staff-roles = Roles
staff-actions = Actions
staff-status-invited = Invited
staff-status-active = Active
staff-status-disabled = Disabled
staff-save-roles = Save roles
staff-disable = Disable
staff-enable = Enable
staff-invite-title = Invite a member of staff
staff-invite-button = Send invitation
staff-notice-invited = Invitation sent.
staff-notice-roles-saved = Roles saved.
staff-notice-disabled = Account disabled; its sessions have ended.
staff-notice-enabled = Account enabled.
staff-set-password-title = Set your password
staff-set-password-for = Account:
staff-password-hint = { $min ->
    [one] At least 1 character. A few unrelated words work well. Common passwords are refused.
   *[other] At least { $min } characters. A few unrelated words work well. Common passwords are refused.
}
staff-set-password-button = Set password
staff-password-set = Your password is set. You can now sign in.

audit-title = Audit log
audit-desc = Who saw or changed what, with a tamper-evident hash chain.
audit-intact = { $count ->
    [one] Hash chain intact: 1 entry verified.
   *[other] Hash chain intact: { $count } entries verified.
}
audit-broken = Hash chain broken at entry
audit-person = Person (citizen id)
audit-actor = Actor id
audit-action = Action
audit-from = From
audit-to = To
audit-search = Search
audit-csv = Download these entries as CSV
audit-time = Time
audit-subject = Subject
audit-origin = Origin

partners-title = Partners and API clients
partners-desc = Approve and revoke partners' API clients.
partners-org = Organisation
partners-kind = Kind of organisation
partners-contact = Contact email
partners-client = Client name
partners-scopes = Scopes
partners-rate = Requests per minute
partners-register = Register a client
partners-register-button = Register client
partners-created = Client registered
partners-client-id = Client id
partners-client-secret = Client secret
partners-secret-once = Give the secret to the partner now: it is not stored and cannot be shown again. The client can get tokens once approved.
partners-approve = Approve
partners-revoke = Revoke
partners-kind-venture = Technology venture
partners-kind-university = University
partners-kind-ngo = NGO
partners-kind-government = Government
partners-status-pending = Pending
partners-status-approved = Approved
partners-status-revoked = Revoked
scope-sandbox-read = synthetic citizens in the sandbox
scope-sandbox-usage = the client's own API usage
scope-notifications-write = notify infectious diseases (notifications, FHIR bundles)

access-title = Access matrix
access-desc = Every route and who may use it, generated from the declarations next to the routes.
access-caption = Routes by role: ✓ allowed, · refused
access-route = Route
access-rule = Rule
access-anonymous = Anyone
access-citizen = Citizen
access-partner = Partner
access-allowed = allowed
access-denied = refused
access-you = You
access-caregiver = Your caregiver
access-staff = Department of Health staff
access-system = PHOS

signin-title = Sign in
signin-intro = We will send you a 6-digit code. There is no password to remember.
signin-contact = Email address or Hong Kong mobile number
signin-contact-hint = For example, name@example.com or 9123 4567
signin-send = Send me a code
signin-privacy = We use your contact details only to sign you in and to send you messages you asked for.
code-title = Enter your code
code-intro = We have sent a 6-digit code. It works for 10 minutes.
code-label = 6-digit code
code-button = Continue
code-resend = Send a new code

me-title = My account
me-profile = My details
me-name-en = Name in English
me-name-zh = Name in Chinese
me-language = Language for messages
me-channel = How should we contact you?
me-channel-email = Email
me-channel-sms = SMS
me-hkid = HKID number (optional)
me-hkid-hint = We store it only in a protected form and always show it masked.
me-birth-date = Date of birth
me-birth-date-hint = Day, month, year, for example 30/06/1950. Some services are for certain ages only (the Elderly Health Centre from 65); the clinic checks it against your identity document.
me-hkid-on-file = On file:
me-save = Save my details
me-saved = Your details have been saved.
me-welcome = Welcome. Please add your name so that staff can find your bookings.
me-dependants = People I act for
me-dependants-intro = You can manage services for a child or an elderly relative.
me-no-dependants = You do not act for anyone yet.
me-add-dependant = Add a person I care for
me-dependant-added = The person has been added.
me-access-log = Who has accessed my record
me-access-log-intro = Every time anyone views or changes your record, it is recorded here.
me-access-who = Who

dependant-title = Add a person you care for
dependant-intro = For example, your child or an elderly parent. You can then book and manage services for them.
dependant-birth-date = Date of birth
dependant-birth-hint = Day, month, year, for example 30/06/2015
dependant-relationship = Relationship to you
dependant-consent = Consent
dependant-consent-label = I confirm that I have the right to act for this person, and that an adult dependant has agreed.
dependant-button = Add person
dependant-consent-child = The caregiver confirmed parental responsibility for the child.
dependant-consent-parent = The caregiver confirmed that their parent agreed to be helped.
dependant-consent-spouse = The caregiver confirmed that their spouse agreed to be helped.
dependant-consent-other = The caregiver confirmed that the person agreed to be helped.
relationship-child = My child
relationship-parent = My parent
relationship-spouse = My spouse
relationship-other = Someone else I care for

audit-action-citizen-login = Signed in
audit-action-citizen-register = Account created
audit-action-citizen-logout = Signed out
audit-action-citizen-profile_view = Viewed the record
audit-action-citizen-profile_update = Changed the record
audit-action-citizen-dependant_add = Added as a dependant

notify-otp-subject = Your PHOS sign-in code: ((code))
notify-otp-body =
    Your sign-in code is ((code)). It works for ((minutes)) minutes.
    
    If you did not ask for it, you can ignore this message. Department of Health staff will never ask you for this code.
notify-staff-invite-subject = You are invited to PHOS
notify-staff-invite-body =
    Dear ((name)),
    
    You have been given a PHOS staff account. Set your password here (the link works for 7 days):
    ((link))

## Staff multi-factor sign-in (TOTP)
mfa-code-title = Enter the code from your authenticator app
mfa-code-intro = Your password was right. Now enter the 6-digit code that your authenticator app shows for PHOS, or one of your recovery codes.
mfa-enrol-title = Set up two-step sign-in
mfa-enrol-required = Your role needs two-step sign-in. Set it up now to continue.
mfa-enrol-step-app = Open an authenticator app on your phone (for example one that supports TOTP).
mfa-enrol-step-scan = Scan the QR code, or type this key into the app:
mfa-enrol-key = Key:
mfa-enrol-uri = Or open this link on the phone:
mfa-enrol-step-confirm = Enter the 6-digit code the app now shows, to confirm.
mfa-qr-label = QR code for your authenticator app
mfa-field-code = 6-digit code
mfa-field-code-or-recovery = 6-digit code or recovery code
mfa-submit = Continue
mfa-continue = I have saved my recovery codes: continue
mfa-codes-title = Save your recovery codes
mfa-codes-intro = Two-step sign-in is on. If you lose your phone, each of these codes lets you sign in once. They are shown only now: print them or keep them somewhere safe.
mfa-account-title = Two-step sign-in
mfa-account-on = Two-step sign-in is on for your account.
mfa-account-codes-left = Recovery codes left: { $count }
field-error-mfa_wrong = The code is not right. Enter the code your app shows now
field-error-mfa_replayed = This code was already used. Wait for the next code and enter it
field-error-mfa_too_many = Too many codes tried. Wait 5 minutes and try again

## Staff accounts: search, detail, scopes; the audit log's search
staff-users-search = Search by name or e-mail
staff-users-search-button = Search
staff-users-none = No staff account matches.
staff-users-back = All staff accounts
staff-created = Created
staff-own-account = This is your own account: you cannot disable it or remove your administrator role.
staff-scopes = Clinics and districts
staff-scopes-intro = Where this member of staff works. Leave everything empty for no limit.
staff-scopes-districts = Districts
staff-scopes-points = Clinic codes
staff-scopes-points-hint = Codes of service points, separated by commas, for example D01, E02
staff-scopes-save = Save clinics and districts
staff-notice-scopes-saved = Clinics and districts saved.
staff-notice-mfa-reset = Two-step sign-in has been reset; the account sets it up again at its next sign-in.
staff-mfa-on = Two-step sign-in is on.
staff-mfa-off = Two-step sign-in is not set up.
staff-mfa-required = Their role requires it.
staff-mfa-reset = Reset two-step sign-in
field-error-cannot_remove_own_admin = You cannot remove your own administrator role
field-error-cannot_disable_self = You cannot disable your own account
field-error-unknown_service_point = There is no clinic with the code { $code }
field-error-real_date = Enter a real date, like 2025-03-14 or 14/03/2025
field-error-date_before_start = The end date must be the same as or after the start date
audit-actor-search = Who (name, e-mail or id)
audit-who = Who
audit-all-actions = All actions
audit-date-hint = For example, 2025-03-14 or 14/03/2025
audit-actor-staff = Staff
audit-actor-citizen = Citizen
audit-actor-partner = Partner
audit-actor-system = System
audit-actor-anonymous = Not signed in
