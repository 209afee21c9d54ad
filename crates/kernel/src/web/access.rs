//! Who may use a route: every route is declared with its `Access` in the area's `routes()` (one
//! place to read who may do what). A route without a declaration refuses everyone.

use std::collections::BTreeMap;

use crate::identity::{CitizenIdentity, Identity, PartnerIdentity, Role, StaffIdentity, roles_to_string};

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

impl Access {
    /// Who may use the route, in `locale`'s words (for the access-matrix page; `describe` is
    /// the English of the generated Markdown).
    pub fn label(&self, locale: crate::i18n::Locale) -> String {
        match self {
            Access::Public => locale.t("access-rule-public"),
            Access::Citizen => locale.t("access-rule-citizen"),
            Access::Staff([]) => locale.t("access-rule-any-staff"),
            Access::Staff(roles) => {
                let sep = if locale == crate::i18n::Locale::ZhHant { "、" } else { ", " };
                roles.iter().map(|r| locale.t(&r.label_key())).collect::<Vec<_>>().join(sep)
            }
            Access::Partner(scope) => locale.t_args("access-rule-partner", &[("scope", *scope)]),
            Access::Device => locale.t("access-rule-device"),
        }
    }
}

impl Identity {
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

    /// Whether `identity` may open the local link `href` (its path; a query or fragment is
    /// ignored): the access declared for that route. An undeclared path allows no one.
    pub fn allows_link(&self, identity: &Identity, href: &str) -> bool {
        let path = href.split(['?', '#']).next().unwrap_or(href);
        self.0.get(path).is_some_and(|a| identity.allows(*a))
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

    #[test]
    fn links_are_allowed_by_their_route() {
        let table = AccessTable::from_rules(&[
            Rule { path: "/staff/users".into(), access: Access::Staff(&[Role::Admin]) },
            Rule { path: "/staff".into(), access: Access::Staff(&[]) },
        ]);
        let admin = sample_staff(Role::Admin);
        let epi = sample_staff(Role::Epidemiologist);
        assert!(table.allows_link(&admin, "/staff/users?page=2"));
        assert!(!table.allows_link(&epi, "/staff/users"));
        assert!(table.allows_link(&epi, "/staff#tools"));
        assert!(!table.allows_link(&admin, "/staff/undeclared"));
        assert!(!table.allows_link(&sample_citizen(), "/staff"));
    }
}
