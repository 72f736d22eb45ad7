//! `RUN --mount=…` values: comma-separated `key=value` fields (CSV quoting), read left to
//! right with BuildKit's rules.

use serde::Serialize;

use crate::Span;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
    /// A type BuildKit rejects (`unsupported mount type`).
    Other(String),
}

/// One `key` or `key=value` field of a mount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MountOption {
    /// The key in lower case.
    pub key: String,
    pub value: Option<String>,
    /// The field in the source; the whole flag when the value was quoted.
    pub span: Span,
}

/// A parsed `--mount` flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub mount_type: MountType,
    pub options: Vec<MountOption>,
    /// Problems BuildKit reports for this mount, with the span they concern.
    pub errors: Vec<(String, Span)>,
    pub span: Span,
}

const KEYS: &[&str] = &[
    "type", "from", "source", "src", "target", "dst", "destination", "readonly", "ro", "readwrite", "rw",
    "required", "size", "id", "sharing", "mode", "uid", "gid", "env",
];

impl Mount {
    /// Parses the value of a `--mount` flag. `value_span` is the value's span in the
    /// source (quotes included) and `exact` says whether the source text equals `value`,
    /// so option spans can be exact.
    pub fn parse(value: &str, value_span: Span, exact: bool) -> Mount {
        let mut mount =
            Mount { mount_type: MountType::Bind, options: Vec::new(), errors: Vec::new(), span: value_span };
        for (field, offset) in csv_fields(value) {
            let span = if exact {
                Span::new(value_span.start + offset, value_span.start + offset + field.len())
            } else {
                value_span
            };
            let (key, field_value) = match field.split_once('=') {
                Some((key, field_value)) => (key.trim().to_lowercase(), Some(field_value.to_string())),
                None => (field.trim().to_lowercase(), None),
            };
            mount.check_option(&key, field_value.as_deref(), span);
            mount.options.push(MountOption { key, value: field_value, span });
        }
        mount
    }

    fn check_option(&mut self, key: &str, value: Option<&str>, span: Span) {
        if !KEYS.contains(&key) {
            self.errors.push((format!("unexpected key '{key}' in '{key}={}'", value.unwrap_or("")), span));
            return;
        }
        match key {
            "type" => {
                let kind = value.unwrap_or("").to_lowercase();
                self.mount_type = match kind.as_str() {
                    "bind" => MountType::Bind,
                    "cache" => MountType::Cache,
                    "tmpfs" => MountType::Tmpfs,
                    "secret" => MountType::Secret,
                    "ssh" => MountType::Ssh,
                    _ => {
                        self.errors.push((format!("unsupported mount type {:?}", value.unwrap_or("")), span));
                        MountType::Other(kind)
                    }
                };
            }
            "required" if !matches!(self.mount_type, MountType::Secret | MountType::Ssh) => {
                let kind = self.type_name();
                self.errors.push((format!("unexpected key 'required' for mount type '{kind}'"), span));
            }
            "from" if value.is_some_and(|from| from.trim_end_matches('$').contains('$')) => {
                let message = "'from' doesn't support variable expansion, define alias stage instead";
                self.errors.push((message.to_string(), span));
            }
            "sharing" if !matches!(value.map(str::to_lowercase).as_deref(), Some("shared" | "private" | "locked")) => {
                self.errors.push((format!("unsupported sharing value {:?}", value.unwrap_or("")), span));
            }
            _ => {}
        }
    }

    fn type_name(&self) -> &str {
        match &self.mount_type {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
            MountType::Other(other) => other,
        }
    }

    /// The value of the first option named by any of `keys`.
    pub fn get(&self, keys: &[&str]) -> Option<&str> {
        self.options.iter().find(|option| keys.contains(&option.key.as_str())).and_then(|o| o.value.as_deref())
    }

    /// The mount point: `target`, `dst` or `destination`.
    pub fn target(&self) -> Option<&str> {
        self.get(&["target", "dst", "destination"])
    }

    pub fn source(&self) -> Option<&str> {
        self.get(&["source", "src"])
    }

    pub fn from(&self) -> Option<&str> {
        self.get(&["from"])
    }

    pub fn id(&self) -> Option<&str> {
        self.get(&["id"])
    }
}

/// Splits a CSV record on commas, honouring double quotes (`""` inside quotes is a quote).
/// Returns each field with quotes removed and its offset in `text`.
fn csv_fields(text: &str) -> Vec<(String, usize)> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut chars = text.char_indices().peekable();
    while let Some((index, ch)) = chars.next() {
        match ch {
            '"' if in_quotes && chars.peek().map(|&(_, next)| next) == Some('"') => {
                field.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => {
                fields.push((std::mem::take(&mut field), start));
                start = index + 1;
            }
            _ => field.push(ch),
        }
    }
    if !text.is_empty() {
        fields.push((field, start));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_fields() {
        let text = "type=cache,target=/root/.cache,sharing=locked";
        let mount = Mount::parse(text, Span::new(100, 100 + text.len()), true);
        assert_eq!(mount.mount_type, MountType::Cache);
        assert_eq!(mount.target(), Some("/root/.cache"));
        assert!(mount.errors.is_empty());
        assert_eq!(mount.options[1].span, Span::new(111, 130));
    }

    #[test]
    fn required_before_type_is_rejected() {
        let mount = Mount::parse("required,type=secret,id=x", Span::new(0, 25), true);
        assert_eq!(mount.errors.len(), 1);
        let mount = Mount::parse("type=secret,required,id=x", Span::new(0, 25), true);
        assert!(mount.errors.is_empty());
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(csv_fields("a=\"x,y\",b"), vec![("a=x,y".to_string(), 0), ("b".to_string(), 8)]);
    }
}
