//! SecretsUsedInArgOrEnv: a credential passed through `ARG` or `ENV`.

use ballast_parser::expand::{Options, expand_word};

use crate::diagnostic::Severity;
use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an in-stage `ARG` or an `ENV` whose name marks its value as a credential, as
    /// BuildKit's check of the same name does. A name counts when one of its
    /// `_`-separated words is `apikey`, `auth`, `credential(s)`, `key`, `password`,
    /// `pword`, `passwd`, `secret` or `token`, in any case, and none is `public`, `file`
    /// or `version`. `ARG`s before the first `FROM` are not checked.
    ///
    /// ballast is stricter than BuildKit about what counts, to avoid its false positives:
    /// - the credential word must end the name, or be followed only by words that still
    ///   name the value (`SECRET_KEY_BASE`, `API_TOKEN_VALUE`); `KMS_KEY_ALIAS`,
    ///   `SSH_KEY_PATH` and `TOKEN_URL` name something about a credential, not the
    ///   credential itself;
    /// - a name that starts with a switch word (`REQUIRE_MFA_AUTH`, `ENABLE_TOKEN`,
    ///   `USE_AUTH`) and an `ENV` whose value is `true`, `false`, `yes`, `no`, `on`,
    ///   `off`, `0` or `1` are settings, not credentials.
    ///
    /// An `ENV` is reported as an error and an `ARG` as a warning: both values are
    /// visible in the image's history, and an `ENV` value is also stored in the image
    /// configuration and present in every container.
    ///
    /// ## Why is this bad
    /// Anyone who can pull the image can read these values with `docker history` or
    /// `docker inspect`, and build caches keep them too.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > ~/.npmrc && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > ~/.npmrc && npm ci
    /// ```
    ///
    /// ## Overlapping rules
    /// DL3064, hadolint's check, often reports the same name. The word lists differ: DL3064
    /// also matches `username` and `private` and checks the `ARG`s before the first `FROM`,
    /// while this check also matches `auth`, `key` and `credential`. To keep one rule of
    /// the pair, turn the other off: `--ignore DL3064`, `ignore = ["DL3064"]` in
    /// `.ballast.toml`, or `ignored: [DL3064]` in `.hadolint.yaml`. A Dockerfile can also
    /// skip this check with BuildKit's directive `# check=skip=SecretsUsedInArgOrEnv` at
    /// its top.
    pub SecretsUsedInArgOrEnv {
        code: "SecretsUsedInArgOrEnv",
        name: "secrets-used-in-arg-or-env",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

/// The words BuildKit's name pattern looks for (`dockerfile2llb/validations.go`).
const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// The words that BuildKit lets through: the name is about a secret, not the secret.
const ALLOWED_WORDS: &[&str] = &["public", "file", "version"];

/// Words after a credential word that still name the credential's value.
const VALUE_WORDS: &[&str] = &[
    "base",
    "value",
    "val",
    "data",
    "raw",
    "plain",
    "plaintext",
    "b64",
    "base64",
    "str",
    "string",
    "hash",
    "hex",
];

/// First words that make a name a setting that switches something on or off.
const SWITCH_WORDS: &[&str] = &[
    "require", "requires", "required", "enable", "enabled", "disable", "disabled", "use", "allow",
    "skip", "no", "with", "without", "is", "has", "should", "force", "need", "needs",
];

const BOOLEAN_VALUES: &[&str] = &["true", "false", "yes", "no", "on", "off", "0", "1"];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    let options = Options::new(model.tree.escape);
    for inst in cx.focus().instructions(model) {
        if inst.stage.is_none() {
            continue;
        }
        match &inst.args {
            Typed::Arg(decls) => {
                for decl in decls {
                    if looks_like_secret(decl.name) {
                        report(cx, decl.word.span, "ARG", decl.name, Severity::Warning);
                    }
                }
            }
            Typed::Env(pairs) => {
                let env = super::undefined_var::stage_env(model, inst.index);
                for pair in pairs.iter() {
                    let key = expand_word(&pair.key.value, &env, &options)
                        .map_or_else(|_| pair.key.value.clone(), |expansion| expansion.value);
                    let value = expand_word(&pair.value.value, &env, &options)
                        .map_or_else(|_| pair.value.value.clone(), |expansion| expansion.value);
                    let is_switch = BOOLEAN_VALUES.contains(&value.to_ascii_lowercase().as_str());
                    if looks_like_secret(&key) && !is_switch {
                        report(cx, pair.key.span, "ENV", &key, Severity::Error);
                    }
                }
            }
            _ => {}
        }
    }
}

fn report(
    cx: &mut Context<'_>,
    span: ballast_parser::Span,
    kind: &str,
    name: &str,
    severity: Severity,
) {
    let diagnostic = cx.report(
        span,
        format!("{kind} `{name}` appears to hold a credential, which anyone with the image can read: pass it as a build secret with `RUN --mount=type=secret` instead"),
    );
    diagnostic.severity = severity;
}

/// Returns whether a variable name marks its value as a credential.
pub(crate) fn looks_like_secret(name: &str) -> bool {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split('_').collect();
    if words.iter().any(|word| ALLOWED_WORDS.contains(word)) {
        return false;
    }
    let Some(last_secret) = words.iter().rposition(|word| SECRET_WORDS.contains(word)) else {
        return false;
    };
    let names_value = words[last_secret + 1..]
        .iter()
        .all(|word| VALUE_WORDS.contains(word));
    let is_switch = words
        .first()
        .is_some_and(|word| SWITCH_WORDS.contains(word));
    names_value && !is_switch
}

#[cfg(test)]
mod tests {
    use super::looks_like_secret;

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "API_TOKEN",
            "aws_secret_access_key",
            "SECRET_KEY_BASE",
            "AUTH",
            "github_token",
        ] {
            assert!(looks_like_secret(name), "{name}");
        }
    }

    #[test]
    fn names_that_are_not_secrets() {
        for name in [
            "KMS_KEY_ALIAS",
            "REQUIRE_MFA_AUTH",
            "SSH_KEY_PATH",
            "PUBLIC_KEY",
            "TOKEN_FILE",
            "KEYCLOAK_URL",
            "MONKEY",
            "NODE_VERSION",
            "PASSWORD_VERSION",
        ] {
            assert!(!looks_like_secret(name), "{name}");
        }
    }
}
