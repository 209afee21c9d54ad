//! Areas. Each area (clinics, protection, …) is one crate exposing an `Area`; the composition
//! root in `crates/phos` collects them. The kernel is an area too. (The state every handler and
//! job gets, `AppState`, is the crate root's: see `lib.rs`.)

use crate::db::migrate::Migration;
use crate::jobs::Registry;
use crate::web::routes::Routes;

/// Who a home-page service is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Public,
    Staff,
    Partner,
}

/// A service shown on a home page: public and partner cards on the public home, staff cards on
/// the staff home (`/staff`), where each staff member sees a card only if the access declared
/// for the route its link leads to allows them (the same declaration the guard enforces). Only
/// services that work are listed. Areas declare their cards in a `cards()` next to `routes()`.
#[derive(Clone, Debug)]
pub struct HomeCard {
    pub audience: Audience,
    pub title_key: &'static str,
    pub description_key: &'static str,
    pub href: &'static str,
}

impl HomeCard {
    pub const fn public(title_key: &'static str, description_key: &'static str, href: &'static str) -> HomeCard {
        HomeCard { audience: Audience::Public, title_key, description_key, href }
    }

    /// A staff card: `href` must be a declared route (a test checks), whose access decides who
    /// sees the card.
    pub const fn staff(title_key: &'static str, description_key: &'static str, href: &'static str) -> HomeCard {
        HomeCard { audience: Audience::Staff, title_key, description_key, href }
    }

    pub const fn partner(title_key: &'static str, description_key: &'static str, href: &'static str) -> HomeCard {
        HomeCard { audience: Audience::Partner, title_key, description_key, href }
    }
}

/// One vertical slice of PHOS.
pub struct Area {
    pub name: &'static str,
    pub migrations: Vec<Migration>,
    pub routes: fn() -> Routes,
    pub jobs: fn(&mut Registry),
    pub home: Vec<HomeCard>,
    /// The area's Fluent catalogue (the kernel's own is built in).
    pub catalogue: Option<&'static fluent_templates::StaticLoader>,
    /// The workflow processes the area ships (see [`crate::process`]); their service tasks
    /// that are not the engine's own become jobs the area handles.
    pub processes: &'static [crate::process::Process],
}

/// Registers every area's external service tasks with [`crate::process`].
pub fn register_processes(areas: &[Area]) {
    for a in areas {
        for p in a.processes {
            crate::process::register_services(
                crate::process::services_in(p.bpmn).into_iter().filter(|s| !s.starts_with("workflow.")),
            );
        }
    }
}

/// Every area's migrations, in area order then version order.
pub fn all_migrations(areas: &[Area]) -> Vec<Migration> {
    areas
        .iter()
        .flat_map(|a| {
            let mut m = a.migrations.clone();
            m.sort_by_key(|m| m.version);
            m
        })
        .collect()
}

/// The kernel's own area: platform tables, the public calendar and service-point directory,
/// the outbox, and the jobs that deliver notifications and prune old jobs.
pub fn kernel() -> Area {
    Area {
        name: "kernel",
        migrations: vec![
            crate::migration!("kernel", 1, "0001_platform.sql"),
            crate::migration!("kernel", 2, "0002_directory.sql"),
            crate::migration!("kernel", 3, "0003_identity.sql"),
            crate::migration!("kernel", 4, "0004_outbox_dispatch.sql"),
            crate::migration!("kernel", 5, "0005_staff_admin.sql"),
        ],
        routes: crate::routes,
        jobs: |r| {
            crate::notify::register(r);
            r.handle(crate::PRUNE_JOB, crate::prune);
            r.every("kernel.prune-daily", "0 30 3 * * *", crate::PRUNE_JOB, serde_json::json!({}));
        },
        home: crate::cards(),
        catalogue: None,
        processes: &[],
    }
}
