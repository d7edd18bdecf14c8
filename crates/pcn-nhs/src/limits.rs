//! The bounds on what a file may hold, in one place: how long a text field of
//! each kind may be, how long one CSV record, and how far a workbook may
//! inflate. Each is set from the longest value in the real NHS files of
//! 2019–2026 (`PCN_DATA_DIR`), with a wide margin, so a real file never meets
//! one and a hostile or broken one is refused before it costs memory or is
//! stored and sent in every response.
//!
//! No text field may hold a control character (U+0000–U+001F, U+007F) but
//! tab: a NUL is refused by PostgreSQL, and none belongs in a name. Line
//! breaks are allowed only in header cells (ePCN wraps its headers).

use std::fmt;

/// What a text field holds, for its length bound (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Codes, dates, numbers and flags: what a parser validates next (ODS
    /// codes by pcn-core's code types), and identifiers such as CQC location
    /// IDs. Longest real: 18 (an LSOA centroid's `-1.494513240643613`).
    Value,
    /// Names of practices, networks, commissioners, ICBs, regions, areas and
    /// care homes. Longest real: 82 (an NWRS sub-ICB name, "NHS Hampshire and
    /// Isle Of Wight ICB - D9Y0V Hampshire, Southampton & Isle of Wight");
    /// practice names reach 53, PCN names 55.
    Name,
    /// A postcode as written, before it is normalised. Longest real: 8
    /// (`N20  0DH`); a postcode is at most 8 characters with its space.
    Postcode,
    /// Short descriptive labels: NWRS staff groups, roles and detailed staff
    /// roles, contract and practice types, rurality classes, clinical systems,
    /// data sources. Longest real: 47 (the RUC class "Rural village and
    /// dispersed in a sparse setting"; NWRS staff roles reach 45).
    Label,
    /// Free text: notes in pcn's own input files (approvals), and Code-Point's
    /// SOURCE (longest real: 64). Bounded as the API bounds evidence.
    FreeText,
}

impl Text {
    pub const fn max_chars(self) -> usize {
        match self {
            Self::Value => 100,
            Self::Name => 200,
            Self::Postcode => 16,
            Self::Label => 100,
            Self::FreeText => 2_000,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Value => "a code, date or number",
            Self::Name => "a name",
            Self::Postcode => "a postcode",
            Self::Label => "a label",
            Self::FreeText => "free text",
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// Any field, read or not (addresses, phone numbers, columns pcn skips): the
/// longest cell a spreadsheet can hold (Excel's limit). pcn keeps no address;
/// the longest real one is 127 characters (a payments file's one-field
/// practice address).
pub const ANY_FIELD_CHARS: usize = 32_767;

/// One CSV record (a line, or lines where a quoted field spans them), in
/// bytes. Longest real: 2,366 (a 2021/22 payments row of 74 columns).
/// Checked as the record is read, so a longer one is refused before it is
/// held whole, split or decoded.
pub const RECORD_BYTES: u64 = 1 << 20;

/// What a workbook (.xlsx, .ods: a zip) may inflate to, all entries
/// together, by its zip directory's declared sizes, checked before anything
/// is inflated (the zip crate stops an entry at its declared size). The real
/// ePCN workbooks inflate to 5.2 MB at most (2019-12). The national CQC
/// directory is not in `PCN_DATA_DIR`: at 15–24 MB packed and about 10:1 it
/// would inflate to 150–240 MB.
pub const WORKBOOK_INFLATED_BYTES: u64 = 400_000_000;

/// How much one entry may inflate relative to its packed size. The real ePCN
/// sheets pack 9.8:1 at most; a run of zeros packs about 1,000:1 (deflate's
/// ceiling), which is what a zip bomb is made of.
pub const WORKBOOK_RATIO: u64 = 200;

/// Entries smaller than this inflated are not held to the ratio: tiny parts
/// pack oddly and cost nothing.
pub const WORKBOOK_RATIO_FROM_BYTES: u64 = 1 << 20;

/// `1,048,576`: counts in messages, written as everywhere else in pcn.
pub(crate) fn thousands(n: u64) -> String {
    pcn_core::text::group_thousands(&n.to_string())
}

/// Why `s` (a field's trimmed text) may not be kept as `kind`, if it may not.
/// `line_breaks` allows CR and LF (header cells). The message never repeats
/// a long value: it shows at most its first 40 characters.
pub fn check(s: &str, kind: Text, line_breaks: bool) -> Result<(), String> {
    check_within(s, kind.max_chars(), &kind.to_string(), line_breaks)
}

/// [`check`] against the any-field bound.
pub fn check_any(s: &str, line_breaks: bool) -> Result<(), String> {
    check_within(s, ANY_FIELD_CHARS, "any field", line_breaks)
}

fn check_within(s: &str, max: usize, what: &str, line_breaks: bool) -> Result<(), String> {
    // Control characters are single bytes in UTF-8 (and Windows-1252 maps
    // those bytes to them), so a byte scan finds them.
    let allowed = |b: u8| b == b'\t' || (line_breaks && (b == b'\n' || b == b'\r'));
    if let Some(at) = s.bytes().position(|b| (b < 0x20 || b == 0x7F) && !allowed(b)) {
        let chars = s[..at].chars().count();
        return Err(format!(
            "holds the control character U+{:04X} at character {}; text may hold none but tab",
            s.as_bytes()[at],
            chars + 1
        ));
    }
    // Bytes bound characters from above: count them only when it could matter.
    if s.len() > max {
        let n = s.chars().count();
        if n > max {
            let start: String = s.chars().take(40).collect();
            return Err(format!(
                "is {} characters long (starting {start:?}); {what} may be at most {}",
                thousands(n as u64),
                thousands(max as u64)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_but_tab_are_refused() {
        assert!(check("A\tB", Text::Name, false).is_ok());
        for c in ['\0', '\u{7}', '\u{1b}', '\u{7f}', '\n', '\r', '\u{1f}'] {
            let e = check(&format!("AB{c}C"), Text::Name, false).unwrap_err();
            assert!(e.contains(&format!("U+{:04X} at character 3", c as u32)), "{e}");
        }
        assert!(check("Partner\r\nName", Text::Name, true).is_ok());
        assert!(check("Partner\0Name", Text::Name, true).is_err());
        // Not control characters: the C1 range and other Unicode are text.
        assert!(check("Café – Ŵ\u{85}", Text::Name, false).is_ok());
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let name = "é".repeat(200);
        assert!(check(&name, Text::Name, false).is_ok(), "400 bytes but 200 characters");
        let e = check(&"A".repeat(300), Text::Name, false).unwrap_err();
        assert!(e.contains("is 300 characters long") && e.contains("a name may be at most 200"), "{e}");
        assert!(e.len() < 200, "the value is not repeated whole: {e}");
        assert!(check("TS18 1HU", Text::Postcode, false).is_ok());
        assert!(check(&"TS18 1HU".repeat(3), Text::Postcode, false).unwrap_err().contains("at most 16"));
    }
}
