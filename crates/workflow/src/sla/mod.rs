//! SLA clocks: deadlines in business days or hours on the Hong Kong calendar (weekends,
//! general holidays, declared closures), paused while the clock waits (for the applicant, say),
//! with milestones at 50, 75 and 100 %. Only the pure arithmetic ([`rules`]) exists so far.

pub mod rules;
