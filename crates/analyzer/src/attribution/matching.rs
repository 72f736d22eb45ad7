//! Whether a history entry records a given instruction.
//!
//! The entry text is `created_by` after `image::history::normalize_instruction`, so it starts
//! with the instruction's keyword (`RUN` for every command the classic builder recorded).
//! Keywords must agree, with COPY and ADD kept apart. A RUN entry must also end with the
//! instruction's command words: the classic builder may put a `SHELL` value before them, the
//! exec form is recorded as its words joined, and buildah keeps the JSON brackets, so
//! brackets, quotes and commas are ignored on both sides. A RUN with heredocs is checked by
//! keyword only, because builders record heredoc bodies in different ways.

use ballast_parser::{Instruction, Keyword};

use crate::model::Inst;

/// The outcome of comparing one entry with one instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryMatch {
    Yes,
    No,
}

/// Compares a normalized history entry with an instruction of the model.
pub fn match_entry(entry: &str, inst: &Inst<'_>) -> EntryMatch {
    if matches_instruction(entry, inst.syntax) {
        EntryMatch::Yes
    } else {
        EntryMatch::No
    }
}

/// Returns whether the normalized history entry `entry` records `instruction`.
pub fn matches_instruction(entry: &str, instruction: &Instruction) -> bool {
    let mut words = entry.split_whitespace();
    let entry_keyword = Keyword::parse(words.next().unwrap_or(""));
    if entry_keyword != instruction.keyword || entry_keyword == Keyword::Unknown {
        return false;
    }
    if entry_keyword != Keyword::Run || !instruction.heredocs.is_empty() {
        return true;
    }

    let recorded = command_words(
        entry
            .split_once(char::is_whitespace)
            .map_or("", |(_, rest)| rest),
    );
    let written = command_words(&instruction.rest);
    !written.is_empty() && recorded.ends_with(&written)
}

/// Splits a command into words, ignoring JSON brackets, quotes, commas and continuation
/// markers, so the shell form, the exec form and the classic builder's joined argv compare
/// equal.
fn command_words(text: &str) -> Vec<String> {
    let cleaned: String = text
        .replace("\\\r\n", " ")
        .replace("\\\n", " ")
        .chars()
        .map(|c| match c {
            '[' | ']' | '"' | '\'' | ',' => ' ',
            other => other,
        })
        .collect();
    cleaned.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ballast_parser::parse;

    fn first_instruction(text: &str) -> Instruction {
        let tree = parse(text);
        tree.instructions().next().expect("one instruction").clone()
    }

    #[test]
    fn run_shell_form_with_shell_prefix() {
        let run = first_instruction("RUN echo hi && true\n");
        assert!(matches_instruction("RUN echo hi && true", &run));
        assert!(matches_instruction(
            "RUN /bin/busybox sh -c echo hi && true",
            &run
        ));
        assert!(!matches_instruction("RUN echo bye && true", &run));
    }

    #[test]
    fn run_exec_form_three_ways() {
        let run = first_instruction("RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n");
        assert!(matches_instruction(
            "RUN /bin/busybox --install -s /bin",
            &run
        ));
        assert!(matches_instruction(
            "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]",
            &run
        ));
        assert!(!matches_instruction("COPY file:abc in /bin", &run));
    }

    #[test]
    fn copy_and_add_stay_apart() {
        let copy = first_instruction("COPY a /a\n");
        assert!(matches_instruction("COPY file:0123 in /a", &copy));
        assert!(matches_instruction("COPY a /a", &copy));
        assert!(!matches_instruction("ADD file:0123 in /a", &copy));
    }
}
