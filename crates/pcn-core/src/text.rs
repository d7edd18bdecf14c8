//! Text for people, written once: whole numbers with thousands separators
//! and strings made safe for HTML. Every report, page and message uses these,
//! so a figure reads the same wherever it appears.

/// `32500` → `32,500`, `-1234567` → `-1,234,567`.
pub fn thousands(n: i64) -> String {
    group_thousands(&n.to_string())
}

/// Thousands separators in a string of digits with an optional leading `-`,
/// for callers that hold the digits already (a `usize`, a truncated decimal).
pub fn group_thousands(digits: &str) -> String {
    let (sign, d) = digits.strip_prefix('-').map_or(("", digits), |r| ("-", r));
    let mut out = String::with_capacity(sign.len() + d.len() + d.len() / 3);
    out.push_str(sign);
    for (i, ch) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Text for HTML content and attribute values (quoted either way): `&`, `<`,
/// `>`, `"` and `'` become entities.
pub fn escape_html(s: &str) -> String {
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
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-999), "-999");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(group_thousands("123456"), "123,456");
        assert_eq!(group_thousands("-12345"), "-12,345");
        assert_eq!(group_thousands(""), "");
    }

    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(escape_html(r#"<b>Tom & "Jerry"</b>"#), "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;");
        // The apostrophe too: a value in a single-quoted attribute cannot end it.
        assert_eq!(escape_html("St Mary's"), "St Mary&#39;s");
        assert_eq!(escape_html("plain £1,200"), "plain £1,200");
    }
}
