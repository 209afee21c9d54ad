## Licence certificates and their verification (regulatory::certificates).

reg-cert-title = Licence certificate
reg-cert-pdf = Download as PDF (English)
reg-cert-check-now = Check this certificate now
reg-cert-other-language = In Chinese
reg-cert-conditions = Conditions of the licence
reg-cert-qr-label = QR code that opens the verify page for this certificate
reg-cert-qr-caption = Scan to check this certificate
reg-cert-how-to-check = How to check this certificate
reg-cert-how-to-check-text = Scan the QR code, or go to the verify page of this website and enter the code below. The check tells you whether the licence is valid, expired, suspended or revoked, or whether the certificate is forged.

reg-cert-field-number = Licence number
reg-cert-field-type = Licence type
reg-cert-field-premises = Premises
reg-cert-field-address = Address
reg-cert-field-premises-id = Premises reference
reg-cert-field-issued-on = Issued on
reg-cert-field-expires-on = Valid until
reg-cert-field-current-expires-on = Licence now valid until
reg-cert-field-status = Status
reg-cert-field-certificate-issued = Certificate made
reg-cert-field-licensee = Licensee
reg-cert-field-responsible = Responsible person

reg-cert-status-active = In force
reg-cert-status-suspended = Suspended
reg-cert-status-revoked = Revoked
reg-cert-status-surrendered = Surrendered
reg-cert-status-lapsed = Lapsed

reg-cert-verify-title = Check a licence certificate
reg-cert-verify-lead = Enter the code printed under the QR code of a licence certificate. You can also scan the QR code with your phone's camera.
reg-cert-verify-another = Check another certificate
reg-cert-verify-token = Certificate code
reg-cert-verify-hint = A long code of letters, digits, hyphens and underscores.
reg-cert-verify-button = Check certificate
reg-cert-verify-keys = Developers can check codes themselves with our public keys:
reg-cert-verify-keys-link = certificate keys (JSON)

reg-cert-title-valid = Valid certificate
reg-cert-title-expired = Expired certificate
reg-cert-title-suspended = Licence suspended
reg-cert-title-revoked = Licence no longer in force
reg-cert-title-forged = Not a genuine certificate

reg-cert-result-valid = This certificate is genuine and the licence is in force.
reg-cert-result-expired = This certificate is genuine but it has expired. Ask the licensee for a current certificate.
reg-cert-result-suspended = This certificate is genuine but the licence is suspended: the premises may not carry on the licensed business.
reg-cert-result-revoked = This certificate is genuine but the licence has been revoked or surrendered: it is no longer in force.
reg-cert-result-forged = This certificate was not issued by the Department.
reg-cert-revoked-superseded = This certificate is genuine but it has been replaced: the licence now covers other premises or another type. Ask the licensee for the current certificate.
reg-cert-forged-malformed = This code is not a certificate code. Check that you copied all of it, or scan the QR code instead.
reg-cert-forged-unknown-key = This certificate was not signed with any of the Department's keys: it is not genuine.
reg-cert-forged-bad-signature = This certificate's signature does not match its contents: it has been altered or forged.
reg-cert-forged-unknown-licence = The Department has no licence with this number: the certificate is not genuine.
reg-cert-unchecked = We could not reach the licence records just now. The certificate's signature and dates were checked, but not whether the licence has since been suspended or revoked. Try again later.

field-error-reg_cert_token_required = Enter the certificate code

