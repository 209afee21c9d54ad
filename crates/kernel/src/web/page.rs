//! What every page template gets: the locale, texts, the language switch and the layout.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Html;

use super::cookie::CsrfToken;
use super::error::AppResult;
use super::url::percent_encode;
use crate::i18n::Locale;
use crate::identity::Identity;

/// The per-request context of a page.
#[derive(Clone, Debug)]
pub struct PageCtx {
    pub locale: Locale,
    /// Path and query of this page, to come back to after switching language.
    pub here: String,
    /// Who is signed in.
    pub identity: Identity,
    /// The token every form on the page carries in its hidden `csrf` field.
    pub csrf: String,
}

impl PageCtx {
    pub fn new(locale: Locale, here: &str) -> Self {
        PageCtx { locale, here: here.to_string(), identity: Identity::Anonymous, csrf: String::new() }
    }

    /// The signed-in staff member's name, if any.
    pub fn staff_name(&self) -> Option<&str> {
        self.identity.staff().map(|s| s.display_name.as_str())
    }

    /// The signed-in citizen's name, if any.
    pub fn citizen_name(&self) -> Option<&str> {
        self.identity.citizen().map(|c| c.name.as_str())
    }

    pub fn has_role(&self, role: &str) -> bool {
        crate::identity::Role::parse(role).is_some_and(|r| self.identity.has_role(r))
    }

    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    /// The text for `key` with one argument: a text, or a number (pass counts as numbers, so that
    /// the plural selector chooses: `page.t1("sp-results", "count", points.len())`).
    pub fn t1(&self, key: &str, name: &'static str, value: impl Into<crate::i18n::Arg>) -> String {
        self.locale.t_args(key, &[(name, value.into())])
    }

    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }

    pub fn other_lang(&self) -> &'static str {
        self.locale.other().tag()
    }

    pub fn other_name(&self) -> &'static str {
        self.locale.other().endonym()
    }

    pub fn is_zh(&self) -> bool {
        self.locale == Locale::ZhHant
    }

    /// These field errors, with this page's language (see [`super::form::FieldErrors`]).
    pub fn errors(&self, errors: Vec<super::FieldError>) -> super::form::FieldErrors {
        super::form::FieldErrors::new(self.locale, errors)
    }

    /// The link that switches language and comes back here.
    pub fn switch_href(&self) -> String {
        format!("/lang/{}?back={}", self.other_lang(), percent_encode(&self.here))
    }

    /// A field error's message in the page's language.
    pub fn field_message(&self, e: &super::FieldError) -> String {
        e.text(self.locale).to_string()
    }

    /// Picks the English or Chinese variant of a bilingual field.
    pub fn pick<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        if self.is_zh() { zh } else { en }
    }

    /// A date and time in Hong Kong time, e.g. `2025-09-02 11:00`.
    pub fn datetime(&self, ms: &i64) -> String {
        crate::hk::local_datetime(*ms)
    }

    /// A date with its weekday in the page's language.
    pub fn date_long(&self, d: &chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let wd = d.weekday().num_days_from_monday() as usize;
        if self.is_zh() {
            const W: [&str; 7] = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];
            format!("{}年{}月{}日（{}）", d.year(), d.month(), d.day(), W[wd])
        } else {
            d.format("%A %-d %B %Y").to_string()
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let here = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let mut page = PageCtx::new(super::locale_of(&parts.headers), here);
        page.identity = parts.extensions.get::<Identity>().cloned().unwrap_or_default();
        page.csrf = parts.extensions.get::<CsrfToken>().map(|c| c.0.clone()).unwrap_or_default();
        Ok(page)
    }
}

/// Renders a template into an HTML response.
pub fn render<T: Template>(t: &T) -> AppResult<Html<String>> {
    Ok(Html(t.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_link_comes_back() {
        let p = PageCtx::new(Locale::En, "/service-points?district=KT&kind=dental");
        assert_eq!(p.switch_href(), "/lang/zh-Hant-HK?back=/service-points%3Fdistrict%3DKT%26kind%3Ddental");
        let z = PageCtx::new(Locale::ZhHant, "/");
        assert_eq!(z.switch_href(), "/lang/en?back=/");
    }

    #[test]
    fn percent_encoding_keeps_paths_readable() {
        assert_eq!(percent_encode("/a/b-c_d.e~f"), "/a/b-c_d.e~f");
        assert_eq!(percent_encode("/x?y=1&z=陳 +"), "/x%3Fy%3D1%26z%3D%E9%99%B3%20%2B");
    }

    #[test]
    fn dates_in_both_languages() {
        let d: chrono::NaiveDate = "2025-01-29".parse().unwrap();
        assert_eq!(PageCtx::new(Locale::En, "/").date_long(&d), "Wednesday 29 January 2025");
        assert_eq!(PageCtx::new(Locale::ZhHant, "/").date_long(&d), "2025年1月29日（星期三）");
    }
}
