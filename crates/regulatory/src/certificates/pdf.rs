//! The certificate as a one-page A4 PDF (pdf-writer, no C, no font files): English text in the
//! standard Helvetica and Courier fonts (WinAnsi), the QR code drawn as filled rectangles.
//! Chinese text is on the HTML certificate only: the standard PDF fonts have no Chinese glyphs,
//! and embedding a CJK font subset would add megabytes of font data to the binary.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::service::Certificate;

/// What the PDF shows (English), made from a certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub department: String,
    pub number: String,
    pub type_name: String,
    pub ordinance: String,
    /// Labelled rows (label, value).
    pub rows: Vec<(String, String)>,
    pub conditions: Vec<String>,
    pub verify_url: String,
    pub token: String,
}

impl Sheet {
    pub fn of(c: &Certificate) -> Sheet {
        let t = |k: &str| kernel::i18n::Locale::En.t(k);
        let l = &c.licence;
        let mut rows = vec![
            (t("reg-cert-field-licensee"), c.licensee.name_en.clone()),
            (t("reg-cert-field-premises"), c.premises.name_en.clone()),
            (t("reg-cert-field-address"), c.premises.address_en.clone()),
            (t("reg-cert-field-issued-on"), l.issued_on.clone()),
            (t("reg-cert-field-expires-on"), l.expires_on.clone()),
            (t("reg-cert-field-status"), t(&format!("reg-cert-status-{}", l.status))),
        ];
        if let (Some(reg), Some(num)) = (&l.responsible_register, &l.responsible_number) {
            rows.push((t("reg-cert-field-responsible"), format!("{reg} {num}")));
        }
        Sheet {
            department: t("department-name"),
            number: l.number.clone(),
            type_name: c.licence_type.as_ref().map(|t| t.name.en.clone()).unwrap_or_else(|| l.type_code.clone()),
            ordinance: c.licence_type.as_ref().map(|t| t.ordinance.clone()).unwrap_or_default(),
            rows,
            conditions: c.conditions.iter().map(|c| c.en.clone()).collect(),
            verify_url: c.verify_url.clone(),
            token: c.token.clone(),
        }
    }
}

/// `s` in the WinAnsi subset the standard fonts draw: printable ASCII and Latin-1; anything
/// else becomes '?'.
pub fn ascii(s: &str) -> String {
    s.chars().map(|c| if (' '..='~').contains(&c) { c } else { '?' }).collect()
}

fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Breaks `s` into lines of at most `width` characters, at spaces where it can.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");
const MONO: Name = Name(b"F3");

fn text(c: &mut Content, font: Name, size: f32, x: f32, y: f32, s: &str) {
    c.begin_text();
    c.set_font(font, size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(s)));
    c.end_text();
}

/// The QR code of `data` as dark rectangles in a `size`-point square whose lower left corner is
/// at (x, y), with a four-module quiet zone; horizontal runs of dark modules are one rectangle.
fn qr(c: &mut Content, data: &str, x: f32, y: f32, size: f32) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M) else { return };
    let w = code.width();
    let colors = code.to_colors();
    let m = size / (w as f32 + 8.0);
    c.set_fill_gray(0.0);
    for row in 0..w {
        let mut col = 0;
        while col < w {
            if colors[row * w + col] == qrcode::Color::Dark {
                let start = col;
                while col < w && colors[row * w + col] == qrcode::Color::Dark {
                    col += 1;
                }
                let top = y + size - (row as f32 + 4.0) * m;
                c.rect(x + (start as f32 + 4.0) * m, top - m, (col - start) as f32 * m, m);
            } else {
                col += 1;
            }
        }
    }
    c.fill_nonzero();
}

/// The PDF bytes of a certificate.
pub fn render(s: &Sheet) -> Vec<u8> {
    let (catalog, tree, page_id, content_id, info) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let (f1, f2, f3) = (Ref::new(6), Ref::new(7), Ref::new(8));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    page.parent(tree);
    page.contents(content_id);
    {
        let mut res = page.resources();
        let mut fonts = res.fonts();
        fonts.pair(REGULAR, f1);
        fonts.pair(BOLD, f2);
        fonts.pair(MONO, f3);
    }
    page.finish();
    for (id, name) in [(f1, &b"Helvetica"[..]), (f2, b"Helvetica-Bold"), (f3, b"Courier")] {
        pdf.type1_font(id).base_font(Name(name)).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = format!("Licence certificate {}", ascii(&s.number));
    pdf.document_info(info).title(TextStr(&title)).producer(TextStr("PHOS"));

    let mut c = Content::new();
    let left = 56.0;
    // A frame around the page.
    c.set_line_width(1.5);
    c.set_stroke_gray(0.2);
    c.rect(36.0, 36.0, 523.0, 770.0);
    c.stroke();
    let mut y = 770.0;
    text(&mut c, REGULAR, 10.0, left, y, &s.department);
    y -= 30.0;
    text(&mut c, BOLD, 22.0, left, y, "Licence certificate");
    y -= 28.0;
    for line in wrap(&s.type_name, 48) {
        text(&mut c, BOLD, 15.0, left, y, &line);
        y -= 19.0;
    }
    if !s.ordinance.is_empty() {
        text(&mut c, REGULAR, 10.0, left, y, &s.ordinance);
        y -= 16.0;
    }
    y -= 10.0;
    text(&mut c, REGULAR, 10.0, left, y, "Licence number");
    y -= 20.0;
    text(&mut c, BOLD, 18.0, left, y, &s.number);
    y -= 28.0;
    for (label, value) in &s.rows {
        text(&mut c, BOLD, 10.0, left, y, label);
        for line in wrap(value, 70) {
            text(&mut c, REGULAR, 10.0, left + 120.0, y, &line);
            y -= 14.0;
        }
        y -= 4.0;
    }
    if !s.conditions.is_empty() {
        y -= 8.0;
        text(&mut c, BOLD, 12.0, left, y, "Conditions");
        y -= 17.0;
        for (i, cond) in s.conditions.iter().enumerate() {
            let mut first = true;
            for line in wrap(cond, 92) {
                if y < 250.0 {
                    break;
                }
                if first {
                    text(&mut c, REGULAR, 9.5, left, y, &format!("{}.", i + 1));
                    first = false;
                }
                text(&mut c, REGULAR, 9.5, left + 16.0, y, &line);
                y -= 12.5;
            }
            y -= 3.0;
        }
    }
    // The QR code and how to check it, at the foot of the page.
    let size = 170.0;
    qr(&mut c, &s.verify_url, 595.0 - 56.0 - size, 56.0, size);
    let mut fy = 200.0;
    text(&mut c, BOLD, 11.0, left, fy, "Check this certificate");
    fy -= 15.0;
    for line in wrap("Scan the QR code, or open the verify page and enter the code below.", 58) {
        text(&mut c, REGULAR, 9.5, left, fy, &line);
        fy -= 12.5;
    }
    let verify_page = s.verify_url.split('?').next().unwrap_or("");
    text(&mut c, REGULAR, 9.5, left, fy, verify_page);
    fy -= 16.0;
    let chars: Vec<char> = s.token.chars().collect();
    for chunk in chars.chunks(54) {
        text(&mut c, MONO, 8.0, left, fy, &chunk.iter().collect::<String>());
        fy -= 10.0;
    }
    pdf.stream(content_id, &c.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            department: "Department of Health".into(),
            number: "RP-2026-7K3M9Q".into(),
            type_name: "Retail pharmacy (authorized seller of poisons)".into(),
            ordinance: "Cap. 138".into(),
            rows: vec![("Premises".into(), "Café Pharmacy, 1 Nathan Road".into())],
            conditions: vec!["A registered pharmacist is present whenever the premises are open.".into(); 3],
            verify_url: "http://127.0.0.1:8080/verify?token=AQ".into(),
            token: "AQ".repeat(92),
        }
    }

    #[test]
    fn a_pdf_with_the_number_and_the_qr_code() {
        let bytes = render(&sheet());
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"));
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.contains("(RP-2026-7K3M9Q)"), "the number as text");
        assert!(s.contains("/Helvetica-Bold"));
        // The café's é in WinAnsi (0xE9), not as UTF-8: a hex string, as pdf-writer writes
        // non-ASCII bytes.
        assert!(s.to_ascii_uppercase().contains("436166E9"), "Caf\\xe9 as hex");
        // Dark modules drawn as rectangles.
        assert!(s.matches(" re").count() > 50, "QR rectangles");
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let lines = wrap("one two three four five six seven", 9);
        assert_eq!(lines, ["one two", "three", "four five", "six seven"]);
        assert_eq!(wrap(&"x".repeat(20), 8), ["xxxxxxxx", "xxxxxxxx", "xxxx"]);
        assert!(wrap("", 5).is_empty());
        assert_eq!(ascii("藥房 A"), "?? A");
    }
}
