//! The pure steps of intake.
