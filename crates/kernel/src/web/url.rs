//! Encoding text into URLs (through the `percent-encoding` crate).

/// Everything but unreserved characters (RFC 3986) and `/`.
const PATH_AND_QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

/// Percent-encodes everything but unreserved characters and `/` (for a path carried in a
/// query value, e.g. `?next=`).
pub fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, PATH_AND_QUERY_VALUE).to_string()
}
