//! Inline pragmas: comments that silence rules.
//!
//! - `# ballast ignore=CODE,… [-- reason]` and `# hadolint ignore=CODE,… [# reason]` in the
//!   comment block directly above an instruction silence those codes on that instruction.
//!   Stacked pragma lines combine.
//! - `# ballast global ignore=…` and `# hadolint global ignore=…` anywhere silence the codes
//!   in the whole file.
//! - `# ballast stage ignore=…` and `# hadolint stage ignore=…` silence the codes from the
//!   next instruction to the end of its stage.
//! - BuildKit's `# check=skip=Name,…` parser directive silences BuildKit-named checks in the
//!   whole file (`skip=all` silences all of them).
//! - A `# check=skip=…` comment in the comment block above an instruction silences them on
//!   that instruction. BuildKit's block rules apply here, not hadolint's. Blank lines do not
//!   end the block, but a bare `#` line does. Only the block's first `check=` comment counts,
//!   and it is ignored when one of its options is invalid. The checks BuildKit runs over the
//!   whole file ([`FILE_LEVEL_CHECKS`]) cannot be silenced this way.
//!
//! A reason may follow the codes after `--` or `#`. Codes are comma-separated.
//!
//! hadolint's `# hadolint shell=NAME` pragma (also `# ballast shell=NAME`) silences nothing:
//! it picks the shell ShellCheck assumes, and the `shellcheck` module reads it.

use ballast_parser::{Dockerfile, NodeKind, Span};

/// The tool whose syntax a pragma uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PragmaTool {
    Ballast,
    Hadolint,
    /// BuildKit's `check=` directive or comment.
    Check,
}

impl PragmaTool {
    pub fn as_str(self) -> &'static str {
        match self {
            PragmaTool::Ballast => "ballast",
            PragmaTool::Hadolint => "hadolint",
            PragmaTool::Check => "check",
        }
    }
}

/// The instructions a pragma applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PragmaScope {
    /// The instruction with this index in the model.
    Instruction(usize),
    /// The instructions from this index to the end of its stage.
    Stage(usize),
    File,
    /// A pragma with no instruction after it; it covers nothing.
    Nothing,
}

/// One code named by a pragma, with its place in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PragmaCode {
    pub code: String,
    pub span: Span,
}

/// One ignore pragma.
#[derive(Clone, Debug)]
pub struct Pragma {
    pub tool: PragmaTool,
    pub scope: PragmaScope,
    pub codes: Vec<PragmaCode>,
    /// `check=skip=all`: every BuildKit-named check.
    pub all: bool,
    pub reason: Option<String>,
    /// The comment, from `#` to the end of the line.
    pub span: Span,
}

/// Every pragma of one file.
#[derive(Clone, Debug, Default)]
pub struct Pragmas {
    pub list: Vec<Pragma>,
    /// `# check=error=true`: BuildKit fails the build on any check finding.
    pub check_error: bool,
}

impl Pragmas {
    /// Collects the pragmas of a parsed file. `source` is the parsed text.
    pub fn parse(tree: &Dockerfile, source: &str) -> Pragmas {
        let mut pragmas = Pragmas::default();
        if let Some(directive) = tree.directive("check") {
            let options = parse_check_options(&directive.value, directive.value_span.start);
            pragmas.check_error = options.error;
            if !options.codes.is_empty() || options.all {
                pragmas.list.push(Pragma {
                    tool: PragmaTool::Check,
                    scope: PragmaScope::File,
                    codes: options.codes,
                    all: options.all,
                    reason: None,
                    span: directive.span,
                });
            }
        }

        // Pragmas in the comment block above an instruction wait here for it; a blank line
        // ends the block. A `check=` comment follows BuildKit's `PrevComment` block instead:
        // only a bare `#` line ends it, and its first `check=` comment is the one that counts.
        let mut pending: Vec<Pragma> = Vec::new();
        let mut pending_check: Option<Option<Pragma>> = None;
        let mut instruction_index = 0;
        for node in &tree.nodes {
            match &node.kind {
                NodeKind::Comment(comment) if comment.text.is_empty() => {
                    if let Some(Some(mut pragma)) = pending_check.take() {
                        pragma.scope = PragmaScope::Nothing;
                        pragmas.list.push(pragma);
                    }
                }
                NodeKind::Comment(comment) if comment.text.starts_with("check=") => {
                    let pragma = parse_comment(source, comment.span);
                    match &mut pending_check {
                        None => pending_check = Some(pragma),
                        // BuildKit reads only the first `check=` comment of the block.
                        Some(_) => {
                            if let Some(mut pragma) = pragma {
                                pragma.scope = PragmaScope::Nothing;
                                pragmas.list.push(pragma);
                            }
                        }
                    }
                }
                NodeKind::Comment(comment) => {
                    if let Some(pragma) = parse_comment(source, comment.span) {
                        if pragma.scope == PragmaScope::File {
                            pragmas.list.push(pragma);
                        } else {
                            pending.push(pragma);
                        }
                    }
                }
                NodeKind::Blank => {
                    for mut pragma in pending.drain(..) {
                        // A stage pragma covers the rest of the stage even across blank lines.
                        pragma.scope = match pragma.scope {
                            PragmaScope::Stage(_) => PragmaScope::Stage(instruction_index),
                            _ => PragmaScope::Nothing,
                        };
                        pragmas.list.push(pragma);
                    }
                }
                NodeKind::Instruction(_) => {
                    if let Some(Some(mut pragma)) = pending_check.take() {
                        pragma.scope = PragmaScope::Instruction(instruction_index);
                        pragmas.list.push(pragma);
                    }
                    for mut pragma in pending.drain(..) {
                        pragma.scope = match pragma.scope {
                            PragmaScope::Stage(_) => PragmaScope::Stage(instruction_index),
                            _ => PragmaScope::Instruction(instruction_index),
                        };
                        pragmas.list.push(pragma);
                    }
                    instruction_index += 1;
                }
                NodeKind::Directive(_) => {}
            }
        }
        pragmas
            .list
            .extend(
                pending
                    .into_iter()
                    .chain(pending_check.flatten())
                    .map(|mut pragma| {
                        pragma.scope = PragmaScope::Nothing;
                        pragma
                    }),
            );
        pragmas
    }

    /// Returns whether a finding of `code` on instruction `instruction` (in `stage`, as
    /// `stage_of` maps instructions to stages) is silenced.
    pub fn suppresses(
        &self,
        code: &str,
        name: &str,
        instruction: Option<usize>,
        stage_of: &dyn Fn(usize) -> Option<usize>,
    ) -> bool {
        self.list.iter().any(|pragma| {
            let names_code = match pragma.tool {
                // BuildKit's `skip` never turns off an experimental check.
                PragmaTool::Check => {
                    crate::rules::BUILDKIT_CHECKS.contains(&code)
                        && code != "InvalidDefinitionDescription"
                        && (pragma.scope == PragmaScope::File || !FILE_LEVEL_CHECKS.contains(&code))
                        && (pragma.all || pragma.codes.iter().any(|entry| entry.code == code))
                }
                _ => pragma
                    .codes
                    .iter()
                    .any(|entry| entry.code.eq_ignore_ascii_case(code) || entry.code == name),
            };
            names_code && pragma.covers(instruction, stage_of)
        })
    }
}

impl Pragma {
    fn covers(
        &self,
        instruction: Option<usize>,
        stage_of: &dyn Fn(usize) -> Option<usize>,
    ) -> bool {
        match (self.scope, instruction) {
            (PragmaScope::File, _) => true,
            (PragmaScope::Instruction(target), Some(instruction)) => target == instruction,
            (PragmaScope::Stage(first), Some(instruction)) => {
                instruction >= first && stage_of(instruction) == stage_of(first)
            }
            _ => false,
        }
    }
}

/// The BuildKit checks that run over the whole file, outside the per-instruction linter, so
/// a `# check=` comment above an instruction does not silence them. Only the file's
/// `# check=` directive does.
pub const FILE_LEVEL_CHECKS: [&str; 6] = [
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "InvalidBaseImagePlatform",
    "InvalidDefaultArgInFrom",
];

/// Parses one comment line (`span` from `#` to the end of the line) as a pragma.
fn parse_comment(source: &str, span: Span) -> Option<Pragma> {
    let raw = source.get(span.start + 1..span.end)?;
    let offset = span.start + 1;
    let trimmed = raw.trim_start();
    let start = offset + (raw.len() - trimmed.len());

    if let Some(value) = trimmed.strip_prefix("check=") {
        let value_start = start + "check=".len();
        let options = parse_check_options(value, value_start);
        // BuildKit ignores a `check=` comment whose options do not parse.
        if !options.valid || (options.codes.is_empty() && !options.all) {
            return None;
        }
        return Some(Pragma {
            tool: PragmaTool::Check,
            scope: PragmaScope::Instruction(0),
            codes: options.codes,
            all: options.all,
            reason: None,
            span,
        });
    }

    let (tool, rest) = if let Some(rest) = trimmed.strip_prefix("ballast") {
        (PragmaTool::Ballast, rest)
    } else if let Some(rest) = trimmed.strip_prefix("hadolint") {
        (PragmaTool::Hadolint, rest)
    } else {
        return None;
    };
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let (scope, rest) = if let Some(rest) = strip_word(rest, "global") {
        (PragmaScope::File, rest)
    } else if let Some(rest) = strip_word(rest, "stage") {
        (PragmaScope::Stage(0), rest)
    } else {
        (PragmaScope::Instruction(0), rest)
    };
    let rest = rest.strip_prefix("ignore")?.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix('=')?;
    let codes_start = start + (trimmed.len() - rest.len());
    let (codes, reason) = parse_code_list(rest, codes_start);
    if codes.is_empty() {
        return None;
    }
    Some(Pragma {
        tool,
        scope,
        codes,
        all: false,
        reason,
        span,
    })
}

fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let rest = text.strip_prefix(word)?;
    rest.starts_with([' ', '\t']).then(|| rest.trim_start())
}

/// Parses `CODE[, CODE…] [-- reason | # reason | reason]` starting at source offset `base`.
fn parse_code_list(text: &str, base: usize) -> (Vec<PragmaCode>, Option<String>) {
    let mut codes = Vec::new();
    let mut index = 0;
    let bytes = text.as_bytes();
    loop {
        while index < bytes.len() && matches!(bytes[index], b' ' | b'\t') {
            index += 1;
        }
        let code_start = index;
        while index < bytes.len()
            && (bytes[index].is_ascii_alphanumeric() || matches!(bytes[index], b'-' | b'_'))
        {
            index += 1;
        }
        if index == code_start || text[code_start..index].starts_with("--") {
            index = code_start;
            break;
        }
        codes.push(PragmaCode {
            code: normalize_code(&text[code_start..index]),
            span: Span::new(base + code_start, base + index),
        });

        let after_code = index;
        while index < bytes.len() && matches!(bytes[index], b' ' | b'\t') {
            index += 1;
        }
        if index < bytes.len() && bytes[index] == b',' {
            index += 1;
            continue;
        }
        index = after_code;
        break;
    }

    let tail = text[index..].trim();
    let reason = tail
        .strip_prefix("--")
        .or_else(|| tail.strip_prefix('#'))
        .unwrap_or(tail)
        .trim();
    (codes, (!reason.is_empty()).then(|| reason.to_string()))
}

/// Upper-cases codes of the form `dl3008`, leaving BuildKit names and rule names alone.
fn normalize_code(code: &str) -> String {
    let looks_like_code = code.len() == 6
        && code[..2].bytes().all(|b| b.is_ascii_alphabetic())
        && code[2..].bytes().all(|b| b.is_ascii_digit());
    if looks_like_code {
        code.to_ascii_uppercase()
    } else {
        code.to_string()
    }
}

/// The options of a `check=` directive or comment that ballast uses.
#[derive(Debug, Default)]
struct CheckOptions {
    codes: Vec<PragmaCode>,
    all: bool,
    error: bool,
    /// False when an option has no `=`, an unknown key or an invalid `error=` value, which
    /// BuildKit rejects.
    valid: bool,
}

/// BuildKit's `linter.ParseLintOptions`: the value up to the first blank, then up to three
/// `;`-separated `key=value` options. Unknown options are ignored here; BuildKit rejects
/// them when it builds.
fn parse_check_options(value: &str, base: usize) -> CheckOptions {
    let mut options = CheckOptions {
        valid: true,
        ..CheckOptions::default()
    };
    let value = value.split([' ', '\t']).next().unwrap_or("");
    let mut offset = 0;
    for option in value.splitn(3, ';') {
        let option_start = offset;
        offset += option.len() + 1;
        let Some((key, setting)) = option.split_once('=') else {
            options.valid = false;
            continue;
        };
        let setting_start = option_start + key.len() + 1;
        match key.trim() {
            "skip" if setting.trim() == "all" => options.all = true,
            "skip" => {
                let mut name_offset = setting_start;
                for name in setting.split(',') {
                    let trimmed = name.trim();
                    if !trimmed.is_empty() {
                        let start = base + name_offset + (name.len() - name.trim_start().len());
                        options.codes.push(PragmaCode {
                            code: trimmed.to_string(),
                            span: Span::new(start, start + trimmed.len()),
                        });
                    }
                    name_offset += name.len() + 1;
                }
            }
            "error" => match setting.trim() {
                "1" | "t" | "T" | "TRUE" | "true" | "True" => options.error = true,
                "0" | "f" | "F" | "FALSE" | "false" | "False" => options.error = false,
                _ => options.valid = false,
            },
            "experimental" => {}
            _ => options.valid = false,
        }
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragmas(text: &str) -> Pragmas {
        let tree = ballast_parser::parse(text);
        Pragmas::parse(&tree, text)
    }

    fn codes(pragma: &Pragma) -> Vec<&str> {
        pragma.codes.iter().map(|code| code.code.as_str()).collect()
    }

    #[test]
    fn ignore_above_instruction() {
        let text = "FROM a\n# ballast ignore=DL3008, dl3009 -- pinned upstream\nRUN x\n";
        let parsed = pragmas(text);
        let pragma = &parsed.list[0];
        assert_eq!(pragma.tool, PragmaTool::Ballast);
        assert_eq!(pragma.scope, PragmaScope::Instruction(1));
        assert_eq!(codes(pragma), ["DL3008", "DL3009"]);
        assert_eq!(pragma.reason.as_deref(), Some("pinned upstream"));
        assert_eq!(
            &text[pragma.codes[1].span.start..pragma.codes[1].span.end],
            "dl3009"
        );
    }

    #[test]
    fn stacked_pragmas_combine_and_blank_lines_break() {
        let text = "FROM a\n# hadolint ignore=DL3018\n#hadolint ignore=DL3019 # reason\nRUN x\n# hadolint ignore=DL1\n\nRUN y\n";
        let parsed = pragmas(text);
        assert_eq!(parsed.list[0].scope, PragmaScope::Instruction(1));
        assert_eq!(parsed.list[1].scope, PragmaScope::Instruction(1));
        assert_eq!(parsed.list[1].reason.as_deref(), Some("reason"));
        assert_eq!(parsed.list[2].scope, PragmaScope::Nothing);
    }

    #[test]
    fn global_stage_and_check() {
        let text = "# check=skip=JSONArgsRecommended,StageNameCasing;error=true\nFROM a\n# hadolint stage ignore=DL3003\nRUN a\n# hadolint global ignore=DL3059\n# check=skip=all\nRUN b\n";
        let parsed = pragmas(text);
        assert!(parsed.check_error);
        let check = &parsed.list[0];
        assert_eq!(
            (check.tool, check.scope),
            (PragmaTool::Check, PragmaScope::File)
        );
        assert_eq!(codes(check), ["JSONArgsRecommended", "StageNameCasing"]);
        assert_eq!(
            &text[check.codes[1].span.start..check.codes[1].span.end],
            "StageNameCasing"
        );
        let scopes: Vec<PragmaScope> = parsed.list.iter().map(|pragma| pragma.scope).collect();
        assert_eq!(
            scopes,
            [
                PragmaScope::File,
                PragmaScope::Stage(1),
                PragmaScope::File,
                PragmaScope::Instruction(2)
            ]
        );
        assert!(parsed.list[3].all);
    }

    #[test]
    fn comments_that_are_not_pragmas() {
        let text = "FROM a\n# hadolintignore=DL1\n# ballast ignore=\n# just a note\nRUN x\n";
        assert!(pragmas(text).list.is_empty());
    }

    fn check_scopes(text: &str) -> Vec<PragmaScope> {
        pragmas(text)
            .list
            .iter()
            .filter(|pragma| pragma.tool == PragmaTool::Check)
            .map(|pragma| pragma.scope)
            .collect()
    }

    #[test]
    fn check_comment_crosses_blank_lines() {
        let text = "FROM a\n# check=skip=SecretsUsedInArgOrEnv\n\n\nENV TOKEN=x\n";
        assert_eq!(check_scopes(text), [PragmaScope::Instruction(1)]);
    }

    #[test]
    fn check_comment_ends_at_bare_hash() {
        let text = "FROM a\n# check=skip=SecretsUsedInArgOrEnv\n#\nENV TOKEN=x\n";
        assert_eq!(check_scopes(text), [PragmaScope::Nothing]);
    }

    #[test]
    fn only_first_check_comment_counts() {
        let text =
            "FROM a\n# check=skip=SecretsUsedInArgOrEnv\n# check=skip=UndefinedVar\nENV TOKEN=$x\n";
        let parsed = pragmas(text);
        assert_eq!(codes(&parsed.list[0]), ["UndefinedVar"]);
        assert_eq!(parsed.list[0].scope, PragmaScope::Nothing);
        assert_eq!(codes(&parsed.list[1]), ["SecretsUsedInArgOrEnv"]);
        assert_eq!(parsed.list[1].scope, PragmaScope::Instruction(1));
    }

    #[test]
    fn invalid_check_comment_ignored() {
        let text = "FROM a\n# check=skip=UndefinedVar;loud=yes\nENV A=$x\n# check=error=maybe;skip=UndefinedVar\nENV B=$x\n";
        assert!(check_scopes(text).is_empty());
    }

    #[test]
    fn invalid_first_check_comment_hides_second() {
        let text = "FROM a\n# check=nonsense\n# check=skip=UndefinedVar\nENV A=$x\n";
        assert_eq!(check_scopes(text), [PragmaScope::Nothing]);
    }

    #[test]
    fn check_comment_skips_file_level_checks_only() {
        let text = "FROM a\n# check=skip=all\nfrom b AS scratch\n";
        let parsed = pragmas(text);
        let stage_of = |_: usize| Some(0);
        for code in FILE_LEVEL_CHECKS {
            assert!(!parsed.suppresses(code, code, Some(1), &stage_of), "{code}");
        }
        assert!(parsed.suppresses("StageNameCasing", "StageNameCasing", Some(1), &stage_of));
    }

    #[test]
    fn check_directive_skips_file_level_checks() {
        let text = "# check=skip=ConsistentInstructionCasing\nFROM a\nrun x\n";
        let parsed = pragmas(text);
        let stage_of = |_: usize| Some(0);
        let code = "ConsistentInstructionCasing";
        assert!(parsed.suppresses(code, code, Some(1), &stage_of));
    }
}
