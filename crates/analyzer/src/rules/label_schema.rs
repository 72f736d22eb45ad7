//! The label schema of the configuration (hadolint's `label-schema`) and the value checks
//! of its types, shared by the rules DL3049 to DL3058.
//!
//! A schema maps a label key to the type of its value: `text` (or an empty type), `url`,
//! `semver`, `hash`, `rfc3339`, `spdx` or `email`. The checks follow what hadolint 2.15.1
//! accepts for each type, written from the standards those types name.

use ballast_parser::KeyValue;

use crate::model::{Typed, unquote};
use crate::rules::Context;

/// The SPDX license list 3.x identifiers, deprecated ones included, one a line (the
/// `spdx-license-ids` 3.0.23 data set, CC0-1.0).
const SPDX_LICENSE_IDS: &str = include_str!("spdx_license_ids.txt");

/// One `key=value` pair of a top-level LABEL, with the key and value after quote removal.
pub(crate) struct LabelPair<'a> {
    pub pair: &'a KeyValue,
    pub key: String,
    pub value: String,
}

/// Returns the pairs of one LABEL instruction, or nothing for other instructions.
/// hadolint does not check labels set by an `ONBUILD LABEL` trigger, so neither do these
/// rules.
pub(crate) fn label_pairs<'a>(typed: &Typed<'a>) -> Vec<LabelPair<'a>> {
    let Typed::Label(pairs) = typed else {
        return Vec::new();
    };
    pairs
        .iter()
        .map(|pair| LabelPair {
            pair,
            key: unquote(&pair.key.value),
            value: unquote(&pair.value.value),
        })
        .collect()
}

/// Reports every LABEL pair whose key has schema type `kind` and whose value `is_valid`
/// rejects, at the value (or at the key when the value is empty).
pub(crate) fn check_typed_labels(
    cx: &mut Context<'_>,
    kind: &str,
    is_valid: fn(&str) -> bool,
    expected: &str,
) {
    let model = cx.model;
    // Without a key of this type in the schema no label can be reported, and most files
    // are linted without any schema.
    if !cx.settings.label_schema.values().any(|schema_kind| schema_kind == kind) {
        return;
    }
    for inst in &model.instructions {
        for label in label_pairs(&inst.args) {
            let has_kind = cx
                .settings
                .label_schema
                .get(&label.key)
                .is_some_and(|schema_kind| schema_kind == kind);
            if !has_kind || is_valid(&label.value) {
                continue;
            }
            let span = if label.pair.value.span.is_empty() {
                label.pair.key.span
            } else {
                label.pair.value.span
            };
            cx.report(
                span,
                format!(
                    "label `{}` is `{}`, which is not {expected}",
                    label.key, label.value
                ),
            );
        }
    }
}

/// Returns whether `text` is an absolute URI (RFC 3986): a scheme, `:`, then only URI
/// characters and percent escapes, with at most one `#`.
pub(crate) fn is_absolute_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok || rest.matches('#').count() > 1 {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            index += 3;
            continue;
        }
        let allowed = byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&byte);
        if !allowed {
            return false;
        }
        index += 1;
    }
    true
}

/// Returns whether `text` is an RFC 3339 date and time: `YYYY-MM-DDTHH:MM:SS`, optional
/// fraction of a second, then `Z` or an offset `±HH:MM`. A date alone is rejected.
pub(crate) fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = bytes.get(range)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let separators_ok = bytes.len() >= 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !separators_ok {
        return false;
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        number(0..4),
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return false;
    }

    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.len()
            - fraction
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    if rest == "Z" || rest == "z" {
        return true;
    }
    let offset = rest.as_bytes();
    offset.len() == 6
        && matches!(offset[0], b'+' | b'-')
        && offset[3] == b':'
        && rest[1..3].parse::<u32>().is_ok_and(|hours| hours <= 23)
        && rest[4..6].parse::<u32>().is_ok_and(|minutes| minutes <= 59)
        && rest[1..3]
            .bytes()
            .chain(rest[4..6].bytes())
            .all(|b| b.is_ascii_digit())
}

/// Returns whether `text` is one SPDX license identifier. License expressions such as
/// `MIT OR Apache-2.0` are rejected, as hadolint rejects them.
pub(crate) fn is_spdx_license_id(text: &str) -> bool {
    !text.is_empty() && SPDX_LICENSE_IDS.lines().any(|id| id == text)
}

/// Returns whether `text` is a short (7) or full (40) lower-case hexadecimal commit hash.
pub(crate) fn is_commit_hash(text: &str) -> bool {
    matches!(text.len(), 7 | 40)
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Returns whether `text` is a Semantic Versioning 2.0 version: `MAJOR.MINOR.PATCH`
/// without leading zeros, then an optional `-pre.release` and `+build.metadata`.
pub(crate) fn is_semver(text: &str) -> bool {
    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (text, None),
    };
    let (core, pre_release) = match rest.split_once('-') {
        Some((core, pre_release)) => (core, Some(pre_release)),
        None => (rest, None),
    };
    let is_number = |part: &str| {
        !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'))
    };
    let is_identifier = |part: &str| {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };

    let numbers: Vec<&str> = core.split('.').collect();
    if numbers.len() != 3 || !numbers.iter().all(|part| is_number(part)) {
        return false;
    }
    let pre_release_ok = pre_release.is_none_or(|pre_release| {
        pre_release.split('.').all(|part| {
            is_identifier(part) && (!part.bytes().all(|b| b.is_ascii_digit()) || is_number(part))
        })
    });
    let build_ok = build.is_none_or(|build| build.split('.').all(is_identifier));
    pre_release_ok && build_ok
}

/// Returns whether `text` is an e-mail address (RFC 5322 `addr-spec`): a dot-atom or
/// quoted local part, `@`, and a dot-atom or bracketed literal domain.
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let is_atom_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let is_dot_atom = |part: &str| {
        !part.is_empty()
            && part
                .split('.')
                .all(|atom| !atom.is_empty() && atom.chars().all(is_atom_char))
    };
    let is_quoted = |part: &str| {
        part.len() >= 2
            && part.starts_with('"')
            && part.ends_with('"')
            && part[1..part.len() - 1]
                .chars()
                .all(|c| c.is_ascii() && !c.is_ascii_control())
    };
    let is_literal = |part: &str| {
        part.starts_with('[')
            && part.ends_with(']')
            && part[1..part.len() - 1]
                .chars()
                .all(|c| c.is_ascii_graphic() && !"[]\\".contains(c))
    };
    (is_dot_atom(local) || is_quoted(local)) && (is_dot_atom(domain) || is_literal(domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_uris() {
        assert!(is_absolute_uri("https://example.com/a?b=c#d"));
        assert!(is_absolute_uri("mailto:a@example.com"));
        assert!(!is_absolute_uri("example.com"));
        assert!(!is_absolute_uri("/relative/path"));
        assert!(!is_absolute_uri("https://example.com/a b"));
        assert!(!is_absolute_uri("https://example.com/%zz"));
    }

    #[test]
    fn rfc3339_times() {
        assert!(is_rfc3339("2024-02-29T12:30:00Z"));
        assert!(is_rfc3339("2024-01-01T00:00:00.123+02:00"));
        assert!(!is_rfc3339("2024-01-01"));
        assert!(!is_rfc3339("2023-02-29T12:30:00Z"));
        assert!(!is_rfc3339("2024-01-01T25:00:00Z"));
        assert!(!is_rfc3339("2024-01-01T00:00:00"));
    }

    #[test]
    fn spdx_ids() {
        assert!(is_spdx_license_id("MIT"));
        assert!(is_spdx_license_id("Apache-2.0"));
        assert!(is_spdx_license_id("GPL-2.0"));
        assert!(!is_spdx_license_id("MIT OR Apache-2.0"));
        assert!(!is_spdx_license_id("mit-ish"));
        assert!(!is_spdx_license_id(""));
    }

    #[test]
    fn commit_hashes() {
        assert!(is_commit_hash("0a1b2c3"));
        assert!(is_commit_hash(&"a".repeat(40)));
        assert!(!is_commit_hash("0A1B2C3"));
        assert!(!is_commit_hash("0a1b2c3d"));
    }

    #[test]
    fn semantic_versions() {
        assert!(is_semver("1.0.0"));
        assert!(is_semver("1.2.3-rc.1+build.5"));
        assert!(!is_semver("1.0"));
        assert!(!is_semver("01.0.0"));
        assert!(!is_semver("1.0.0-01"));
        assert!(!is_semver("v1.0.0"));
    }

    #[test]
    fn email_addresses() {
        assert!(is_email("team@example.com"));
        assert!(is_email("first.last+tag@example.co.uk"));
        assert!(is_email("\"a b\"@example.com"));
        assert!(!is_email("example.com"));
        assert!(!is_email("a..b@example.com"));
        assert!(!is_email("a@"));
    }
}
