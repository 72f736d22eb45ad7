//! Generated Dockerfiles that grow in one stage, for measuring how linting scales.

/// Returns a Dockerfile of about `lines` lines: one `FROM`, then pairs of an `ENV` and a
/// `RUN` that writes a file. hadolint 2.15.1 passes every earlier variable to ShellCheck
/// with each RUN, so its run time on this shape grows with the square of the file.
pub fn env_and_run_pairs(lines: usize) -> String {
    let mut text = String::from("FROM debian:12 AS base\n");
    for index in 0..lines / 2 {
        text.push_str(&format!("ENV VAR_{index}=value_{index}\n"));
        text.push_str(&format!("RUN echo \"step {index}\" > /tmp/step_{index}\n"));
    }
    text
}

/// Returns a Dockerfile of about `lines` lines in which every instruction refers to
/// variables: an ENV that extends `PATH` (redeclaring one name many times) and a RUN that
/// uses the new variable, an ARG and a name declared nowhere.
pub fn env_and_run_with_references(lines: usize) -> String {
    let mut text = String::from("ARG BASE=debian:12\nFROM ${BASE} AS base\nARG LEVEL=1\n");
    for index in 0..lines / 2 {
        text.push_str(&format!(
            "ENV PATH=\"$PATH:/opt/tool_{index}\" VAR_{index}=\"${{LEVEL}}_{index}\"\n"
        ));
        text.push_str(&format!(
            "RUN echo \"$VAR_{index} ${{UNSET_{index}:-none}}\" > /tmp/step_{index}\n"
        ));
    }
    text
}
