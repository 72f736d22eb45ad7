//! The checks of BuildKit's second phase (`instructions.Parse`): arity, flags, FROM's
//! shape, HEALTHCHECK types, ONBUILD triggers and what may come before the first FROM.
//! Messages use BuildKit's words so users can compare them with `docker build`.

use crate::Span;
use crate::syntax::{Args, Command, Dockerfile, ErrorKind, Instruction, Keyword, Node, NodeKind, SyntaxError};

/// How a flag takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagType {
    Bool,
    String,
    /// A string flag that may be given more than once.
    Strings,
}

fn known_flags(keyword: Keyword) -> Option<&'static [(&'static str, FlagType)]> {
    use FlagType::*;
    Some(match keyword {
        Keyword::From => &[("platform", String)],
        Keyword::Run => &[("mount", Strings), ("network", String), ("security", String), ("device", Strings)],
        Keyword::Copy => &[
            ("from", String),
            ("chown", String),
            ("chmod", String),
            ("link", Bool),
            ("parents", Bool),
            ("exclude", Strings),
        ],
        Keyword::Add => &[
            ("chown", String),
            ("chmod", String),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", String),
            ("unpack", Bool),
            ("exclude", Strings),
        ],
        Keyword::Healthcheck => &[
            ("interval", String),
            ("timeout", String),
            ("start-period", String),
            ("start-interval", String),
            ("retries", String),
        ],
        // ARG and STOPSIGNAL never parse their flags, so BuildKit ignores any.
        Keyword::Arg | Keyword::Stopsignal | Keyword::Unknown => return None,
        _ => &[],
    })
}

/// Appends the second-phase errors of every instruction to `dockerfile.errors`, keeping
/// the errors in source order.
pub(crate) fn validate(dockerfile: &mut Dockerfile) {
    let (errors, _) = instruction_errors(&dockerfile.nodes, &dockerfile.errors, false);
    dockerfile.errors.extend(errors);
    sort_errors(&mut dockerfile.errors);
}

/// Sorts errors by span. The sort is stable, so errors with the same span keep their order.
pub(crate) fn sort_errors(errors: &mut [SyntaxError]) {
    errors.sort_by_key(|error| (error.span.start, error.span.end));
}

/// Returns the second-phase errors of the instructions in `nodes`, in node order, and
/// whether a FROM comes before the end of `nodes`. `seen_from` is whether a FROM comes
/// before `nodes`. `parse_errors` must contain the first-phase errors of `nodes`, and other
/// errors in it do not matter.
pub(crate) fn instruction_errors(
    nodes: &[Node],
    parse_errors: &[SyntaxError],
    mut seen_from: bool,
) -> (Vec<SyntaxError>, bool) {
    let mut errors = Vec::new();
    let mut parse_error_starts: Vec<usize> =
        parse_errors.iter().filter(|error| error.kind == ErrorKind::Parse).map(|error| error.span.start).collect();
    parse_error_starts.sort_unstable();
    for node in nodes {
        let NodeKind::Instruction(instruction) = &node.kind else { continue };
        if instruction.keyword == Keyword::From {
            seen_from = true;
        } else if !seen_from && !matches!(instruction.keyword, Keyword::Arg | Keyword::Unknown) {
            errors.push(error(instruction.keyword_span, "no build stage in current context"));
        }
        // BuildKit stops at an instruction's first-phase error, so the second phase never
        // sees it; checking its arity again would report a second, misleading error.
        let first_at_or_after = parse_error_starts.partition_point(|&start| start < instruction.span.start);
        let has_parse_error =
            parse_error_starts.get(first_at_or_after).is_some_and(|&start| instruction.span.contains(start));
        if has_parse_error {
            continue;
        }
        check_instruction(instruction, &mut errors);
    }
    (errors, seen_from)
}

fn error(span: Span, message: impl Into<String>) -> SyntaxError {
    SyntaxError { message: message.into(), span, kind: ErrorKind::Instruction }
}

fn check_instruction(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let name = instruction.keyword.as_str();
    let at = instruction.keyword_span;

    if instruction.keyword == Keyword::Unknown {
        let mut message = format!("unknown instruction: {}", instruction.keyword_text);
        if let Some(suggestion) = suggest_keyword(&instruction.keyword_text) {
            message.push_str(&format!(" (did you mean {}?)", suggestion.to_lowercase()));
        }
        errors.push(error(at, message));
        return;
    }

    check_flags(instruction, errors);
    let words = instruction.args.words();
    match instruction.keyword {
        Keyword::Maintainer | Keyword::Workdir | Keyword::User | Keyword::Stopsignal if words.len() != 1 => {
            errors.push(error(at, format!("{name} requires exactly one argument")));
        }
        Keyword::Env | Keyword::Label => check_key_values(instruction, errors),
        Keyword::Expose | Keyword::Volume | Keyword::Arg | Keyword::Shell if words.is_empty() => {
            errors.push(error(at, format!("{name} requires at least one argument")));
        }
        Keyword::Shell if !instruction.is_exec_form() => {
            errors.push(error(instruction.rest_span, "SHELL requires the arguments to be in JSON form"));
        }
        Keyword::Volume => {
            for word in words.iter().filter(|word| word.value.trim().is_empty()) {
                errors.push(error(word.span, "VOLUME specified can not be an empty string"));
            }
        }
        Keyword::Add | Keyword::Copy if words.len() < 2 && instruction.heredocs.is_empty() => {
            let message = format!(
                "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
            );
            errors.push(error(at, message));
        }
        Keyword::From => check_from(instruction, errors),
        Keyword::Healthcheck => check_healthcheck(instruction, errors),
        Keyword::Onbuild => check_onbuild(instruction, errors),
        _ => {}
    }
}

fn check_key_values(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let name = instruction.keyword.as_str();
    let Args::KeyValues { pairs } = &instruction.args else {
        errors.push(error(instruction.keyword_span, format!("{name} requires at least one argument")));
        return;
    };
    if instruction.keyword == Keyword::Env {
        for pair in pairs.iter().filter(|pair| pair.key.value.is_empty()) {
            errors.push(error(pair.key.span.cover(pair.value.span), "ENV names can not be blank"));
        }
    }
}

fn check_flags(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let Some(known) = known_flags(instruction.keyword) else { return };
    if instruction.keyword == Keyword::Healthcheck && healthcheck_kind(instruction).as_deref() == Some("NONE") {
        return;
    }
    let mut seen: Vec<&str> = Vec::new();
    for flag in &instruction.flags {
        let Some(&(_, flag_type)) = known.iter().find(|(name, _)| *name == flag.name) else {
            errors.push(error(flag.span, format!("unknown flag: --{}", flag.name)));
            continue;
        };
        if flag_type != FlagType::Strings && seen.contains(&flag.name.as_str()) {
            errors.push(error(flag.span, format!("duplicate flag specified: --{}", flag.name)));
        }
        seen.push(&flag.name);
        match (flag_type, flag.value.as_deref()) {
            (FlagType::Bool, Some(value)) if value.is_empty() => {
                errors.push(error(flag.span, format!("missing a value on flag: --{}", flag.name)));
            }
            (FlagType::Bool, Some(value)) if !matches!(value.to_lowercase().as_str(), "true" | "false") => {
                errors.push(error(flag.span, format!("expecting boolean value for flag {}, not: {value}", flag.name)));
            }
            (FlagType::String | FlagType::Strings, None) => {
                errors.push(error(flag.span, format!("missing a value on flag: --{}", flag.name)));
            }
            _ => {}
        }
    }
}

fn check_from(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let words = instruction.args.words();
    if words.len() != 1 && !(words.len() == 3 && words[1].value.eq_ignore_ascii_case("as")) {
        errors.push(error(instruction.keyword_span, "FROM requires either one or three arguments"));
        return;
    }
    if let Some(name) = words.get(2) {
        let lower = name.value.to_lowercase();
        if !is_valid_stage_name(&lower) {
            // Quoted as Go's `%q` quotes it, so the message is the one BuildKit prints.
            let message = format!(
                "invalid name for build stage: {}, name can't start with a number or contain symbols",
                crate::dump::go_quote(&name.value)
            );
            errors.push(error(name.span, message));
        }
    }
}

/// BuildKit's stage-name pattern: `^[a-z][a-z0-9-_.]*$`.
pub fn is_valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

fn healthcheck_kind(instruction: &Instruction) -> Option<String> {
    match &instruction.args {
        Args::Healthcheck { kind: Some(kind), .. } => Some(kind.value.to_uppercase()),
        _ => None,
    }
}

fn check_healthcheck(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let Args::Healthcheck { kind, command } = &instruction.args else { return };
    let Some(kind) = kind else {
        errors.push(error(instruction.keyword_span, "HEALTHCHECK requires at least one argument"));
        return;
    };
    match kind.value.to_uppercase().as_str() {
        "NONE" if command.is_some() => {
            errors.push(error(kind.span, "HEALTHCHECK NONE takes no arguments"));
        }
        "NONE" => {}
        "CMD" => match command {
            None => errors.push(error(kind.span, "Missing command after HEALTHCHECK CMD")),
            Some(Command::Exec(words)) if words.is_empty() => {
                errors.push(error(kind.span, "Missing command after HEALTHCHECK CMD"));
            }
            Some(_) => {}
        },
        other => errors.push(error(kind.span, format!("Unknown type {other:?} in HEALTHCHECK (try CMD)"))),
    }
}

fn check_onbuild(instruction: &Instruction, errors: &mut Vec<SyntaxError>) {
    let Args::Onbuild { trigger } = &instruction.args else { return };
    let Some(trigger) = trigger else {
        errors.push(error(instruction.keyword_span, "ONBUILD requires at least one argument"));
        return;
    };
    match trigger.keyword {
        Keyword::Onbuild => {
            errors.push(error(trigger.keyword_span, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"));
        }
        Keyword::From | Keyword::Maintainer => {
            let message = format!("{} isn't allowed as an ONBUILD trigger", trigger.keyword.as_str());
            errors.push(error(trigger.keyword_span, message));
        }
        _ => {}
    }
}

/// The known keyword closest to a misspelt one, by edit distance, when it is close enough.
pub fn suggest_keyword(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    Keyword::ALL
        .iter()
        .map(|keyword| (keyword.as_str(), edit_distance(&lower, &keyword.as_str().to_lowercase())))
        .filter(|&(_, distance)| distance <= 2 && distance < lower.len())
        .min_by_key(|&(_, distance)| distance)
        .map(|(keyword, _)| keyword)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use crate::parse;

    #[test]
    fn parse_error_suppresses_arity_error() {
        let tree = parse("FROM a\nENV PATH\n");
        let messages: Vec<&str> = tree.errors.iter().map(|error| error.message.as_str()).collect();
        assert_eq!(messages, ["ENV must have two arguments"]);
    }

    /// The stage name is quoted as BuildKit quotes it with Go's `%q`: a control character
    /// as `\x01`, printable Unicode kept.
    #[test]
    fn invalid_stage_name_is_quoted_as_go_does() {
        let tree = parse("FROM alpine AS a\u{1}B说\n");
        let messages: Vec<&str> = tree.errors.iter().map(|error| error.message.as_str()).collect();
        assert_eq!(
            messages,
            ["invalid name for build stage: \"a\\x01B说\", name can't start with a number or contain symbols"]
        );
    }
}
