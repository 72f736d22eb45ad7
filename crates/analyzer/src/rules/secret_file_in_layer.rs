//! SecretFileInLayer: a file that looks like a credential, in any layer of a built image.

use crate::attribution::evidence::first_line_span;
use crate::image::entry::file_name;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports files in any layer of a built image that look like credentials: SSH and TLS
    /// private keys, `.env` files, cloud credentials (`.aws/credentials`, gcloud's and
    /// Azure's token files), `.git-credentials`, `.netrc`, and an `.npmrc` that holds an auth
    /// token. A file that a later layer deletes is reported too. The report names the path and
    /// the layer and never prints the content.
    ///
    /// ## Why is this bad
    /// Anyone who can pull the image can extract every layer, including files that later
    /// layers delete.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . /src
    /// RUN rm /src/.env
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=env,target=/src/.env make -C /src
    /// ```
    ///
    /// ## Fix
    /// Keep the file out of the build context with `.dockerignore`, pass it with
    /// `RUN --mount=type=secret`, and rotate the credential: it has already shipped.
    pub SecretFileInLayer {
        code: "BL3004",
        name: "secret-file-in-layer",
        severity: Error,
        check: check,
    }
}

/// Returns what kind of credential a path's name suggests, for names that need no content.
pub(crate) fn secret_kind(path: &str) -> Option<&'static str> {
    let name = file_name(path);
    match name {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" => return Some("an SSH private key"),
        ".git-credentials" => return Some("git credentials"),
        ".netrc" => return Some("a .netrc with passwords"),
        ".env" => return Some("a .env file"),
        _ => {}
    }
    if name.starts_with(".env.")
        && !matches!(name, ".env.example" | ".env.sample" | ".env.template")
    {
        return Some("a .env file");
    }
    if path.ends_with(".aws/credentials") {
        return Some("AWS credentials");
    }
    if path.contains(".config/gcloud/")
        && matches!(
            name,
            "credentials.db" | "application_default_credentials.json" | "access_tokens.db"
        )
    {
        return Some("Google Cloud credentials");
    }
    if path.ends_with(".azure/accessTokens.json") || path.ends_with(".azure/msal_token_cache.json")
    {
        return Some("Azure credentials");
    }
    if name.ends_with(".key") && !path.starts_with("usr/share/") && !path.starts_with("etc/apt/") {
        return Some("a private key file");
    }
    None
}

/// Returns what kind of credential a file's content shows, for names that need it.
fn secret_in_content(path: &str, head: &[u8]) -> Option<&'static str> {
    let name = file_name(path);
    let text = String::from_utf8_lossy(head);
    if name == ".npmrc"
        && (text.contains("_authToken") || text.contains("_auth=") || text.contains("_password"))
    {
        return Some("an .npmrc with an auth token");
    }
    if name.ends_with(".pem") && text.contains("PRIVATE KEY-----") {
        return Some("a PEM private key");
    }
    None
}

fn check(cx: &mut Context<'_>) {
    let Some(evidence) = cx.evidence else {
        return;
    };
    let model = cx.model;
    let mut files = evidence.stored_files();
    files.sort_by(|a, b| (a.layer, a.path).cmp(&(b.layer, b.path)));
    for file in files {
        let kind = secret_kind(file.path).or_else(|| {
            evidence
                .contents_at(file.path)
                .find_map(|content| secret_in_content(file.path, &content.head))
        });
        let Some(kind) = kind else {
            continue;
        };
        let Some(instruction) = evidence.anchor(model, file.layer) else {
            continue;
        };
        let span = first_line_span(model, instruction);
        let mut message = format!(
            "/{} looks like {kind} and is stored in layer {}",
            file.path, file.layer
        );
        let mut hidden_at = None;
        if let Some(hidden) = file.hidden
            && let Some(hider) = evidence.anchor(model, hidden.hidden_by)
        {
            let line = model.instructions[hider].syntax.start_line;
            message.push_str(&format!(
                "; line {line} deletes it, but the layer still contains it"
            ));
            hidden_at = Some(hider);
        }
        message.push_str(
            "; keep it out of the build context and pass it with RUN --mount=type=secret",
        );
        let diagnostic = cx.report(span, message);
        if let Some(hider) = hidden_at {
            diagnostic.label(first_line_span(model, hider), "deleted here");
        }
        evidence.record_bytes(diagnostic, file.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(secret_kind("root/.ssh/id_rsa").is_some());
        assert!(secret_kind("root/.ssh/id_rsa.pub").is_none());
        assert!(secret_kind("app/.env").is_some());
        assert!(secret_kind("app/.env.example").is_none());
        assert!(secret_kind("root/.aws/credentials").is_some());
        assert!(secret_kind("etc/passwd").is_none());
    }

    #[test]
    fn secret_contents() {
        assert!(
            secret_in_content("root/.npmrc", b"//registry.npmjs.org/:_authToken=abc\n").is_some()
        );
        assert!(secret_in_content("root/.npmrc", b"registry=https://example.com/\n").is_none());
        assert!(secret_in_content("tls/server.pem", b"-----BEGIN PRIVATE KEY-----\n").is_some());
        assert!(secret_in_content("certs/ca.pem", b"-----BEGIN CERTIFICATE-----\n").is_none());
    }
}
