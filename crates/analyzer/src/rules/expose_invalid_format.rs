//! ExposeInvalidFormat: `EXPOSE` with an IP address or a host port.

use ballast_parser::Word;
use ballast_parser::expand::{Options, expand_words};

use crate::model::{Inst, Model, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` item that names an IP address or a host port
    /// (`127.0.0.1:8080:80`, `8080:80`), as BuildKit's check of the same name does.
    /// Ports that come from a variable are checked after expansion.
    ///
    /// ## Why is this bad
    /// `EXPOSE` only documents which container ports the image listens on. Publishing a
    /// port on the host is decided when the container runs (`docker run -p`); BuildKit
    /// ignores the host part, so writing it suggests a mapping that never happens.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 8080:80
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80
    /// ```
    pub ExposeInvalidFormat {
        code: "ExposeInvalidFormat",
        name: "expose-invalid-format",
        severity: Warning,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let Typed::Expose(words) = &inst.args else {
            continue;
        };
        for word in words.iter() {
            for port in expand_ports(model, inst, word) {
                if !has_host_part(&port) {
                    continue;
                }
                cx.report(
                    word.span,
                    format!(
                        "`{port}` includes a host address or host port, which EXPOSE ignores: expose only the container port and publish it with `docker run -p`"
                    ),
                );
            }
        }
    }
}

/// Returns the ports of one `EXPOSE` word after expansion with the instruction's environment.
/// BuildKit splits the result into words, so `$PORTS` may give several ports. A word that
/// fails to expand is returned as written.
pub(super) fn expand_ports(model: &Model<'_>, inst: &Inst<'_>, word: &Word) -> Vec<String> {
    let env = super::undefined_var::stage_env(model, inst.index);
    match expand_words(&word.value, &env, &Options::new(model.tree.escape)) {
        Ok(words) => words.words,
        Err(_) => vec![word.value.clone()],
    }
}

/// Returns whether `[ip:][hostPort:]containerPort[/proto]` has more than the container port: a
/// `:` outside the brackets of an IPv6 address.
fn has_host_part(port: &str) -> bool {
    let mut depth = 0usize;
    for ch in port.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}
