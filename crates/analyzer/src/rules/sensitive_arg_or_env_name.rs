//! DL3064: an ARG or ENV whose name suggests a secret.

use ballast_parser::Span;

use crate::model::{Typed, unquote};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` or `ENV` whose name is a well-known credential variable
    /// (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, `NPM_TOKEN`, …) or contains `api_key`,
    /// `client_key`, `password`, `private`, `secret`, `token` or `username` (any case).
    /// `ONBUILD ARG` and `ONBUILD ENV` are checked too.
    ///
    /// ## Why is this bad
    /// ENV values are stored in the image configuration and ARG values in its build
    /// history, where anyone who can pull the image reads them. Pass secrets with
    /// `RUN --mount=type=secret` instead.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint 2.15.1 matches the substrings anywhere, so it also reports names that hold
    /// no secret: Go's `GOPRIVATE` and `GONOSUMDB`-style module settings and variables that
    /// only point to a secret file (`AWS_WEB_IDENTITY_TOKEN_FILE`). ballast skips names
    /// ending in `_FILE`, `_PATH` or `_DIR` and the Go settings `GOPRIVATE` and
    /// `GONOPRIVATE`. hadolint also checks only the first name of a multi-name `ARG`;
    /// ballast checks each.
    ///
    /// ## Overlapping rules
    /// `SecretsUsedInArgOrEnv`, BuildKit's check, often reports the same name. The word
    /// lists differ: DL3064 also matches `username` and `private` and checks the `ARG`s
    /// before the first `FROM`, while `SecretsUsedInArgOrEnv` also matches `auth`, `key`
    /// and `credential`. To keep one rule of the pair, turn the other off:
    /// `--ignore SecretsUsedInArgOrEnv`, `ignore = ["SecretsUsedInArgOrEnv"]` in
    /// `.ballast.toml`, or `ignored: [SecretsUsedInArgOrEnv]` in `.hadolint.yaml`.
    pub SensitiveArgOrEnvName {
        code: "DL3064",
        name: "sensitive-arg-or-env-name",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

/// Variables that hold credentials in common tools and CI services. The list is
/// hadolint 2.15.1's, so the same names are reported.
const KNOWN_SENSITIVE: &[&str] = &[
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "TRAVIS_OS_NAME",
    "TRAVIS_SECURE_ENV_VARS",
    "TRAVIS_SUDO",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
];

const SENSITIVE_PARTS: &[&str] = &[
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let typed = match &inst.args {
            Typed::Onbuild(Some((_, typed))) => typed.as_ref(),
            typed => typed,
        };
        let names: Vec<(String, Span)> = match typed {
            Typed::Arg(decls) => decls
                .iter()
                .map(|decl| (decl.name.to_string(), decl.word.span))
                .collect(),
            Typed::Env(pairs) => pairs
                .iter()
                .map(|pair| (unquote(&pair.key.value), pair.key.span))
                .collect(),
            _ => continue,
        };
        for (name, span) in names {
            if is_sensitive(&name) {
                cx.report(
                    span,
                    format!("`{name}` looks like a secret, and ARG and ENV values are readable in the image: use `RUN --mount=type=secret`"),
                );
            }
        }
    }
}

fn is_sensitive(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if KNOWN_SENSITIVE.contains(&upper.as_str()) {
        return true;
    }
    let points_elsewhere = ["_FILE", "_PATH", "_DIR"]
        .iter()
        .any(|suffix| upper.ends_with(suffix));
    if points_elsewhere || matches!(upper.as_str(), "GOPRIVATE" | "GONOPRIVATE") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    SENSITIVE_PARTS.iter().any(|part| lower.contains(part))
}
