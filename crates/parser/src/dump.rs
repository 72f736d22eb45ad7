//! Text dumps of the tree: BuildKit's AST format, byte for byte, and a readable outline.

use std::fmt::Write;

use crate::LineIndex;
use crate::syntax::{Args, Command, Dockerfile, Instruction, Keyword, NodeKind};

/// Dumps the instructions in BuildKit's AST format (`parser.Node.Dump`): one line per
/// instruction, `(keyword ["--flag" …] "arg" …)`, strings quoted as Go's `strconv.Quote`.
pub fn buildkit_dump(dockerfile: &Dockerfile) -> String {
    let mut out = String::new();
    for instruction in dockerfile.instructions() {
        out.push('(');
        out.push_str(&instruction_dump(instruction));
        out.push_str(")\n");
    }
    out
}

fn instruction_dump(instruction: &Instruction) -> String {
    let mut out = instruction.keyword_text.to_lowercase();
    if !instruction.flags.is_empty() {
        let flags: Vec<String> = instruction.flags.iter().map(|flag| go_quote(&flag.text)).collect();
        let _ = write!(out, " [{}]", flags.join(" "));
    }
    let mut push = |value: &str| {
        out.push(' ');
        out.push_str(&go_quote(value));
    };
    match &instruction.args {
        // BuildKit gives an instruction it does not know one empty argument node.
        Args::None if instruction.keyword == Keyword::Unknown => push(""),
        Args::None => {}
        Args::List { words, .. } => words.iter().for_each(|word| push(&word.value)),
        Args::KeyValues { pairs } => {
            for pair in pairs {
                push(&pair.key.value);
                push(&pair.value.value);
                push(if pair.legacy { "" } else { "=" });
            }
        }
        Args::Healthcheck { kind, command } => {
            if let Some(kind) = kind {
                push(&kind.value);
            }
            match command {
                Some(Command::Exec(words)) => words.iter().for_each(|word| push(&word.value)),
                Some(Command::Shell(word)) => push(&word.value),
                None => {}
            }
        }
        Args::Onbuild { trigger } => {
            if let Some(trigger) = trigger {
                let _ = write!(out, " ({})", instruction_dump(trigger));
            }
        }
    }
    out.trim().to_string()
}

/// Quotes a string as Go's `strconv.Quote` does: `\a \b \f \n \r \t \v`, `\\` and `\"`
/// escaped, other control characters as `\x..`, non-printable characters as `\u....` or
/// `\U........`, printable Unicode kept.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !is_go_printable(c) => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Approximates Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and
/// the ASCII space. Rust's standard library has no general-category table, so this
/// excludes control, whitespace other than U+0020, and the common format characters.
fn is_go_printable(ch: char) -> bool {
    if ch == ' ' {
        return true;
    }
    if ch.is_control() || ch.is_whitespace() {
        return false;
    }
    !matches!(ch as u32,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e
        | 0x2060..=0x206f | 0xd800..=0xdfff | 0xe000..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0xf0000..=0x10ffff)
}

/// A readable outline of the tree for debugging: one line per node with its line range,
/// then the instruction's parts.
pub fn outline(dockerfile: &Dockerfile, source: &str) -> String {
    let index = LineIndex::skipping_bom(source);
    let mut out = String::new();
    let position = |offset: usize| {
        let at = index.utf8(offset);
        format!("{}:{}", at.line + 1, at.col + 1)
    };
    for node in &dockerfile.nodes {
        let range = format!("{}..{}", position(node.span.start), position(node.span.end));
        match &node.kind {
            NodeKind::Blank => {
                let _ = writeln!(out, "{range} blank");
            }
            NodeKind::Comment(comment) => {
                let _ = writeln!(out, "{range} comment {}", go_quote(&comment.text));
            }
            NodeKind::Directive(directive) => {
                let _ = writeln!(out, "{range} directive {} = {}", directive.name, go_quote(&directive.value));
            }
            NodeKind::Instruction(instruction) => {
                let _ = writeln!(out, "{range} instruction {}", instruction.keyword_text);
                for flag in &instruction.flags {
                    let _ = writeln!(out, "    flag {} @ {}", go_quote(&flag.text), position(flag.span.start));
                }
                outline_args(&mut out, &instruction.args, &position);
                for heredoc in &instruction.heredocs {
                    let _ = writeln!(
                        out,
                        "    heredoc {} chomp={} expand={} body {}",
                        go_quote(&heredoc.name),
                        heredoc.chomp,
                        heredoc.expand,
                        go_quote(&heredoc.content)
                    );
                }
            }
        }
    }
    for error in &dockerfile.errors {
        let _ = writeln!(out, "error @ {}: {}", position(error.span.start), error.message);
    }
    out
}

fn outline_args(out: &mut String, args: &Args, position: &dyn Fn(usize) -> String) {
    match args {
        Args::None => {}
        Args::List { words, json } => {
            let form = if *json { "json" } else { "words" };
            for word in words {
                let _ = writeln!(out, "    {form} {} @ {}", go_quote(&word.value), position(word.span.start));
            }
        }
        Args::KeyValues { pairs } => {
            for pair in pairs {
                let _ = writeln!(
                    out,
                    "    pair {} = {}{}",
                    go_quote(&pair.key.value),
                    go_quote(&pair.value.value),
                    if pair.legacy { " (legacy form)" } else { "" }
                );
            }
        }
        Args::Healthcheck { kind, command } => {
            if let Some(kind) = kind {
                let _ = writeln!(out, "    type {}", go_quote(&kind.value));
            }
            match command {
                Some(Command::Exec(words)) => {
                    for word in words {
                        let _ = writeln!(out, "    json {}", go_quote(&word.value));
                    }
                }
                Some(Command::Shell(word)) => {
                    let _ = writeln!(out, "    shell {}", go_quote(&word.value));
                }
                None => {}
            }
        }
        Args::Onbuild { trigger } => {
            if let Some(trigger) = trigger {
                let _ = writeln!(out, "    trigger {}", trigger.keyword_text);
                outline_args(out, &trigger.args, position);
            }
        }
    }
}
