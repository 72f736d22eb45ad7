//! Findings of the rules: a code, a severity, a message, where, and how to fix it.

use std::fmt;
use std::str::FromStr;

use ballast_parser::Span;
use serde::{Deserialize, Serialize};

/// The seriousness of a finding, ordered from most to least serious, so
/// `Severity::Error < Severity::Style`, as in hadolint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Style,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        }
    }

    /// Returns whether a finding of this severity reaches `threshold` (is at least as serious).
    pub fn reaches(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The error of parsing a severity word.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid severity `{0}`: expected error, warning, info or style")]
pub struct InvalidSeverity(pub String);

impl FromStr for Severity {
    type Err = InvalidSeverity;

    /// Parses a severity word case-insensitively.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| InvalidSeverity(text.to_string()))
    }
}

/// One finding of one rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule's stable code: `DL3020`, `BL2001`, or a BuildKit check name.
    pub code: std::borrow::Cow<'static, str>,
    /// The rule's kebab-case name.
    pub name: std::borrow::Cow<'static, str>,
    pub severity: Severity,
    pub message: String,
    /// The primary range in the Dockerfile, in bytes.
    pub span: Span,
    /// Secondary ranges with a note each, such as "deleted here".
    pub labels: Vec<Label>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// Adds a secondary range with its note.
    pub fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Attaches a fix, replacing any earlier one.
    pub fn fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }
}

/// A secondary range of a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// Whether a fix may be applied without a person reviewing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// The fixed file builds the same image, apart from the change the rule requests.
    Safe,
    /// The fix may change the built image in a way the author did not intend.
    Unsafe,
}

/// A change that resolves a diagnostic: text edits that are applied together or not at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// A description of the change as an imperative phrase: "Replace `ADD` with `COPY`".
    pub title: String,
    /// Edits that do not overlap each other.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    /// Whether the fix removes the syntax error of the instruction it edits. Other fixes
    /// are not applied to an instruction with a syntax error, whose meaning is uncertain.
    #[serde(skip)]
    pub repairs_syntax_error: bool,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            edits,
            applicability: Applicability::Safe,
            repairs_syntax_error: false,
        }
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            edits,
            applicability: Applicability::Unsafe,
            repairs_syntax_error: false,
        }
    }

    /// Marks the fix as one that removes the syntax error of the instruction it edits.
    pub fn repairing(mut self) -> Fix {
        self.repairs_syntax_error = true;
        self
    }

    /// Returns the smallest span that covers every edit, or `None` for a fix without edits.
    pub fn span(&self) -> Option<Span> {
        let first = self.edits.first()?.span;
        Some(
            self.edits
                .iter()
                .fold(first, |covered, edit| covered.cover(edit.span)),
        )
    }
}

/// Replaces the text in `span` with `replacement`; an empty span inserts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn replace(span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            span: Span::empty(at),
            replacement: text.into(),
        }
    }

    pub fn delete(span: Span) -> Edit {
        Edit {
            span,
            replacement: String::new(),
        }
    }
}
