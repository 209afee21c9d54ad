//! The one check for where a page may send the browser next (`?next=`, `?back=`): only a path
//! on this site, never another origin (OWASP: Unvalidated Redirects and Forwards).

use percent_encoding::percent_decode_str;

/// `target` when it is a safe local path, else `default`.
pub fn safe_local<'a>(target: Option<&'a str>, default: &'a str) -> &'a str {
    match target {
        Some(t) if is_local_path(t) => t,
        _ => default,
    }
}

/// Whether `target` is a path on this site: it starts with one `/` (not `//`, `/\`), holds no
/// backslash, whitespace other than a plain space, or control character (browsers drop tabs and
/// newlines, so `/\t/evil.com` becomes `//evil.com`), and none of these appear once
/// percent-decoded either (up to three layers of encoding).
pub fn is_local_path(target: &str) -> bool {
    let mut text = target.to_string();
    for _ in 0..4 {
        if !plain_local(&text) {
            return false;
        }
        let decoded = percent_decode_str(&text).decode_utf8_lossy().into_owned();
        if decoded == text {
            return true;
        }
        text = decoded;
    }
    false
}

fn plain_local(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('/') else { return false };
    !rest.starts_with('/')
        && !t.contains('\\')
        && !t.chars().any(|c| c.is_control() || (c.is_whitespace() && c != ' '))
        && !rest.trim_start_matches(' ').starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::{is_local_path, safe_local};

    #[test]
    fn local_paths_pass() {
        for ok in [
            "/",
            "/staff/users",
            "/me?tab=dependants",
            "/service-points?district=KT&kind=dental",
            "/lang/en?back=%2Fme",
            "/calendar#2025",
            "/clinics/陳大文",
            "/search?q=a%20b",
        ] {
            assert!(is_local_path(ok), "{ok} should be accepted");
        }
    }

    /// The open-redirect cases from OWASP's Unvalidated Redirects and Forwards cheat sheet and
    /// its filter-evasion list, plus their encoded forms.
    #[test]
    fn open_redirects_are_refused() {
        for bad in [
            "https://evil.com",
            "http://evil.com/",
            "//evil.com",
            "///evil.com",
            "////evil.com",
            "/\\evil.com",
            "\\/evil.com",
            "\\\\evil.com",
            "/\t/evil.com",
            "/\n/evil.com",
            "/\r/evil.com",
            "/ /evil.com",
            "/%09/evil.com",
            "/%0a/evil.com",
            "/%0d/evil.com",
            "/%2F/evil.com",
            "/%2f%2fevil.com",
            "%2F%2Fevil.com",
            "/%5Cevil.com",
            "/%5cevil.com",
            "/%252F%252Fevil.com",
            "/%25252F/evil.com",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http:evil.com",
            "https:/evil.com",
            "evil.com",
            "",
            " /staff",
            "/\u{0}evil",
            "/\u{7f}evil",
            "/\u{3000}/evil.com",
        ] {
            assert!(!is_local_path(bad), "{bad:?} should be refused");
        }
    }

    #[test]
    fn falls_back_to_the_default() {
        assert_eq!(safe_local(Some("/staff/users"), "/staff"), "/staff/users");
        assert_eq!(safe_local(Some("//evil"), "/staff"), "/staff");
        assert_eq!(safe_local(Some("https://evil"), "/staff"), "/staff");
        assert_eq!(safe_local(Some("/\t/evil.com"), "/"), "/");
        assert_eq!(safe_local(None, "/me"), "/me");
    }
}
