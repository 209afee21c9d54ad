//! Smart clinics: services with an eligibility statement shown before booking, recurring
//! sessions that generate slots (skipping holidays and closures), booking that never oversells
//! (one conditional update per place), reserved pools for walk-ins and people aged 65+,
//! per-service rules, confirmations in the person's language, cancel and reschedule, and the
//! staff's day list with capacity and attendance.
//!
//! One folder per sub-domain, each with the same rooms (`mod.rs` types and routes, `rules.rs`
//! pure logic, `service.rs` use cases, `store.rs` SQL, `pages.rs`/`api.rs` thin handlers):
//! `booking`, `noshow`, `ballot`, `waitlist`, `queue`, `coldchain`, `fhir` and `demo`.

/// A status or channel stored as TEXT: a Rust enum with its stored text (`as_str`, `parse`),
/// serialised as that text, decoded from a row with `#[sqlx(try_from = "String")]`, and compared
/// with a `&str` so templates can test `b.status == "booked"`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::UnknownText;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s).ok_or($crate::UnknownText { kind: stringify!($name), text: s })
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }
    };
}

/// A stored text that is not one of an enum's values.
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind}: {text:?}")]
pub struct UnknownText {
    pub kind: &'static str,
    pub text: String,
}

pub mod ballot;
pub mod booking;
pub mod coldchain;
pub mod demo;
pub mod fhir;
pub mod noshow;
pub mod queue;
pub mod waitlist;

pub use demo::seed_demo;

use kernel::Area;
use kernel::area::HomeCard;
use kernel::jobs::{JobCtx, JobError, Registry};
use kernel::web::Routes;

/// How far ahead slots are generated.
pub const HORIZON_DAYS: i64 = 28;
pub const GENERATE_JOB: &str = "clinics.generate-slots";

fluent_templates::static_loader! {
    pub static CATALOGUE = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub fn area() -> Area {
    Area {
        name: "clinics",
        migrations: vec![
            kernel::migration!("clinics", 1, "0001_clinics.sql"),
            kernel::migration!("clinics", 2, "0002_ballots.sql"),
            kernel::migration!("clinics", 3, "0003_reminders.sql"),
            kernel::migration!("clinics", 4, "0004_waitlist.sql"),
            kernel::migration!("clinics", 5, "0005_fhir.sql"),
            kernel::migration!("clinics", 6, "0006_queue.sql"),
            kernel::migration!("clinics", 7, "0007_coldchain.sql"),
        ],
        routes,
        jobs,
        home: cards(),
        catalogue: Some(&CATALOGUE),
        processes: &[],
    }
}

/// The clinics' cards on the home pages, from each sub-domain.
fn cards() -> Vec<HomeCard> {
    [booking::cards(), ballot::cards(), coldchain::cards()].concat()
}

fn routes() -> Routes {
    booking::routes()
        .merge(ballot::routes())
        .merge(waitlist::routes())
        .merge(noshow::routes())
        .merge(queue::routes())
        .merge(coldchain::routes())
        .merge(fhir::routes())
}

pub const DRAW_JOB: &str = "clinics.draw-due-ballots";
pub const CLOSURE_JOB: &str = "clinics.cancel-for-closure";

fn jobs(r: &mut Registry) {
    r.handle(GENERATE_JOB, generate);
    r.every("clinics.generate-daily", "0 15 1 * * *", GENERATE_JOB, serde_json::json!({}));
    r.handle(DRAW_JOB, draw_due);
    r.handle(CLOSURE_JOB, booking::closures::on_closure);
    r.handle(booking::reminders::REMIND_JOB, booking::reminders::send_due);
    r.every(
        "clinics.reminders-every-5-minutes",
        "0 */5 * * * *",
        booking::reminders::REMIND_JOB,
        serde_json::json!({}),
    );
    r.subscribe(kernel::hk::store::CLOSURE_DECLARED, CLOSURE_JOB);
    r.every("clinics.draw-every-minute", "0 * * * * *", DRAW_JOB, serde_json::json!({}));
    r.handle(waitlist::service::NOTIFY_JOB, waitlist::service::notify_offer);
    r.handle(waitlist::service::EXPIRE_JOB, waitlist::service::expire_due);
    r.every("clinics.expire-offers-every-minute", "30 * * * * *", waitlist::service::EXPIRE_JOB, serde_json::json!({}));
    r.handle(coldchain::service::WATCH_JOB, coldchain::service::watch);
    r.every("clinics.watch-fridges-every-minute", "15 * * * * *", coldchain::service::WATCH_JOB, serde_json::json!({}));
}

/// Draws every ballot whose registration has closed.
async fn draw_due(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let now = kernel::now_ms();
    for b in ballot::store::ballots(&ctx.state.db).await? {
        if b.status == "open" && b.closes_at <= now {
            ballot::service::draw(
                &ctx.state.db,
                &b.id,
                &kernel::audit::Actor::System,
                &kernel::audit::Origin::system(),
            )
            .await?;
            tracing::info!(ballot = %b.id, "ballot drawn");
        }
    }
    Ok(())
}

/// Creates the slots of the coming weeks (idempotent).
async fn generate(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let today = kernel::hk::today();
    let n = booking::store::generate_slots(&ctx.state.db, None, today, today + chrono::Duration::days(HORIZON_DAYS))
        .await?;
    tracing::info!(created = n, "generated clinic slots");
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::booking::{BookingChannel, BookingStatus};
    use crate::queue::{TicketChannel, TicketStatus};
    use crate::waitlist::OfferStatus;

    /// Every stored value round-trips, serialises as the stored text, and nothing else parses.
    fn round_trips<T>(all: &[T], stored: &[&str])
    where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + TryFrom<String>,
    {
        assert_eq!(all.len(), stored.len());
        for (v, text) in all.iter().zip(stored) {
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(text));
            assert_eq!(T::try_from(text.to_string()).ok(), Some(*v));
        }
        assert!(T::try_from("Booked ".to_string()).is_err());
    }

    #[test]
    fn statuses_and_channels_keep_their_stored_text() {
        // The values the migrations' CHECK constraints allow.
        round_trips(BookingStatus::ALL, &["booked", "cancelled", "attended", "no_show", "late"]);
        round_trips(BookingChannel::ALL, &["online", "counter"]);
        round_trips(TicketStatus::ALL, &["waiting", "called", "done", "skipped", "cancelled"]);
        round_trips(TicketChannel::ALL, &["kiosk", "counter"]);
        round_trips(OfferStatus::ALL, &["pending", "accepted", "declined", "expired", "withdrawn"]);
        assert_eq!(BookingStatus::NoShow.as_str(), "no_show");
        assert_eq!(BookingStatus::parse("no_show"), Some(BookingStatus::NoShow));
        assert_eq!(format!("clinics-status-{}", BookingStatus::NoShow), "clinics-status-no_show");
        assert!(BookingStatus::Booked == "booked" && BookingStatus::Booked != "cancelled");
    }

    #[test]
    fn catalogue_is_complete_in_both_languages() {
        kernel::i18n::register_catalogue(&super::CATALOGUE);
        let problems = kernel::i18n::check_catalogue(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
