//! Reading uploaded scans and PDFs: Tesseract (Debian's `tesseract-ocr`, English and
//! Traditional Chinese) for images, and poppler (`pdftotext`, then `pdftoppm` + Tesseract for
//! scanned pages) for PDFs, run as separate programs with a time limit. When they are not
//! installed the reading is "not checked", never a guess.

use std::time::Duration;

use tokio::process::Command;

/// What reading a document gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    Text(String),
    /// The OCR programs are not installed here.
    NotChecked,
    /// They ran and found nothing legible.
    Unreadable,
}

const LIMIT: Duration = Duration::from_secs(60);

async fn run(program: &str, args: &[&str]) -> Option<(bool, String)> {
    let out =
        tokio::time::timeout(LIMIT, Command::new(program).args(args).kill_on_drop(true).output()).await.ok()?.ok()?;
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// Whether Tesseract can be run here.
pub async fn available() -> bool {
    run("tesseract", &["--version"]).await.is_some_and(|(ok, _)| ok)
}

fn legible(text: String) -> Reading {
    if text.chars().filter(|c| c.is_alphanumeric()).count() >= 4 { Reading::Text(text) } else { Reading::Unreadable }
}

async fn tesseract(path: &str) -> Option<String> {
    match run("tesseract", &[path, "stdout", "-l", "eng+chi_tra"]).await {
        Some((true, text)) => Some(text),
        // Without the Chinese data, English alone.
        _ => run("tesseract", &[path, "stdout", "-l", "eng"]).await.filter(|(ok, _)| *ok).map(|(_, t)| t),
    }
}

/// Reads `bytes` of `media_type` (PDF, PNG, JPEG or GIF); other types are not read.
pub async fn read(bytes: &[u8], media_type: &str) -> Reading {
    if !matches!(media_type, "application/pdf" | "image/png" | "image/jpeg" | "image/gif") {
        return Reading::NotChecked;
    }
    if !available().await {
        return Reading::NotChecked;
    }
    let Ok(dir) = tempdir() else { return Reading::NotChecked };
    let result = read_in(&dir, bytes, media_type).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn tempdir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("phos-ocr-{}", kernel::new_id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn read_in(dir: &std::path::Path, bytes: &[u8], media_type: &str) -> Reading {
    let ext = match media_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => "gif",
    };
    let input = dir.join(format!("in.{ext}"));
    if std::fs::write(&input, bytes).is_err() {
        return Reading::NotChecked;
    }
    let path = input.to_string_lossy().into_owned();
    if ext != "pdf" {
        return tesseract(&path).await.map(legible).unwrap_or(Reading::Unreadable);
    }
    // A PDF with a text layer: its text. A scanned PDF: each page (at most 5) through Tesseract.
    if let Some((true, text)) = run("pdftotext", &["-l", "5", &path, "-"]).await
        && let Reading::Text(t) = legible(text)
    {
        return Reading::Text(t);
    }
    let prefix = dir.join("page").to_string_lossy().into_owned();
    match run("pdftoppm", &["-l", "5", "-r", "200", "-png", &path, &prefix]).await {
        Some((true, _)) => {}
        _ => return Reading::Unreadable,
    }
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "png")).collect()
        })
        .unwrap_or_default();
    pages.sort();
    let mut text = String::new();
    for p in pages {
        if let Some(t) = tesseract(&p.to_string_lossy()).await {
            text.push_str(&t);
            text.push('\n');
        }
    }
    legible(text)
}
