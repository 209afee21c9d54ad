//! Identity and access: who is acting (staff, citizen, partner or nobody), what each route
//! allows, and the one middleware that enforces it — with CSRF checks on every state-changing
//! request that cookies authenticate.
//!
//! Every route is declared with its `Access` in the area's `routes()` (one place to read who may
//! do what). A route without a declaration refuses everyone.

pub mod citizen;
pub mod guard;
pub mod partner;
pub mod password;
pub mod session;
pub mod staff;

use std::collections::BTreeMap;

use axum::routing::MethodRouter;
use serde::Serialize;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;

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
}

impl Role {
    pub const ALL: [Role; 12] = [
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

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// A signed-in citizen.
    Citizen,
    /// Signed-in staff holding any of these roles; an empty list means any staff member.
    Staff(&'static [Role]),
    /// A partner's bearer token carrying this scope.
    Partner(&'static str),
    /// A registered device presenting its own key, which the handler checks (e.g. a fridge
    /// sensor posting readings). No person's identity is ever enough.
    Device,
}

impl Access {
    pub fn describe(&self) -> String {
        match self {
            Access::Public => "public".into(),
            Access::Citizen => "citizen".into(),
            Access::Staff([]) => "any staff".into(),
            Access::Staff(roles) => roles_to_string(roles),
            Access::Partner(scope) => format!("partner scope {scope}"),
            Access::Device => "device key".into(),
        }
    }
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

    /// Whether this identity satisfies `access`.
    pub fn allows(&self, access: Access) -> bool {
        match (access, self) {
            (Access::Public, _) => true,
            (Access::Citizen, Identity::Citizen(_)) => true,
            (Access::Staff([]), Identity::Staff(_)) => true,
            (Access::Staff(roles), Identity::Staff(s)) => roles.iter().any(|r| s.roles.contains(r)),
            (Access::Partner(scope), Identity::Partner(p)) => p.scopes.iter().any(|s| s == scope),
            _ => false,
        }
    }
}

/// One declared route.
#[derive(Clone, Debug)]
pub struct Rule {
    pub path: String,
    pub access: Access,
}

/// An area's routes with their declared access.
pub struct Routes {
    pub router: OpenApiRouter<AppState>,
    pub rules: Vec<Rule>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Routes {
        Routes { router: OpenApiRouter::new(), rules: vec![] }
    }

    /// An API route documented with `#[utoipa::path]` (pass `routes!(handler)`); its path comes
    /// from the annotation.
    pub fn api(mut self, access: Access, r: UtoipaMethodRouter<AppState>) -> Routes {
        for path in r.1.paths.keys() {
            self.rules.push(Rule { path: path.clone(), access });
        }
        self.router = self.router.routes(r);
        self
    }

    /// A page or other route not in the OpenAPI document.
    pub fn page(mut self, path: &str, access: Access, mr: MethodRouter<AppState>) -> Routes {
        self.rules.push(Rule { path: path.to_string(), access });
        self.router = self.router.route(path, mr);
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.rules.extend(other.rules);
        self
    }
}

/// Every route's access, by path, for the guard and the access-matrix page.
#[derive(Clone, Debug, Default)]
pub struct AccessTable(pub BTreeMap<String, Access>);

impl AccessTable {
    pub fn from_rules(rules: &[Rule]) -> AccessTable {
        let mut map = BTreeMap::new();
        for r in rules {
            if let Some(prev) = map.insert(r.path.clone(), r.access)
                && prev != r.access
            {
                panic!("route {} is declared twice with different access", r.path);
            }
        }
        AccessTable(map)
    }

    /// The access matrix as Markdown: one row per route, one column per role and identity kind.
    pub fn markdown(&self) -> String {
        let mut out = String::from("| Route | Access | anonymous | citizen | partner |");
        for r in Role::ALL {
            out.push_str(&format!(" {} |", r.code()));
        }
        out.push_str("\n|---|---|---|---|---|");
        out.push_str(&"---|".repeat(Role::ALL.len()));
        out.push('\n');
        for (path, access) in &self.0 {
            let mark = |id: &Identity| if id.allows(*access) { "✓" } else { "·" };
            out.push_str(&format!(
                "| `{path}` | {} | {} | {} | {} |",
                access.describe(),
                mark(&Identity::Anonymous),
                mark(&sample_citizen()),
                mark(&sample_partner(*access)),
            ));
            for r in Role::ALL {
                out.push_str(&format!(" {} |", mark(&sample_staff(r))));
            }
            out.push('\n');
        }
        out
    }
}

/// Identities used to fill the access matrix.
pub fn sample_staff(role: Role) -> Identity {
    Identity::Staff(StaffIdentity { id: "s".into(), email: "s@x".into(), display_name: "s".into(), roles: vec![role] })
}

pub fn sample_citizen() -> Identity {
    Identity::Citizen(CitizenIdentity { id: "c".into(), name: "c".into() })
}

/// A partner holding the scope the route needs (or none, for non-partner routes).
pub fn sample_partner(access: Access) -> Identity {
    let scopes = match access {
        Access::Partner(s) => vec![s.to_string()],
        _ => vec![],
    };
    Identity::Partner(PartnerIdentity { client_id: "p".into(), org_id: "o".into(), scopes, rate_limit_per_minute: 60 })
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

    #[test]
    fn access_decisions() {
        let epi = sample_staff(Role::Epidemiologist);
        assert!(epi.allows(Access::Staff(&[])));
        assert!(epi.allows(Access::Staff(&[Role::Admin, Role::Epidemiologist])));
        assert!(!epi.allows(Access::Staff(&[Role::Admin])));
        assert!(!epi.allows(Access::Citizen));
        assert!(!Identity::Anonymous.allows(Access::Citizen));
        assert!(sample_citizen().allows(Access::Citizen));
        assert!(sample_partner(Access::Partner("sandbox:read")).allows(Access::Partner("sandbox:read")));
        assert!(!sample_partner(Access::Public).allows(Access::Partner("sandbox:read")));
        assert!(Identity::Anonymous.allows(Access::Public));
    }
}
