//! The form extractor every page uses: `application/x-www-form-urlencoded` bodies whose
//! decoded text must be valid UTF-8 (axum's own `Form` would silently replace bad bytes).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::{AppError, FieldError};
use crate::i18n::Locale;

pub struct Form<T>(pub T);

/// Whether every percent-decoded key and value of a urlencoded body is UTF-8.
pub fn decodes_as_utf8(body: &[u8]) -> bool {
    body.split(|b| *b == b'&')
        .flat_map(|pair| pair.split(|b| *b == b'='))
        .all(|part| percent_encoding::percent_decode(part).decode_utf8().is_ok())
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        if !decodes_as_utf8(&bytes) {
            return Err(AppError::Malformed("invalid_encoding").into_response());
        }
        serde_urlencoded::from_bytes(&bytes).map(Form).map_err(|e| AppError::BadRequest(e.to_string()).into_response())
    }
}

/// The values of a field that repeats in a form (`role=admin&role=auditor`).
pub fn repeated(body: &[(String, String)], name: &str) -> Vec<String> {
    body.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// The first value of a field, or empty.
pub fn single<'a>(body: &'a [(String, String)], name: &str) -> &'a str {
    body.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// A `too_long` error when `value` has more than `max` characters.
pub fn too_long(field: &str, value: &str, max: usize) -> Option<FieldError> {
    (value.chars().count() > max).then(|| FieldError::new(field, "too_long", &[("max", max.to_string())]))
}

/// A form's field errors, with the page's language: what a template asks for each field
/// (`errors.error_for("email")`) and lists in the error summary (`for e in errors`).
#[derive(Clone, Debug, Default)]
pub struct FieldErrors {
    errors: Vec<FieldError>,
    locale: Locale,
}

impl FieldErrors {
    pub fn new(locale: Locale, errors: Vec<FieldError>) -> FieldErrors {
        FieldErrors { errors, locale }
    }

    /// No errors (a form shown for the first time).
    pub fn none(locale: Locale) -> FieldErrors {
        FieldErrors::new(locale, Vec::new())
    }

    /// The first error on `field`.
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }

    /// The message of the first error on `field`, in the page's language.
    pub fn error_for(&self, field: &str) -> Option<String> {
        self.get(field).map(|e| e.text(self.locale).to_string())
    }

    /// Every message on `field`, joined (forms that check one field several ways at once).
    pub fn all_for(&self, field: &str) -> Option<String> {
        let msgs: Vec<&str> = self.errors.iter().filter(|e| e.field == field).map(|e| e.text(self.locale)).collect();
        (!msgs.is_empty()).then(|| msgs.join(" "))
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.errors.iter()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.errors
    }
}

impl<'a> IntoIterator for &'a FieldErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_checks() {
        assert!(decodes_as_utf8(b"name=Chan+Tai+Man&district=KT"));
        assert!(decodes_as_utf8("name=%E9%99%B3%E5%A4%A7%E6%96%87".as_bytes()));
        assert!(decodes_as_utf8(b"a=100%25&b=%"));
        assert!(!decodes_as_utf8(b"name=%FF%FE"));
        assert!(!decodes_as_utf8(b"name=\xff"));
        assert!(!decodes_as_utf8(b"%C3=x"));
    }

    #[test]
    fn field_errors_by_field_in_the_page_language() {
        let errs = vec![
            FieldError::new("email", "required", &[]),
            FieldError::new("name", "too_long", &[("max", "10".into())]),
            FieldError::new("email", "invalid_email", &[]),
        ];
        let en = FieldErrors::new(Locale::En, errs.clone());
        let zh = FieldErrors::new(Locale::ZhHant, errs.clone());
        assert_eq!(en.get("email").map(|e| e.code.as_str()), Some("required"), "the first error on a field");
        assert_eq!(en.error_for("email").as_deref(), Some(errs[0].message.en.as_str()));
        assert_eq!(zh.error_for("name").as_deref(), Some(errs[1].message.zh_hant.as_str()));
        assert_ne!(en.error_for("name"), zh.error_for("name"));
        assert_eq!(en.error_for("district"), None);
        let both = format!("{} {}", errs[0].message.en, errs[2].message.en);
        assert_eq!(en.all_for("email"), Some(both), "every error on a field, in order");
        assert_eq!(en.all_for("name"), en.error_for("name"));
        assert_eq!(en.all_for("district"), None);
        assert_eq!((&en).into_iter().count(), 3);
        assert!(FieldErrors::none(Locale::En).is_empty());
    }
}
