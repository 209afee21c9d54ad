//! The form extractor every page uses: `application/x-www-form-urlencoded` bodies whose
//! decoded text must be valid UTF-8 (axum's own `Form` would silently replace bad bytes).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::AppError;

pub struct Form<T>(pub T);

/// Whether every percent-decoded key and value of a urlencoded body is UTF-8.
pub fn decodes_as_utf8(body: &[u8]) -> bool {
    body.split(|b| *b == b'&').all(|pair| {
        let mut out = Vec::with_capacity(pair.len());
        let mut i = 0;
        while i < pair.len() {
            match pair[i] {
                b'%' if i + 2 < pair.len() => {
                    let hex = std::str::from_utf8(&pair[i + 1..i + 3]).ok();
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(b) => {
                            out.push(b);
                            i += 3;
                        }
                        None => {
                            out.push(b'%');
                            i += 1;
                        }
                    }
                }
                b'=' => {
                    if std::str::from_utf8(&out).is_err() {
                        return false;
                    }
                    out.clear();
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        std::str::from_utf8(&out).is_ok()
    })
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

#[cfg(test)]
mod tests {
    use super::decodes_as_utf8;

    #[test]
    fn utf8_checks() {
        assert!(decodes_as_utf8(b"name=Chan+Tai+Man&district=KT"));
        assert!(decodes_as_utf8("name=%E9%99%B3%E5%A4%A7%E6%96%87".as_bytes()));
        assert!(decodes_as_utf8(b"a=100%25&b=%"));
        assert!(!decodes_as_utf8(b"name=%FF%FE"));
        assert!(!decodes_as_utf8(b"name=\xff"));
        assert!(!decodes_as_utf8(b"%C3=x"));
    }
}
