//! ExposeProtoCasing: `EXPOSE 80/TCP`.

use crate::diagnostic::{Edit, Fix};
use crate::model::Typed;
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port whose protocol (`tcp`, `udp`, `sctp`) is not written in
    /// lower case, as BuildKit's check of the same name does. Ports that come from a
    /// variable are checked after expansion.
    ///
    /// ## Why is this bad
    /// BuildKit accepts the protocol in any case and stores it in lower case, so
    /// `80/TCP` only looks different from `80/tcp`, and tools that read the Dockerfile
    /// text may not match it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80/TCP
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80/tcp
    /// ```
    ///
    /// ## Fix
    /// Lower-cases the protocol. The fix is safe; it is offered only when the port is
    /// written literally.
    pub ExposeProtoCasing {
        code: "ExposeProtoCasing",
        name: "expose-proto-casing",
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
            for port in super::expose_invalid_format::expand_ports(model, inst, word) {
                let Some((_, proto)) = port.rsplit_once('/') else {
                    continue;
                };
                if proto == proto.to_lowercase() {
                    continue;
                }
                let diagnostic = cx.report(
                    word.span,
                    format!("`{port}` has a protocol in upper case: write it in lower case"),
                );
                if word.value == port {
                    let (number, proto) = port.rsplit_once('/').unwrap_or((&port, ""));
                    let fixed = format!("{number}/{}", proto.to_lowercase());
                    diagnostic.fix(Fix::safe(
                        "Write the protocol in lower case",
                        vec![Edit::replace(word.span, fixed)],
                    ));
                }
            }
        }
    }
}
