//! Character classes with the meaning of Go's `unicode` package, which BuildKit's lexer uses.
//!
//! Rust's `char::is_alphabetic` and `char::is_numeric` are wider than Go's `unicode.IsLetter`
//! (general category L) and `unicode.IsDigit` (category Nd): they accept combining vowel
//! signs, Roman numerals and superscript digits, which end a variable name in BuildKit.
//!
//! NOTE: the category tables are Unicode 16.0; Go 1.21 to 1.24 ship Unicode 15.0, so the
//! characters first assigned in Unicode 16.0 are classified differently.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Go's `unicode.IsLetter`: general category Lu, Ll, Lt, Lm or Lo.
pub(super) fn is_letter(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(ch),
        GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter
    )
}

/// Go's `unicode.IsDigit`: general category Nd, so `٣` is a digit and `²` is not.
pub(super) fn is_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    get_general_category(ch) == GeneralCategory::DecimalNumber
}

/// Go's `unicode.IsSpace`, which is the Unicode White_Space property, as is `char::is_whitespace`.
pub(super) fn is_space(ch: char) -> bool {
    ch.is_whitespace()
}

/// Compares two environment keys as BuildKit does on Windows, where it upper-cases both
/// (`strings.ToUpper`, one character at a time).
///
/// NOTE: a character whose full upper case is several characters (`ß`, `ᾳ`) is compared
/// unchanged, while Go maps the few that have a one-character simple mapping (`ᾳ` to `ᾼ`).
pub(super) fn keys_equal_ignoring_case(left: &str, right: &str) -> bool {
    if left.is_ascii() && right.is_ascii() {
        return left.eq_ignore_ascii_case(right);
    }
    left.chars().map(upper).eq(right.chars().map(upper))
}

fn upper(ch: char) -> char {
    let mut upper = ch.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(single), None) => single,
        _ => ch,
    }
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
fn is_print(ch: char) -> bool {
    if ch == ' ' {
        return true;
    }
    use GeneralCategory::*;
    matches!(
        get_general_category(ch),
        UppercaseLetter
            | LowercaseLetter
            | TitlecaseLetter
            | ModifierLetter
            | OtherLetter
            | NonspacingMark
            | SpacingMark
            | EnclosingMark
            | DecimalNumber
            | LetterNumber
            | OtherNumber
            | ConnectorPunctuation
            | DashPunctuation
            | OpenPunctuation
            | ClosePunctuation
            | InitialPunctuation
            | FinalPunctuation
            | OtherPunctuation
            | MathSymbol
            | CurrencySymbol
            | ModifierSymbol
            | OtherSymbol
    )
}

/// Quotes `text` the way Go's `%q` verb (`strconv.Quote`) does.
pub(super) fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for ch in text.chars() {
        match ch {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(ch);
            }
            _ if is_print(ch) => quoted.push(ch),
            '\u{7}' => quoted.push_str("\\a"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{c}' => quoted.push_str("\\f"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\u{b}' => quoted.push_str("\\v"),
            _ if (ch as u32) < 0x20 || ch == '\u{7f}' => {
                quoted.push_str(&format!("\\x{:02x}", ch as u32));
            }
            _ if (ch as u32) < 0x10000 => quoted.push_str(&format!("\\u{:04x}", ch as u32)),
            _ => quoted.push_str(&format!("\\U{:08x}", ch as u32)),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_exclude_marks_and_letter_numbers() {
        assert!(is_letter('한'));
        assert!(is_letter('é'));
        assert!(
            !is_letter('\u{093F}'),
            "Devanagari vowel sign i is a spacing mark"
        );
        assert!(!is_letter('Ⅻ'), "Roman numeral twelve is a letter number");
    }

    #[test]
    fn digits_are_decimal_numbers_only() {
        assert!(is_digit('7'));
        assert!(is_digit('٣'));
        assert!(!is_digit('²'));
        assert!(!is_digit('Ⅻ'));
    }

    #[test]
    fn go_quote_escapes_like_strconv() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("tab\there\n"), r#""tab\there\n""#);
        assert_eq!(go_quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(go_quote("한국어 ok"), "\"한국어 ok\"");
        assert_eq!(go_quote("\u{a0}\u{feff}"), r#""\u00a0\ufeff""#);
        assert_eq!(go_quote("\u{e0001}"), r#""\U000e0001""#);
    }
}
