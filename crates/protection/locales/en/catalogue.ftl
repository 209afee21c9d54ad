# Health protection: the disease catalogue.

## Catalogue
prot-diseases-count = { $count ->
    [one] 1 disease in the catalogue.
   *[other] { $count } diseases in the catalogue.
}
prot-diseases-source = Source of the reference list
prot-add-disease = Add a disease
prot-edit-disease = Edit
prot-episode-days = Episode (days)
prot-incubation-days = Longest incubation (days)
prot-form-fields = Form questions
prot-active = In force
prot-inactive = Retired
prot-added-by-steward = added by a data steward
prot-disease-code = Code
prot-disease-code-hint = Lower-case letters, digits and underscores, e.g. disease_x. It cannot be changed later.
prot-name-en-disease = Name in English
prot-name-zh-disease = Name in Chinese
prot-icd10 = ICD-10 code
prot-icd10-other = Other ICD-10 codes (comma-separated)
prot-snomed = SNOMED CT codes (comma-separated)
prot-case-definition-en = Case definition (English)
prot-case-definition-zh = Case definition (Chinese)
prot-immediate-phone = Must also be phoned in at once
prot-episode-hint = Notifications of the same person within this many days belong to one case.
prot-incubation-hint = Contacts are followed up to their last exposure plus this many days; 0 for no daily follow-up.
prot-person-to-person = Spreads from person to person
prot-form-fields-hint = One question per line: key | text, date, yes_no or number | required or optional | English label | Chinese label
prot-field-library = Standard questions you can copy
prot-detection = Detection settings (JSON)
prot-detection-hint = For example {"{"}"methods":["ears-c2"],"threshold_min":3{"}"}. Methods: threshold, ears-c1, ears-c2, ears-c3, farrington-flexible, cusum.
prot-active-label = In force (untick to retire the disease)
