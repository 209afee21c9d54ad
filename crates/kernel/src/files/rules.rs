//! What a stored file may be: pure checks of size, name and content (no IO).
//!
//! The type of a file is decided by its first bytes (its "magic number"), not by its name: a
//! file named `report.pdf` that does not start with `%PDF-` is refused, and so is a PDF named
//! `photo.png`. Only the kinds in [`KINDS`] are accepted.

/// Largest file accepted by default (10 MiB).
pub const DEFAULT_MAX_BYTES: usize = crate::config::DEFAULT_FILES_MAX_BYTES;

/// Longest file name kept (characters).
pub const MAX_NAME_CHARS: usize = 200;

/// One accepted kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub media_type: &'static str,
    /// Name endings (lower case, without the dot) that this kind may carry.
    pub extensions: &'static [&'static str],
}

/// The accepted kinds: documents and photos that case work needs.
pub const KINDS: [Kind; 6] = [
    Kind { media_type: "application/pdf", extensions: &["pdf"] },
    Kind { media_type: "image/png", extensions: &["png"] },
    Kind { media_type: "image/jpeg", extensions: &["jpg", "jpeg"] },
    Kind { media_type: "image/gif", extensions: &["gif"] },
    Kind { media_type: "text/csv", extensions: &["csv"] },
    Kind { media_type: "text/plain", extensions: &["txt"] },
];

/// Why a file is refused; [`FileRefusal::code`] is the stable code shown to people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileRefusal {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than allowed")]
    TooLarge,
    #[error("the file's content is not an allowed type")]
    TypeNotAllowed,
    #[error("the file's name does not match its content")]
    NameMismatch,
    #[error("the file has no usable name")]
    BadName,
}

impl FileRefusal {
    pub fn code(self) -> &'static str {
        match self {
            FileRefusal::Empty => "file_empty",
            FileRefusal::TooLarge => "file_too_large",
            FileRefusal::TypeNotAllowed => "file_type_not_allowed",
            FileRefusal::NameMismatch => "file_name_mismatch",
            FileRefusal::BadName => "file_bad_name",
        }
    }
}

/// The media type of `bytes` from their first bytes, if it is an accepted kind. Text (CSV or
/// plain) is valid UTF-8 without NUL or other control characters than tab, CR and LF.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let plain = text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'));
    plain.then_some("text/plain")
}

/// A file name cleaned for storing and showing: the last path segment, control characters
/// removed, trimmed, at most [`MAX_NAME_CHARS`] characters.
pub fn clean_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return None;
    }
    Some(cleaned.chars().take(MAX_NAME_CHARS).collect())
}

/// Checks a file before it is stored: not empty, at most `max_bytes`, an accepted kind by
/// content, and a name whose ending belongs to that kind (a text file may be `.txt` or
/// `.csv`). Returns the cleaned name and the media type.
pub fn check(name: &str, bytes: &[u8], max_bytes: usize) -> Result<(String, &'static str), FileRefusal> {
    if bytes.is_empty() {
        return Err(FileRefusal::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(FileRefusal::TooLarge);
    }
    let name = clean_name(name).ok_or(FileRefusal::BadName)?;
    let sniffed = sniff(bytes).ok_or(FileRefusal::TypeNotAllowed)?;
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).ok_or(FileRefusal::NameMismatch)?;
    let kind = KINDS.iter().find(|k| k.extensions.contains(&ext.as_str())).ok_or(FileRefusal::TypeNotAllowed)?;
    let agrees = kind.media_type == sniffed || (sniffed == "text/plain" && kind.media_type == "text/csv");
    if !agrees {
        return Err(FileRefusal::NameMismatch);
    }
    Ok((name, kind.media_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%..."), Some("application/pdf"));
        assert_eq!(sniff(PNG), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a\x01\x00"), Some("image/gif"));
        assert_eq!(sniff("名稱,數量\r\n甲,1\n".as_bytes()), Some("text/plain"));
        // An executable, a zip, binary junk, text with NUL: refused.
        assert_eq!(sniff(b"MZ\x90\0\x03"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b"abc\0def"), None);
        assert_eq!(sniff(&[0xC3, 0x28]), None);
    }

    #[test]
    fn checks_size_name_and_content_together() {
        assert_eq!(check("scan.pdf", b"%PDF-1.4", 100), Ok(("scan.pdf".into(), "application/pdf")));
        assert_eq!(
            check("C:\\Users\\x\\Photo.JPG", &[0xFF, 0xD8, 0xFF, 0xDB], 100),
            Ok(("Photo.JPG".into(), "image/jpeg"))
        );
        assert_eq!(check("list.csv", b"a,b\n1,2\n", 100), Ok(("list.csv".into(), "text/csv")));
        assert_eq!(check("note.txt", b"hello", 100), Ok(("note.txt".into(), "text/plain")));
        assert_eq!(check("x.pdf", b"", 100), Err(FileRefusal::Empty));
        assert_eq!(check("x.pdf", b"%PDF-1.4", 7), Err(FileRefusal::TooLarge));
        assert_eq!(check("x.pdf", b"%PDF-1.4", 8).map(|r| r.1), Ok("application/pdf"));
        // The name says PDF, the content is a program: refused by content.
        assert_eq!(check("invoice.pdf", b"MZ\x90\0", 100), Err(FileRefusal::TypeNotAllowed));
        // A PNG named .pdf, a PDF named .png: the name disagrees with the content.
        assert_eq!(check("a.pdf", PNG, 100), Err(FileRefusal::NameMismatch));
        assert_eq!(check("a.png", b"%PDF-1.4", 100), Err(FileRefusal::NameMismatch));
        // Text named as an executable, or without an ending.
        assert_eq!(check("run.exe", b"echo hi", 100), Err(FileRefusal::TypeNotAllowed));
        assert_eq!(check("README", b"hello", 100), Err(FileRefusal::NameMismatch));
        assert_eq!(check("../", b"hello", 100), Err(FileRefusal::BadName));
    }

    #[test]
    fn cleans_names() {
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name(" a\u{7}b.txt ").as_deref(), Some("ab.txt"));
        assert_eq!(clean_name("..").as_deref(), None);
        assert_eq!(clean_name(&"x".repeat(300)).map(|n| n.chars().count()), Some(MAX_NAME_CHARS));
    }
}
