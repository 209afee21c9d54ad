//! Inspection planning: each inspector's day plan (to be built).
