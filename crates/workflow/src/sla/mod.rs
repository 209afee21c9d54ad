//! SLA clocks: deadlines in business days or hours on the Hong Kong calendar (weekends,
//! general holidays, declared closures), paused while the clock waits (for the applicant, say),
//! with milestones at 50, 75 and 100 % and escalation to a role through the outbox.
//!
//! The clocks are declared per definition (`<phos:sla>`, see [`crate::definitions::sla`]);
//! [`rules`] holds the pure arithmetic and bookkeeping, [`service`] follows instances, records
//! milestones and shifts deadlines when closures are declared, [`api`] serves the worklist
//! reads and breach trends.

pub mod api;
pub mod rules;
pub mod service;
pub mod store;
