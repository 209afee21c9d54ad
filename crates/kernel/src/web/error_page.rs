//! The friendly bilingual page people see instead of an error response.

use askama::Template;

use super::page::PageCtx;
use crate::i18n::Locale;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: PageCtx,
    pub status: u16,
    pub code: String,
    pub request_id: Option<String>,
}

impl ErrorPage {
    pub fn new(locale: Locale, status: u16, code: &str, request_id: Option<String>) -> Self {
        ErrorPage { page: PageCtx::new(locale, "/"), status, code: code.into(), request_id }
    }

    pub fn title(&self) -> String {
        self.page.t(&format!("error-{}-title", self.code))
    }

    pub fn advice(&self) -> String {
        let key = format!("error-{}-advice", self.code);
        let s = self.page.t(&key);
        if s == key { self.page.t("error-generic-advice") } else { s }
    }
}
