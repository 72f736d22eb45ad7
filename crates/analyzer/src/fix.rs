//! Applying the fixes of diagnostics to a file's text.

use ballast_parser::Span;

use crate::diagnostic::{Applicability, Diagnostic, Fix};

/// The set of fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Only fixes marked safe.
    Safe,
    /// Safe and unsafe fixes.
    All,
}

impl FixMode {
    fn allows(self, fix: &Fix) -> bool {
        self == FixMode::All || fix.applicability == Applicability::Safe
    }
}

/// The text after applying fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixOutcome {
    pub text: String,
    /// The number of fixes applied.
    pub applied: usize,
    /// The number of fixes skipped because they overlap an applied fix or a syntax error.
    pub skipped: usize,
}

/// Applies the fixes of `diagnostics` that `mode` allows, in source order. A fix is
/// skipped when it overlaps a fix already taken, touches one of `error_regions` (unless it
/// repairs that error), has overlapping edits of its own, edits outside the text, or edits
/// before the end of a byte order mark, which must stay the first bytes of the file.
pub fn apply_fixes(
    source: &str,
    diagnostics: &[Diagnostic],
    error_regions: &[Span],
    mode: FixMode,
) -> FixOutcome {
    let mut fixes: Vec<&Fix> = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.fix.as_ref())
        .filter(|fix| mode.allows(fix) && !fix.edits.is_empty())
        .collect();
    fixes.sort_by_key(|fix| fix.span().map(|span| (span.start, span.end)));
    fixes.dedup_by(|a, b| a.edits == b.edits);

    let mut taken: Vec<Span> = Vec::new();
    let mut edits = Vec::new();
    let mut skipped = 0;
    for fix in fixes {
        let Some(covered) = fix.span() else { continue };
        let valid = edits_are_valid(source, fix);
        let regions: &[Span] = if fix.repairs_syntax_error {
            &[]
        } else {
            error_regions
        };
        let conflicts = taken
            .iter()
            .chain(regions)
            .any(|region| overlaps(*region, covered));
        if !valid || conflicts {
            skipped += 1;
            continue;
        }
        taken.push(covered);
        edits.extend(fix.edits.iter());
    }

    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut text = String::with_capacity(source.len());
    let mut cursor = 0;
    for edit in &edits {
        text.push_str(&source[cursor..edit.span.start]);
        text.push_str(&edit.replacement);
        cursor = edit.span.end;
    }
    text.push_str(&source[cursor..]);
    FixOutcome {
        text,
        applied: taken.len(),
        skipped,
    }
}

/// Returns whether the edits lie inside the text after any byte order mark, on character
/// boundaries, and apart from each other.
fn edits_are_valid(source: &str, fix: &Fix) -> bool {
    let text_start = if source.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut spans: Vec<Span> = fix.edits.iter().map(|edit| edit.span).collect();
    spans.sort();
    let inside = spans.iter().all(|span| {
        text_start <= span.start
            && span.start <= span.end
            && span.end <= source.len()
            && source.is_char_boundary(span.start)
            && source.is_char_boundary(span.end)
    });
    inside
        && spans
            .windows(2)
            .all(|pair| pair[0].end <= pair[1].start && pair[0] != pair[1])
}

/// Returns whether two ranges share a byte, or an insertion point lies strictly inside the other.
fn overlaps(a: Span, b: Span) -> bool {
    if a.is_empty() || b.is_empty() {
        let (point, other) = if a.is_empty() {
            (a.start, b)
        } else {
            (b.start, a)
        };
        return other.start < point && point < other.end
            || (other.is_empty() && other.start == point);
    }
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Severity};

    fn diagnostic(fix: Fix) -> Diagnostic {
        Diagnostic {
            code: "T".into(),
            name: "t".into(),
            severity: Severity::Warning,
            message: String::new(),
            span: Span::new(0, 0),
            labels: Vec::new(),
            fix: Some(fix),
        }
    }

    #[test]
    fn applies_safe_fixes_only_in_safe_mode() {
        let source = "ADD a b\nMAINTAINER x\n";
        let diagnostics = [
            diagnostic(Fix::safe(
                "copy",
                vec![Edit::replace(Span::new(0, 3), "COPY")],
            )),
            diagnostic(Fix::unsafe_(
                "label",
                vec![Edit::replace(Span::new(8, 20), "LABEL a=x")],
            )),
        ];
        let safe = apply_fixes(source, &diagnostics, &[], FixMode::Safe);
        assert_eq!(safe.text, "COPY a b\nMAINTAINER x\n");
        let all = apply_fixes(source, &diagnostics, &[], FixMode::All);
        assert_eq!(all.text, "COPY a b\nLABEL a=x\n");
        assert_eq!(all.applied, 2);
    }

    #[test]
    fn skips_overlaps_and_error_regions() {
        let source = "abcdef";
        let diagnostics = [
            diagnostic(Fix::safe("1", vec![Edit::replace(Span::new(0, 3), "X")])),
            diagnostic(Fix::safe("2", vec![Edit::replace(Span::new(2, 4), "Y")])),
            diagnostic(Fix::safe("3", vec![Edit::insert(5, "Z")])),
        ];
        let outcome = apply_fixes(source, &diagnostics, &[Span::new(4, 6)], FixMode::Safe);
        assert_eq!(outcome.text, "Xdef");
        assert_eq!((outcome.applied, outcome.skipped), (1, 2));
    }

    #[test]
    fn rejects_edits_outside_the_text() {
        let diagnostics = [diagnostic(Fix::safe(
            "x",
            vec![Edit::replace(Span::new(2, 9), "")],
        ))];
        assert_eq!(
            apply_fixes("abc", &diagnostics, &[], FixMode::All).text,
            "abc"
        );
    }

    #[test]
    fn keeps_byte_order_mark_first() {
        let source = "\u{feff}FROM a\n";
        let before_mark = [diagnostic(Fix::safe("x", vec![Edit::insert(0, "# x\n")]))];
        let outcome = apply_fixes(source, &before_mark, &[], FixMode::All);
        assert_eq!(outcome.text, source);
        assert_eq!((outcome.applied, outcome.skipped), (0, 1));

        let over_mark = [diagnostic(Fix::safe("x", vec![Edit::replace(Span::new(0, 7), "from")]))];
        assert_eq!(apply_fixes(source, &over_mark, &[], FixMode::All).text, source);

        let after_mark = [diagnostic(Fix::safe("x", vec![Edit::insert(3, "# x\n")]))];
        assert_eq!(
            apply_fixes(source, &after_mark, &[], FixMode::All).text,
            "\u{feff}# x\nFROM a\n"
        );
    }
}
