//! Cookies: the one parser of the `Cookie` header, and the one writer of `Set-Cookie` values.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// The value of cookie `name` in the request headers (the first non-empty one).
pub fn value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().find_map(|v| value_in(v.to_str().ok()?, name).map(str::to_string))
}

/// The value of cookie `name` in one `Cookie` header's text (`a=1; b=2`).
pub fn value_in<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then_some(v)
    })
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS; `max_age` of 0
/// deletes the cookie, `None` makes it last for the browser session.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, tls: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if tls {
        c.push_str("; Secure");
    }
    c
}

/// Adds a `Set-Cookie` header to a response.
pub fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; phos_session=abc; b=2"));
        h.append(header::COOKIE, HeaderValue::from_static("phos_csrf=xyz"));
        assert_eq!(value(&h, "phos_session").as_deref(), Some("abc"));
        assert_eq!(value(&h, "phos_csrf").as_deref(), Some("xyz"));
        assert_eq!(value(&h, "phos"), None);
        assert_eq!(value_in("x=; x=2", "x"), Some("2"), "an empty value is skipped");
        assert_eq!(value_in("xa=1", "x"), None);
    }

    #[test]
    fn set_cookie_attributes() {
        assert_eq!(set_cookie("s", "v", None, false), "s=v; Path=/; HttpOnly; SameSite=Lax");
        assert_eq!(set_cookie("s", "", Some(0), true), "s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
    }
}

/// The CSRF token for forms on this request's page.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The session cookie value of this request, if it is signed in (for sign-out).
#[derive(Clone, Debug)]
pub struct SessionToken(pub String);
