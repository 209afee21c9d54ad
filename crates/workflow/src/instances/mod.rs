//! Process instances: the token interpreter ([`rules`]).

pub mod rules;
