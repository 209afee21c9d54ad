//! The catalogue of audit-log action codes and their readable names (EN and zh-Hant, keys
//! `audit-action-<code with dots as hyphens>`). A code not in the catalogue is shown as itself.

use crate::i18n::Locale;

/// Every action code the application records.
pub const CODES: &[&str] = &[
    "access.denied",
    "assignment.create",
    "assignment.end",
    "audit.export",
    "audit.search",
    "ballot.create",
    "ballot.draw",
    "ballot.register",
    "booking.attendance",
    "booking.cancel",
    "booking.cancel_closure",
    "booking.confirm",
    "booking.create",
    "booking.list",
    "booking.no_show_excused",
    "booking.reschedule",
    "booking.view",
    "case.cluster",
    "case.investigation",
    "case.lab_result",
    "case.list",
    "case.reclassify",
    "case.view",
    "citizen.dependant_add",
    "citizen.login",
    "citizen.logout",
    "citizen.profile_update",
    "citizen.profile_view",
    "citizen.register",
    "citizen.register_counter",
    "clinic.day_list",
    "closure.declare",
    "closure.lift",
    "cluster.create",
    "cluster.link",
    "cluster.status",
    "cluster.unlink",
    "cluster.view",
    "contact.create",
    "contact.follow_up",
    "contact.outcome",
    "contact.view",
    "counter.person",
    "disease.create",
    "disease.update",
    "fhir.appointment.read",
    "fhir.appointment.search",
    "fridge.alarm.acknowledge",
    "fridge.alarm.end",
    "fridge.alarm.escalate",
    "fridge.alarm.open",
    "fridge.register",
    "noshow.view",
    "notification.batch",
    "notification.create",
    "open_data.threshold",
    "outbox.body_view",
    "outbox.view",
    "partner.call",
    "partner.register",
    "partner.token",
    "protection.duty_officer",
    "protection.signals",
    "queue.call",
    "queue.issue",
    "queue.leave",
    "queue.room.add",
    "queue.update",
    "regulatory.application.answer",
    "regulatory.application.assessment",
    "regulatory.application.decision",
    "regulatory.application.granted",
    "regulatory.application.info_requested",
    "regulatory.application.inspection",
    "regulatory.application.read",
    "regulatory.application.refused",
    "regulatory.application.save",
    "regulatory.application.screening",
    "regulatory.application.start",
    "regulatory.application.submit",
    "regulatory.application.upload",
    "regulatory.certificate.view",
    "regulatory.certificate_key.create",
    "regulatory.certificate_key.remove",
    "regulatory.certificate_key.rotate",
    "regulatory.complaint.inspect",
    "regulatory.complaint.link",
    "regulatory.complaint.match",
    "regulatory.complaint.reject",
    "regulatory.complaint.submit",
    "regulatory.complaint.triage",
    "regulatory.complaint.unlink",
    "regulatory.document.read",
    "regulatory.inspection.record",
    "regulatory.licence.lapse",
    "regulatory.licence.propose-revoke",
    "regulatory.licence.reinstate",
    "regulatory.licence.reject-revoke",
    "regulatory.licence.renew",
    "regulatory.licence.revoke",
    "regulatory.licence.surrender",
    "regulatory.licence.suspend",
    "regulatory.plan.day",
    "regulatory.risk.due",
    "regulatory.risk.recompute",
    "regulatory.risk.weights",
    "session.create",
    "signal.triage",
    "signals.duty_officer",
    "signals.history_import",
    "signals.run",
    "slot.capacity",
    "staff.create",
    "staff.disable",
    "staff.enable",
    "staff.invite",
    "staff.lockout",
    "staff.login",
    "staff.login_failed",
    "staff.logout",
    "staff.mfa_enrol",
    "staff.mfa_failed",
    "staff.mfa_ok",
    "staff.mfa_recovery",
    "staff.mfa_replay",
    "staff.mfa_reset",
    "staff.password_set",
    "staff.roles",
    "staff.scopes",
    "vaccine_lot.add",
    "vaccine_lot.status",
    "waitlist.accept",
    "waitlist.decline",
    "waitlist.expire",
    "waitlist.join",
    "waitlist.list",
    "waitlist.offer",
    "waitlist.staff_list",
    "workflow.definition.deploy",
    "workflow.instance.cancel",
    "workflow.instance.message",
    "workflow.instance.start",
    "workflow.log.export",
    "workflow.task.claim",
    "workflow.task.complete",
    "workflow.task.release",
];

/// The i18n key of an action's name.
pub fn key(code: &str) -> String {
    format!("audit-action-{}", code.replace('.', "-"))
}

/// The readable name of an action, or the code itself when it has none.
pub fn label(locale: Locale, code: &str) -> String {
    let k = key(code);
    let text = locale.t(&k);
    if text == k { code.to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_name_in_both_languages() {
        // The FHIR read is named in the clinics' catalogue, not loaded in the kernel's tests.
        for code in CODES.iter().filter(|c| **c != "fhir.appointment.read") {
            for locale in [Locale::En, Locale::ZhHant] {
                assert_ne!(label(locale, code), *code, "{code} in {locale:?}");
            }
        }
        assert_eq!(label(Locale::En, "staff.login"), "Staff signed in");
        assert_eq!(label(Locale::ZhHant, "staff.login"), "職員登入");
        assert_eq!(label(Locale::En, "no.such_action"), "no.such_action");
    }
}
