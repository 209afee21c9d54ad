//! What the pages and JSON handlers of every sub-domain share: labels: district, classification, sex and other coded values in the page's
//! language. Templates call them on `page` (the trait is in scope where templates are defined).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::web::error::Problem;
use kernel::web::{AppError, AppResult, FieldError, PageCtx};

pub trait Labels {
    fn district_name(&self, code: &str) -> String;
    fn class_label(&self, code: &str) -> String;
    fn sex_label(&self, code: &str) -> String;
    fn label(&self, prefix: &str, code: &str) -> String;
    fn date_or_dash(&self, d: &Option<String>) -> String;
    fn yes_no(&self, v: &Option<bool>) -> String;
    fn age_band_label(&self, band: &str) -> String;
    fn reason_text(&self, reason: &str) -> String;
    fn who(&self, actor: &str) -> String;
}

impl Labels for PageCtx {
    fn district_name(&self, code: &str) -> String {
        match kernel::hk::district(code) {
            Some(d) => d.name(self.locale).to_string(),
            None => self.t("prot-district-unknown"),
        }
    }

    fn class_label(&self, code: &str) -> String {
        self.t(&format!("prot-class-{code}"))
    }

    fn sex_label(&self, code: &str) -> String {
        self.t(&format!("prot-sex-{code}"))
    }

    /// `prot-{prefix}-{code}`, e.g. `label("setting", "school")`.
    fn label(&self, prefix: &str, code: &str) -> String {
        self.t(&format!("prot-{prefix}-{code}"))
    }

    fn date_or_dash(&self, d: &Option<String>) -> String {
        d.clone().unwrap_or_else(|| "–".into())
    }

    /// Reasons PHOS wrote itself are codes (`@opened NID-…`, `@raised NID-…`), shown in the
    /// page's language; staff's own reasons are shown as written.
    fn reason_text(&self, reason: &str) -> String {
        if let Some(r) = reason.strip_prefix("@opened ") {
            self.t1("prot-reason-opened", "ref", r)
        } else if let Some(r) = reason.strip_prefix("@raised ") {
            self.t1("prot-reason-raised", "ref", r)
        } else {
            reason.to_string()
        }
    }

    fn who(&self, actor: &str) -> String {
        if actor == "system" { self.t("prot-by-system") } else { actor.to_string() }
    }

    fn age_band_label(&self, band: &str) -> String {
        if band == "unknown" { self.t("prot-not-known") } else { band.replace('-', "–") }
    }

    fn yes_no(&self, v: &Option<bool>) -> String {
        match v {
            Some(true) => self.t("prot-yes"),
            Some(false) => self.t("prot-no"),
            None => self.t("prot-not-known"),
        }
    }
}

/// Districts for a select: (code, name), the 18 in official order then "unknown".
pub fn district_options(page: &PageCtx) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        kernel::hk::districts().iter().map(|d| (d.code.clone(), d.name(page.locale).to_string())).collect();
    v.push(("UNK".into(), page.t("prot-district-unknown")));
    v
}

/// Web-form ids for JSON field paths: `patient.hkid` → `hkid`, `fields.rash_onset` → `f_rash_onset`.
pub fn form_id(path: &str) -> String {
    if let Some(k) = path.strip_prefix("fields.") {
        format!("f_{k}")
    } else if let Some(k) = path.strip_prefix("lab.") {
        format!("lab_{k}")
    } else if let Some(k) = path.strip_prefix("patient.") {
        k.to_string()
    } else if path.starts_with("reporter.") {
        "institution".to_string()
    } else {
        path.to_string()
    }
}

/// A problem+json response with a stable code and field errors.
pub fn problem(status: StatusCode, code: &str, errors: Vec<FieldError>) -> Response {
    let mut res = status.into_response();
    res.extensions_mut().insert(Problem { code: code.into(), detail: None, errors });
    res
}

/// A JSON body, or `400 invalid_json`.
pub fn parse_json(body: &[u8]) -> AppResult<serde_json::Value> {
    serde_json::from_slice(body).map_err(|_| AppError::Malformed("invalid_json"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_ids() {
        assert_eq!(super::form_id("patient.hkid"), "hkid");
        assert_eq!(super::form_id("fields.rash_onset"), "f_rash_onset");
        assert_eq!(super::form_id("lab.result"), "lab_result");
        assert_eq!(super::form_id("onset_date"), "onset_date");
    }
}
