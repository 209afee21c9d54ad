//! Identity: who is acting (staff, citizen, partner or nobody). Each kind of person has one
//! home here — `staff/`, `citizen/`, `partner/` — with its store, services and pages (and the
//! partners' OAuth API). What each route allows, and the guard that enforces it, live in
//! `crate::web` (`access`, `routes`, `guard`).

pub mod citizen;
pub mod partner;
pub mod password;
pub mod session;
pub mod staff;

use serde::Serialize;

/// Staff roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Auditor,
    ClinicStaff,
    ClinicManager,
    Epidemiologist,
    Inspector,
    LicensingOfficer,
    ServiceAgent,
    CommsOfficer,
    DataSteward,
    /// A registered medical practitioner or laboratory who notifies infectious diseases.
    Reporter,
    /// An epidemiologist who assigns cases and clusters to epidemiologists.
    LeadEpidemiologist,
    /// Leads a team of case officers: reassigns their workflow tasks.
    TeamLead,
    /// Manages licensing: second officer on grants and revocations, sets the risk weights.
    LicensingManager,
}

impl Role {
    pub const ALL: [Role; 14] = [
        Role::Admin,
        Role::Auditor,
        Role::ClinicStaff,
        Role::ClinicManager,
        Role::Epidemiologist,
        Role::Inspector,
        Role::LicensingOfficer,
        Role::ServiceAgent,
        Role::CommsOfficer,
        Role::DataSteward,
        Role::Reporter,
        Role::LeadEpidemiologist,
        Role::TeamLead,
        Role::LicensingManager,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::ClinicStaff => "clinic_staff",
            Role::ClinicManager => "clinic_manager",
            Role::Epidemiologist => "epidemiologist",
            Role::Inspector => "inspector",
            Role::LicensingOfficer => "licensing_officer",
            Role::ServiceAgent => "service_agent",
            Role::CommsOfficer => "comms_officer",
            Role::DataSteward => "data_steward",
            Role::Reporter => "reporter",
            Role::LeadEpidemiologist => "lead_epidemiologist",
            Role::TeamLead => "team_lead",
            Role::LicensingManager => "licensing_manager",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The i18n key of the role's name.
    pub fn label_key(self) -> String {
        format!("role-{}", self.code())
    }
}

/// Parses a comma-separated role list, e.g. `admin,auditor`.
pub fn parse_roles(list: &str) -> Option<Vec<Role>> {
    let mut roles = Vec::new();
    for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let r = Role::parse(part)?;
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    roles.sort();
    (!roles.is_empty()).then_some(roles)
}

pub fn roles_to_string(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

/// The identity of a request.
#[derive(Clone, Debug, Default)]
pub enum Identity {
    #[default]
    Anonymous,
    Staff(StaffIdentity),
    Citizen(CitizenIdentity),
    Partner(PartnerIdentity),
}

#[derive(Clone, Debug)]
pub struct StaffIdentity {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

#[derive(Clone, Debug)]
pub struct CitizenIdentity {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct PartnerIdentity {
    pub client_id: String,
    pub org_id: String,
    pub scopes: Vec<String>,
    pub rate_limit_per_minute: i64,
}

impl Identity {
    pub fn actor(&self) -> crate::audit::Actor {
        use crate::audit::Actor;
        match self {
            Identity::Anonymous => Actor::Anonymous,
            Identity::Staff(s) => Actor::Staff(s.id.clone()),
            Identity::Citizen(c) => Actor::Citizen(c.id.clone()),
            Identity::Partner(p) => Actor::Partner(p.client_id.clone()),
        }
    }

    pub fn staff(&self) -> Option<&StaffIdentity> {
        match self {
            Identity::Staff(s) => Some(s),
            _ => None,
        }
    }

    pub fn citizen(&self) -> Option<&CitizenIdentity> {
        match self {
            Identity::Citizen(c) => Some(c),
            _ => None,
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.staff().is_some_and(|s| s.roles.contains(&role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(parse_roles("auditor, admin,admin"), Some(vec![Role::Admin, Role::Auditor]));
        assert_eq!(parse_roles("admin,root"), None);
        assert_eq!(parse_roles(""), None);
    }
}
