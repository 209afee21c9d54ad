//! Escaping text for HTML and SVG written by hand (askama escapes its own templates).

/// Escapes `& < > " '` so that text is safe in element content and in quoted attributes, in
/// HTML and in SVG/XML alike (`'` becomes `&#39;`, which both understand).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_the_five() {
        assert_eq!(escape("a & b < c > d \" e ' f"), "a &amp; b &lt; c &gt; d &quot; e &#39; f");
        assert_eq!(escape("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(escape("陳大文 &amp;"), "陳大文 &amp;amp;");
        assert_eq!(escape(""), "");
    }
}
