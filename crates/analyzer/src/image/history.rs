//! The image config's history: which entry made which layer, and the instruction text of each
//! entry with the builders' decorations removed.

use serde::{Deserialize, Serialize};

/// The parts of an image config that the analysis reads. Parsed leniently: configs without
/// `architecture` or `os`, or with unknown fields, are accepted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigFile {
    #[serde(default)]
    pub architecture: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default)]
    pub history: Vec<RawHistory>,
    /// The container settings that describe what a container runs, or `None` when the config has no
    /// `config` object.
    #[serde(default)]
    pub config: Option<RuntimeConfig>,
}

/// The fields of the config's `config` object that decide what a container runs, and the shell
/// of shell-form instructions. They contain what the image's own Dockerfile set and what it
/// inherited from its base image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RuntimeConfig {
    #[serde(rename = "Entrypoint", default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(rename = "Cmd", default)]
    pub cmd: Option<Vec<String>>,
    /// `NAME=VALUE` entries.
    #[serde(rename = "Env", default)]
    pub env: Option<Vec<String>>,
    /// The shell that the last `SHELL` instruction set.
    #[serde(rename = "Shell", default)]
    pub shell: Option<Vec<String>>,
}

/// The builders' shell for shell-form RUN when no `SHELL` instruction set one.
const DEFAULT_SHELL: &str = "/bin/sh -c";

impl ConfigFile {
    /// Records on each history entry the shell of its RUN: the last `SHELL` entry's value, or,
    /// when the history has no `SHELL` entry, the config's `Shell`.
    pub fn resolve_shells(&mut self) {
        let has_shell_entry = self
            .history
            .iter()
            .any(|entry| entry.created_by.as_deref().and_then(shell_of_entry).is_some());
        let mut current = match &self.config {
            Some(RuntimeConfig {
                shell: Some(shell), ..
            }) if !has_shell_entry && !shell.is_empty() => Some(shell.join(" ")),
            _ => None,
        };
        for entry in &mut self.history {
            entry.shell = current.clone();
            if let Some(shell) = entry.created_by.as_deref().and_then(shell_of_entry) {
                current = Some(shell);
            }
        }
    }
}

/// Returns the shell that a `SHELL` entry sets, its words joined by spaces as builders record a
/// RUN. Reads `SHELL [/bin/busybox sh -c]` (classic builder, BuildKit) and buildah's JSON list.
fn shell_of_entry(created_by: &str) -> Option<String> {
    let instruction = normalize_instruction(created_by);
    let list = instruction.strip_prefix("SHELL ")?.trim();
    let inner = list.strip_prefix('[')?.strip_suffix(']')?;
    let words: Vec<String> = match serde_json::from_str::<Vec<String>>(list) {
        Ok(words) => words,
        Err(_) => inner.split_whitespace().map(str::to_owned).collect(),
    };
    (!words.is_empty()).then(|| words.join(" "))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawHistory {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
    /// The shell that a RUN of this entry ran with, when it is not the default; set by
    /// [`ConfigFile::resolve_shells`].
    #[serde(skip)]
    pub shell: Option<String>,
}

/// One history entry, with the layer it made.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// Index of the layer this entry made; `None` for entries with `empty_layer` and when the
    /// history does not match the layers.
    pub layer: Option<usize>,
    pub empty_layer: bool,
    pub created_by: Option<String>,
    /// `created_by` as a Dockerfile instruction, see [`normalize_instruction`].
    pub instruction: Option<String>,
    pub created: Option<String>,
    pub comment: Option<String>,
}

/// Pairs history entries with layers: the k-th entry without `empty_layer` made the k-th layer.
/// Returns the entries and, when the count of such entries differs from `layers`, a message
/// saying so (then no entry gets a layer, because any pairing would be a guess).
pub fn pair_history(raw: &[RawHistory], layers: usize) -> (Vec<HistoryEntry>, Option<String>) {
    let non_empty = raw.iter().filter(|entry| !entry.empty_layer).count();
    let consistent = non_empty == layers;
    let mismatch = (!consistent && !raw.is_empty()).then(|| {
        format!(
            "the config's history has {} that {} a layer but the image has {}; \
             layers are shown without their history entry",
            count(non_empty, "entry", "entries"),
            if non_empty == 1 { "makes" } else { "make" },
            count(layers, "layer", "layers"),
        )
    });

    let mut next_layer = 0;
    let entries = raw
        .iter()
        .map(|entry| {
            let layer = if entry.empty_layer || !consistent {
                None
            } else {
                next_layer += 1;
                Some(next_layer - 1)
            };
            HistoryEntry {
                layer,
                empty_layer: entry.empty_layer,
                created_by: entry.created_by.clone(),
                instruction: entry
                    .created_by
                    .as_deref()
                    .map(|text| normalize_with_shell(text, entry.shell.as_deref())),
                created: entry.created.clone(),
                comment: entry.comment.clone(),
            }
        })
        .collect();
    (entries, mismatch)
}

/// Writes `number` with the singular or plural noun that fits it.
pub(crate) fn count(number: usize, singular: &str, plural: &str) -> String {
    format!("{number} {}", if number == 1 { singular } else { plural })
}

/// Turns a `created_by` string into the instruction it records, as the classic builder,
/// BuildKit and buildah write them:
///
/// - `/bin/sh -c #(nop)  ENV A=1` (classic builder, buildah) → `ENV A=1`
/// - `RUN /bin/sh -c make # buildkit` (BuildKit) → `RUN make`
/// - `|1 BA=1 /bin/sh -c dd …` (classic builder RUN after an ARG) → `RUN dd …`
/// - `/bin/busybox --install -s /bin` (classic builder exec-form RUN) → `RUN /bin/busybox …`
pub fn normalize_instruction(created_by: &str) -> String {
    normalize_with_shell(created_by, None)
}

/// Turns a `created_by` string into its instruction like [`normalize_instruction`], and also
/// removes `shell`, which builders write before a shell-form RUN command, from a RUN.
pub fn normalize_with_shell(created_by: &str, shell: Option<&str>) -> String {
    let mut text = created_by.trim();
    if let Some(stripped) = text.strip_suffix("# buildkit") {
        text = stripped.trim_end();
    }
    if let Some(at) = text.find("#(nop)") {
        return text[at + "#(nop)".len()..].trim().to_owned();
    }

    let body = text.strip_prefix("RUN ").unwrap_or(text);
    let body = strip_build_args(body);
    // buildah records the default shell whatever `SHELL` set, so it is removed in any case.
    let body = shell
        .into_iter()
        .chain([DEFAULT_SHELL])
        .find_map(|shell| body.strip_prefix(shell)?.strip_prefix(' '))
        .unwrap_or(body);
    if text.starts_with("RUN ") || !starts_with_keyword(text) {
        return format!("RUN {}", body.trim());
    }
    text.to_owned()
}

/// Removes the `|N K=V …` prefix both builders put before a RUN command when build arguments
/// are in scope.
fn strip_build_args(text: &str) -> &str {
    let Some(rest) = text.strip_prefix('|') else {
        return text;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Ok(count) = rest[..digits].parse::<usize>() else {
        return text;
    };
    let mut rest = rest[digits..].trim_start();
    for _ in 0..count {
        match rest.find(' ') {
            Some(at) => rest = rest[at..].trim_start(),
            None => return "",
        }
    }
    rest
}

fn starts_with_keyword(text: &str) -> bool {
    const KEYWORDS: [&str; 17] = [
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
    ];
    let word = text.split_whitespace().next().unwrap_or("");
    KEYWORDS.contains(&word) || word == "WORKDIR"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_classic_builder_forms() {
        assert_eq!(
            normalize_instruction("/bin/sh -c #(nop)  ENV FOO=bar"),
            "ENV FOO=bar"
        );
        assert_eq!(
            normalize_instruction("/bin/sh -c #(nop) COPY file:abc in /bin/busybox "),
            "COPY file:abc in /bin/busybox"
        );
        assert_eq!(
            normalize_instruction("/bin/sh -c mkdir -p /srv"),
            "RUN mkdir -p /srv"
        );
        assert_eq!(
            normalize_instruction("|1 BA=1 /bin/sh -c dd if=/dev/zero of=/x"),
            "RUN dd if=/dev/zero of=/x"
        );
        assert_eq!(
            normalize_instruction("/bin/busybox --install -s /bin"),
            "RUN /bin/busybox --install -s /bin"
        );
    }

    #[test]
    fn normalize_buildkit_forms() {
        assert_eq!(
            normalize_instruction("RUN /bin/sh -c chmod 600 /x # buildkit"),
            "RUN chmod 600 /x"
        );
        assert_eq!(
            normalize_instruction("COPY busybox /bin/busybox # buildkit"),
            "COPY busybox /bin/busybox"
        );
        assert_eq!(normalize_instruction("WORKDIR /data"), "WORKDIR /data");
        assert_eq!(
            normalize_instruction("RUN |1 BA=1 /bin/sh -c dd if=/dev/zero # buildkit"),
            "RUN dd if=/dev/zero"
        );
    }

    /// Parses a config with the given `created_by` history and `config` object, resolves the
    /// shells, and returns each entry's instruction.
    fn instructions(created_by: &[&str], config: serde_json::Value) -> Vec<String> {
        let history: Vec<serde_json::Value> = created_by
            .iter()
            .map(|text| serde_json::json!({"created_by": text, "empty_layer": true}))
            .collect();
        let json = serde_json::json!({"history": history, "config": config});
        let mut parsed: ConfigFile = serde_json::from_value(json).unwrap();
        parsed.resolve_shells();
        let (entries, _) = pair_history(&parsed.history, 0);
        entries
            .into_iter()
            .map(|entry| entry.instruction.unwrap())
            .collect()
    }

    #[test]
    fn shell_entry_classic_builder() {
        let found = instructions(
            &[
                "/bin/busybox sh -c echo early",
                "/bin/sh -c #(nop)  SHELL [/bin/busybox sh -c]",
                "/bin/busybox sh -c #(nop)  ENV A=1",
                "/bin/busybox sh -c echo hi > /y",
                "|1 BA=1 /bin/busybox sh -c echo $BA > /x",
            ],
            serde_json::json!({"Shell": ["/bin/busybox", "sh", "-c"]}),
        );
        assert_eq!(
            found,
            [
                "RUN /bin/busybox sh -c echo early",
                "SHELL [/bin/busybox sh -c]",
                "ENV A=1",
                "RUN echo hi > /y",
                "RUN echo $BA > /x",
            ]
        );
    }

    #[test]
    fn shell_entry_buildkit() {
        let found = instructions(
            &[
                "RUN /bin/sh -c echo before # buildkit",
                "SHELL [/bin/busybox sh -c]",
                "RUN /bin/busybox sh -c echo hi > /y # buildkit",
                "RUN |1 BA=1 /bin/busybox sh -c echo $BA # buildkit",
                "SHELL [/bin/sh -c]",
                "RUN /bin/sh -c echo after # buildkit",
            ],
            serde_json::json!({}),
        );
        assert_eq!(
            found,
            [
                "RUN echo before",
                "SHELL [/bin/busybox sh -c]",
                "RUN echo hi > /y",
                "RUN echo $BA",
                "SHELL [/bin/sh -c]",
                "RUN echo after",
            ]
        );
    }

    #[test]
    fn shell_entry_buildah_json() {
        let found = instructions(
            &[
                "/bin/sh -c #(nop) SHELL [\"/bin/busybox\",\"sh\",\"-c\"]",
                "/bin/busybox sh -c echo hi",
                "/bin/sh -c echo default",
            ],
            serde_json::json!({}),
        );
        assert_eq!(found[1], "RUN echo hi");
        assert_eq!(found[2], "RUN echo default");
    }

    #[test]
    fn config_shell_without_shell_entry() {
        let found = instructions(
            &["/bin/busybox sh -c echo hi", "RUN /bin/busybox sh -c echo two # buildkit"],
            serde_json::json!({"Shell": ["/bin/busybox", "sh", "-c"]}),
        );
        assert_eq!(found, ["RUN echo hi", "RUN echo two"]);

        let without = instructions(&["/bin/busybox sh -c echo hi"], serde_json::json!({}));
        assert_eq!(without, ["RUN /bin/busybox sh -c echo hi"]);
    }

    #[test]
    fn pair_history_skips_empty_entries() {
        let raw = vec![
            RawHistory {
                created_by: Some("COPY a /a".into()),
                ..Default::default()
            },
            RawHistory {
                created_by: Some("ENV A=1".into()),
                empty_layer: true,
                ..Default::default()
            },
            RawHistory {
                created_by: Some("RUN x".into()),
                ..Default::default()
            },
        ];
        let (entries, mismatch) = pair_history(&raw, 2);
        assert!(mismatch.is_none());
        assert_eq!(entries[0].layer, Some(0));
        assert_eq!(entries[1].layer, None);
        assert_eq!(entries[2].layer, Some(1));
    }

    #[test]
    fn pair_history_refuses_mismatched_counts() {
        let raw = vec![
            RawHistory {
                created_by: Some("COPY a /a".into()),
                ..Default::default()
            },
            RawHistory {
                created_by: Some("RUN x".into()),
                ..Default::default()
            },
        ];
        let (entries, mismatch) = pair_history(&raw, 1);
        let mismatch = mismatch.unwrap();
        assert!(mismatch.contains("2 entries that make a layer"), "{mismatch}");
        assert!(mismatch.contains("the image has 1 layer;"), "{mismatch}");
        assert!(entries.iter().all(|entry| entry.layer.is_none()));
    }

    #[test]
    fn mismatch_message_uses_singular() {
        let raw = vec![RawHistory {
            created_by: Some("COPY a /a".into()),
            ..Default::default()
        }];
        let (_, mismatch) = pair_history(&raw, 2);
        let mismatch = mismatch.unwrap();
        assert!(mismatch.contains("has 1 entry that makes a layer"), "{mismatch}");
        assert!(mismatch.contains("the image has 2 layers;"), "{mismatch}");
    }
}
