## The public register (helper "risk")

reg-register-card = Register of licensed premises
reg-register-card-lead = Search pharmacies, medicine traders and private healthcare facilities, with their licences and published inspection outcomes

reg-register-title = Register of licensed premises
reg-register-intro = Search licensed pharmacies, medicine traders, Chinese medicine traders and private healthcare facilities by name, district, licence type or status.
reg-register-search = Search
reg-register-q = Name or licence number
reg-register-q-hint = In English or Chinese, or part of it, for example “Wing On” or “永安”.
reg-register-district = District
reg-register-type = Licence type
reg-register-status = Licence status
reg-register-any = Any
reg-register-results = { $count ->
    [one] 1 licence found
   *[other] { $count } licences found
}
reg-register-download = Download these results:
reg-register-csv = CSV
reg-register-json = JSON (open API)
reg-register-none = No licences match. Try fewer words or another district.
reg-register-premises = Premises
reg-register-number = Licence number
reg-register-expires = Expires
reg-register-address = Address
reg-register-outcome = Latest inspection outcome
reg-register-no-outcome = None published
reg-register-publishing = An inspection outcome is published 14 days after the inspection, once the time to appeal has passed. Individuals who hold a licence are not named, and responsible persons are never named.
reg-register-licences = Licences
reg-register-holder = Licence holder
reg-register-holder-individual = An individual (not named)
reg-register-inspections = Published inspection outcomes
reg-register-status-active = Active
reg-register-status-suspended = Suspended
reg-register-status-revoked = Revoked
reg-register-status-surrendered = Surrendered
reg-register-status-lapsed = Lapsed
reg-register-outcome-compliant = Compliant
reg-register-outcome-advice = Advice given
reg-register-outcome-warning = Warning issued
reg-register-outcome-prosecution = Referred for prosecution

field-error-reg_register_q_too_long = Enter at most { $max } characters
field-error-reg_register_unknown_district = “{ $value }” is not a district code
field-error-reg_register_unknown_type = “{ $value }” is not a licence type
field-error-reg_register_unknown_status = “{ $value }” is not a licence status: use active, suspended, revoked, surrendered or lapsed
field-error-reg_register_whole_number = Enter a whole number from 1 to { $max }
