//! The bad-input corpus: hostile values that every entry point of Seshat
//! (HTTP routes, WebSocket commands, ini keys, staff messages, rows other
//! programs write) is fed by its corpus test. One list, so that a surface
//! added later is walked with the same inputs as the others, and a new
//! kind of hostile input reaches every surface at once.
//!
//! Each value carries a label, so that a failure names the input that
//! caused it instead of printing a megabyte.

/// One megabyte and one byte: past every size limit Seshat documents
/// (messages, names, request bodies, WebSocket frames).
pub const HUGE_LEN: usize = (1 << 20) + 1;

/// A hostile text, with a label for failure messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostile {
    /// What the value is, in a few words ("U+0001", "1 MB of 'x'").
    pub label: String,
    /// The value itself.
    pub text: String,
}

impl Hostile {
    fn new(label: impl Into<String>, text: impl Into<String>) -> Hostile {
        Hostile {
            label: label.into(),
            text: text.into(),
        }
    }
}

/// Every code point XML 1.0 cannot carry that a Rust string can hold: the
/// C0 controls other than tab, line feed and carriage return, and the
/// noncharacters U+FFFE and U+FFFF. (Lone surrogates cannot be a `char`;
/// they appear in [`invalid_utf8`] as the bytes that would encode them.)
pub fn xml_invalid_chars() -> Vec<char> {
    (0u32..0x20)
        .filter(|code| !matches!(code, 0x09 | 0x0A | 0x0D))
        .chain([0xFFFE, 0xFFFF])
        .filter_map(char::from_u32)
        .collect()
}

/// Texts that must be refused or carried safely: empty and blank text,
/// each XML-invalid code point alone and inside a sentence, markup and
/// nested quotes that would break out of an XML or HTML context, and
/// texts beyond every size limit. Each fits on one line unless its label
/// says otherwise.
pub fn texts() -> Vec<Hostile> {
    let mut texts = vec![
        Hostile::new("empty", ""),
        Hostile::new("blank", " \t "),
        Hostile::new("line breaks only", "\r\n\n\r"),
    ];
    for bad in xml_invalid_chars() {
        let code = u32::from(bad);
        texts.push(Hostile::new(format!("U+{code:04X} alone"), bad.to_string()));
        texts.push(Hostile::new(
            format!("U+{code:04X} in a sentence"),
            format!("before {bad} after"),
        ));
    }
    texts.extend(markup());
    texts.extend([
        Hostile::new(
            "right-to-left override and zero-width characters",
            "\u{202E}gnp.exe\u{200B}\u{FEFF}",
        ),
        Hostile::new(
            "combining marks and astral characters",
            "e\u{301}\u{301}\u{301} \u{1F600}\u{10FFFF}",
        ),
        Hostile::new("a staff command as text", "!FINISH"),
        Hostile::new("1 MB of 'x'", "x".repeat(HUGE_LEN)),
        Hostile::new("1 MB of '&'", "&".repeat(HUGE_LEN)),
        Hostile::new("1 MB of U+0001", "\u{1}".repeat(HUGE_LEN)),
    ]);
    texts
}

/// The texts of [`texts`] that fit in an ini value or a command line:
/// no line breaks and below 4 KiB.
pub fn short_one_line_texts() -> Vec<Hostile> {
    texts()
        .into_iter()
        .filter(|hostile| hostile.text.len() < 4096 && !hostile.text.contains(['\n', '\r']))
        .collect()
}

/// Markup and quotes that would escape from an XML stanza, an HTML page
/// or a JSON string if any of them were assembled by hand.
pub fn markup() -> Vec<Hostile> {
    vec![
        Hostile::new(
            "nested quotes and HTML",
            r#""'"><script>alert("'x'")</script><img src=x onerror='alert(1)'>"#,
        ),
        Hostile::new(
            "a stanza breaking out of its body",
            "</body></message><presence type='unavailable'/><message><body>",
        ),
        Hostile::new(
            "entities and CDATA",
            "&amp;&lt;&#0;&#x1;&unknown; <![CDATA[ ]]> ]]>",
        ),
        Hostile::new(
            "JSON breaking out of its string",
            r#"\"},{"type":"start_chat"}\u0000"#,
        ),
    ]
}

/// Byte strings that are not UTF-8: a lone continuation byte, a truncated
/// sequence, an overlong encoding, a byte never used, and the encodings of
/// a lone high and a lone low surrogate (which UTF-8 forbids).
pub fn invalid_utf8() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("a lone continuation byte", vec![b'a', 0x80, b'b']),
        ("a truncated sequence", vec![b'a', 0xE2, 0x82]),
        ("an overlong '/'", vec![0xC0, 0xAF]),
        ("the byte 0xFF", vec![0xFF, 0xFE]),
        ("a lone high surrogate", vec![0xED, 0xA0, 0x80]),
        ("a lone low surrogate", vec![0xED, 0xBF, 0xBF]),
    ]
}

/// Texts for a field that holds a number (a chat id, `after`, `wait`, a
/// limit, a duration): negatives, zero, the edges of `i64` and `u64` and
/// one past them, and things that only look like numbers.
pub fn numbers() -> Vec<&'static str> {
    vec![
        "-1",
        "-0",
        "0",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999999999999999",
        "1e3",
        "1.5",
        "0x10",
        "NaN",
        " 1",
        "1 ",
        "+1",
        "",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xml_invalid_classes_are_all_there() {
        let chars = xml_invalid_chars();
        assert_eq!(chars.len(), 29 + 2);
        assert!(chars.contains(&'\u{0}') && chars.contains(&'\u{1F}'));
        assert!(!chars.contains(&'\t') && !chars.contains(&'\n') && !chars.contains(&'\r'));
        assert!(chars.contains(&'\u{FFFE}') && chars.contains(&'\u{FFFF}'));
    }

    #[test]
    fn none_of_the_invalid_byte_strings_is_utf8() {
        for (label, bytes) in invalid_utf8() {
            assert!(std::str::from_utf8(&bytes).is_err(), "{label}");
        }
    }

    #[test]
    fn labels_are_distinct() {
        let mut labels: Vec<String> = texts().into_iter().map(|hostile| hostile.label).collect();
        let count = labels.len();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), count);
    }
}
