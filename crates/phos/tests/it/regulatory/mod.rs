//! The regulatory area over HTTP.

mod certificates;
