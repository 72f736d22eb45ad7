//! BL2001: a RUN deletes files that an earlier RUN, COPY or ADD of the same stage created.

use ballast_parser::shell::{Dialect, SimpleCommand, Word};
use ballast_parser::{Instruction, Span};

use crate::diagnostic::{Edit, Fix};
use crate::model::{Inst, Model, Typed};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` whose files a later `RUN` of the same stage deletes: package
    /// lists and caches removed by a separate cleanup step, a download or a build folder
    /// removed one step later. Also reports, on the deleting `RUN`, the removal of a path
    /// an earlier `COPY` or `ADD` of the stage added.
    ///
    /// A `RUN` counts as creating the absolute paths its commands name, the targets of
    /// its output redirections and the folders package managers fill. Paths named only
    /// by programs that read them (`ls`, `cat`, `grep`, `sha256sum`, `tar -t`, …) do not
    /// count, and `tar -x` creates only its `-C` folder.
    ///
    /// ## Why is this bad
    /// Each `RUN` is a layer, and a layer only adds to the ones below it. Deleting a file
    /// in a later layer hides it but does not make the image smaller: the bytes are still
    /// in the earlier layer, pulled and stored with the image. The cleanup only helps in
    /// the same `RUN` as the command that created the files.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// RUN rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix
    /// When the two steps are adjacent shell-form `RUN`s without flags or heredocs, the
    /// fix joins them with `&& \`. It is unsafe: the second step now runs only when the
    /// first succeeds in the same shell, so `cd`, variables and `set` options of the
    /// first carry over.
    pub DeletedInLaterRun {
        code: "BL2001",
        name: "deleted-in-later-run",
        severity: Warning,
        scope: StageLines,
        check: check,
    }
}

/// Paths that package managers and tools write without naming them.
const IMPLICIT_PATHS: &[(&str, &[&str])] = &[
    // The official Debian and Ubuntu images configure apt to delete downloaded
    // packages, so only the lists stay behind.
    ("apt-get", &["/var/lib/apt/lists"]),
    ("apt", &["/var/lib/apt/lists"]),
    ("apk", &["/var/cache/apk"]),
    ("pip", &["/root/.cache/pip", "/root/.cache"]),
    ("pip3", &["/root/.cache/pip", "/root/.cache"]),
    ("npm", &["/root/.npm"]),
    ("yarn", &["/usr/local/share/.cache/yarn"]),
    ("yum", &["/var/cache/yum"]),
    ("dnf", &["/var/cache/dnf"]),
];

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    // Both checks compare instructions of one stage, so the stages in focus are enough.
    let focus = cx.focus();
    let runs: Vec<(&Inst<'_>, Vec<&SimpleCommand>)> = focus
        .instructions(model)
        .filter(|inst| matches!(inst.args, Typed::Run(_)))
        .map(|inst| (inst, commands(cx.source, model, inst)))
        .collect();
    let removals: Vec<Vec<Removal>> = runs.iter().map(|(_, commands)| removals(commands)).collect();
    let created: Vec<Vec<String>> = runs
        .iter()
        .map(|(_, commands)| created_paths(commands))
        .collect();

    // Each COPY or ADD with an absolute destination, and the position of the first RUN after
    // it. A position past the last RUN means that no RUN follows.
    let mut copies: Vec<(&Inst<'_>, String, usize)> = Vec::new();
    for copy_inst in focus.instructions(model) {
        let destination = match &copy_inst.args {
            Typed::Copy(copy) | Typed::Add(copy) => copy.destination,
            _ => continue,
        };
        let Some(destination) = destination else {
            continue;
        };
        let added = normalize(&destination.value);
        if !added.starts_with('/') || added.len() <= 1 || destination.value.contains('$') {
            continue;
        }
        let after = runs.partition_point(|(inst, _)| inst.index < copy_inst.index);
        copies.push((copy_inst, added, after));
    }
    copies.sort_by_key(|(_, _, after)| *after);

    // A stage's RUNs are next to each other. Each stage is swept from its last RUN to its
    // first, so that the index contains exactly the removals of the RUNs after the current
    // one. Comparing each RUN with every later removing RUN grows with the square of the
    // stage: 5,000 RUNs that all create and remove paths took 140 ms that way.
    let mut run_reports: Vec<Option<usize>> = vec![None; runs.len()];
    let mut copy_reports: Vec<Option<usize>> = vec![None; copies.len()];
    let mut start = 0;
    while start < runs.len() {
        let stage = runs[start].0.stage;
        let end = start + runs[start..].partition_point(|(inst, _)| inst.stage == stage);
        let mut index = RemovalIndex::new(removals[start..end].iter().flatten());
        for position in (start..end).rev() {
            run_reports[position] = created[position]
                .iter()
                .filter_map(|path| index.first_removal(path))
                .min();
            for removal in &removals[position] {
                index.insert(&removal.target, position);
            }
            let first = copies.partition_point(|(_, _, after)| *after < position);
            for (slot, (copy_inst, added, after)) in copies.iter().enumerate().skip(first) {
                if *after != position {
                    break;
                }
                if copy_inst.stage == stage {
                    copy_reports[slot] = index.first_removal(added);
                }
            }
        }
        start = end;
    }

    for (position, later) in run_reports.iter().enumerate() {
        let Some(later) = *later else { continue };
        if let Some(path) = deleted(&removals[later], &created[position]) {
            report(cx, runs[position].0, runs[later].0, &path);
        }
    }
    let mut copy_reports: Vec<(&Inst<'_>, String, usize)> = copies
        .iter()
        .zip(copy_reports)
        .filter_map(|((copy_inst, added, _), later)| Some((*copy_inst, added.clone(), later?)))
        .collect();
    copy_reports.sort_by_key(|(copy_inst, _, _)| copy_inst.index);
    for (copy_inst, added, later) in copy_reports {
        if let Some(path) = deleted(&removals[later], &[added]) {
            report_copy(cx, copy_inst, runs[later].0, &path);
        }
    }
}

/// The paths that the later RUNs of one stage remove, with the first RUN that removes each.
/// A segment tree over the sorted distinct paths gives the first RUN that removes any path in
/// a range, which is what a folder's descendants form.
struct RemovalIndex<'a> {
    /// Removed paths, sorted and distinct.
    targets: Vec<&'a str>,
    /// Leaves at `targets.len() + i`: the position of the first RUN that removes `targets[i]`,
    /// or `usize::MAX`. Each inner node is the minimum of its two children.
    tree: Vec<usize>,
}

impl<'a> RemovalIndex<'a> {
    fn new(removals: impl Iterator<Item = &'a Removal>) -> RemovalIndex<'a> {
        let mut targets: Vec<&str> = removals.map(|removal| removal.target.as_str()).collect();
        targets.sort_unstable();
        targets.dedup();
        let tree = vec![usize::MAX; 2 * targets.len()];
        RemovalIndex { targets, tree }
    }

    /// Records that the RUN at `position` removes `target`. RUNs are inserted from the last
    /// to the first, so the newest position is the smallest.
    fn insert(&mut self, target: &str, position: usize) {
        let Ok(found) = self.targets.binary_search(&target) else {
            return;
        };
        let mut node = found + self.targets.len();
        self.tree[node] = position;
        while node > 1 {
            node /= 2;
            self.tree[node] = self.tree[2 * node].min(self.tree[2 * node + 1]);
        }
    }

    /// Returns the position of the first RUN that removes `path`, a folder above it or a path
    /// below it.
    fn first_removal(&self, path: &str) -> Option<usize> {
        let mut first = usize::MAX;
        // `covers(target, path)`: the target is the path or a folder above it.
        let above = path
            .match_indices('/')
            .map(|(at, _)| &path[..at])
            .filter(|prefix| !prefix.is_empty())
            .chain(std::iter::once(path));
        for target in above {
            if let Ok(found) = self.targets.binary_search(&target) {
                first = first.min(self.tree[found + self.targets.len()]);
            }
        }
        // `covers(path, target)`: the targets below the folder sort between `path/` and
        // `path0`, because `0` follows `/` in ASCII.
        let (below_start, below_end) = (format!("{path}/"), format!("{path}0"));
        let low = self.targets.partition_point(|target| *target < below_start.as_str());
        let high = self.targets.partition_point(|target| *target < below_end.as_str());
        first = first.min(self.range_min(low, high));
        (first != usize::MAX).then_some(first)
    }

    /// Returns the minimum of the leaves `low..high`.
    fn range_min(&self, low: usize, high: usize) -> usize {
        let (mut low, mut high) = (low + self.targets.len(), high + self.targets.len());
        let mut first = usize::MAX;
        while low < high {
            if low % 2 == 1 {
                first = first.min(self.tree[low]);
                low += 1;
            }
            if high % 2 == 1 {
                high -= 1;
                first = first.min(self.tree[high]);
            }
            low /= 2;
            high /= 2;
        }
        first
    }
}

/// Reports a RUN that deletes what an earlier COPY or ADD added.
fn report_copy(cx: &mut Context<'_>, copy: &Inst<'_>, later: &Inst<'_>, path: &str) {
    let copy_line = cx.line_number(copy.span().start);
    let keyword = copy.syntax.keyword.as_str();
    let message = format!(
        "this RUN deletes `{path}`, which line {copy_line} added with {keyword} in an earlier layer: the bytes stay in that layer and the image does not get smaller; for a file needed only while building, mount it with `RUN --mount=type=bind` or use it in a build stage"
    );
    let diagnostic = cx.report(later.syntax.keyword_span, message);
    diagnostic.label(
        copy.syntax.keyword_span,
        "added here, in a layer a later deletion cannot shrink".to_string(),
    );
}

fn report(cx: &mut Context<'_>, earlier: &Inst<'_>, later: &Inst<'_>, path: &str) {
    let earlier_line = cx.line_number(earlier.span().start);
    let later_line = cx.line_number(later.span().start);
    let message = format!(
        "line {later_line} deletes `{path}`, which this RUN creates, but in a new layer: the files stay in this layer and the image does not get smaller; move the cleanup into this RUN"
    );
    let fix = merge_fix(cx.source, cx.model, earlier, later);
    let diagnostic = cx.report(earlier.syntax.keyword_span, message);
    diagnostic.label(
        later.syntax.keyword_span,
        format!(
            "this cleanup runs in a new layer and cannot reclaim space from line {earlier_line}"
        ),
    );
    if let Some(fix) = fix {
        diagnostic.fix(fix);
    }
}

fn commands<'m>(source: &str, model: &Model<'_>, inst: &'m Inst<'_>) -> Vec<&'m SimpleCommand> {
    if let Typed::Run(run) = &inst.args
        && run
            .mounts
            .iter()
            .any(|mount| mount.kind == crate::model::MountKind::Cache)
    {
        // A cache mount keeps the files out of the layer, so deleting them later is moot.
        return Vec::new();
    }
    let shell = model.shell_of(inst);
    let dialect = Dialect::from_shell(shell.first().map_or("", String::as_str));
    inst.run_scripts(source, dialect)
        .iter()
        .flat_map(|script| script.script.commands.iter())
        .collect()
}

/// Returns the paths the commands write: absolute path arguments and the folders that
/// package managers fill.
fn created_paths(commands: &[&SimpleCommand]) -> Vec<String> {
    let mut paths = Vec::new();
    let mut deleted_here = Vec::new();
    for command in commands {
        let Some(name) = command.name() else { continue };
        let program = name.value.rsplit('/').next().unwrap_or(&name.value);
        if program == "rm" {
            deleted_here.extend(command.args().iter().map(|word| normalize(&word.value)));
            continue;
        }
        if let Some((_, implicit)) = IMPLICIT_PATHS.iter().find(|(tool, _)| *tool == program) {
            paths.extend(implicit.iter().map(|path| path.to_string()));
        }
        for redirect in &command.redirects {
            if matches!(redirect.operator.as_str(), ">" | ">>" | ">|" | "&>" | "&>>") {
                push_absolute(&mut paths, &redirect.target);
            }
        }
        for word in written_arguments(program, command.args()) {
            push_absolute(&mut paths, word);
        }
    }
    // Paths this RUN already removes itself are not left behind.
    paths.retain(|path| !deleted_here.iter().any(|gone| covers(gone, path)));
    paths.sort();
    paths.dedup();
    paths
}

/// Programs that only read the paths they are given, so naming a path does not create it.
const READ_ONLY: &[&str] = &[
    "[", "cat", "cmp", "command", "diff", "du", "echo", "file", "getent", "grep", "head",
    "ldd", "ls", "md5sum", "printf", "readlink", "realpath", "sha1sum", "sha256sum",
    "sha512sum", "stat", "strings", "tail", "test", "type", "wc", "which",
];

/// Returns the arguments of a command that may name paths it writes. `tar` writes its
/// archive only when it creates one, and writes into the `-C` folder when it extracts.
fn written_arguments<'w>(program: &str, args: &'w [Word]) -> Vec<&'w Word> {
    if READ_ONLY.contains(&program) {
        return Vec::new();
    }
    if program != "tar" {
        return args.iter().collect();
    }
    let mode = args
        .first()
        .map(|word| word.value.trim_start_matches('-'))
        .unwrap_or("");
    let long_mode = |name: &str| args.iter().any(|word| word.value == name);
    if mode.contains('c') || long_mode("--create") {
        return args.iter().collect();
    }
    // Listing or extracting: only the folder given with `-C` (or `--directory`) is written.
    args.windows(2)
        .filter(|pair| matches!(pair[0].value.as_str(), "-C" | "--directory"))
        .map(|pair| &pair[1])
        .collect()
}

fn push_absolute(paths: &mut Vec<String>, word: &Word) {
    let value = normalize(&word.value);
    if value.starts_with('/') && value.len() > 1 && !word.has_expansion {
        paths.push(value);
    }
}

/// Returns the first path in `created` that an `rm` in `commands` deletes.
/// One path an `rm` removes: as written, and normalized.
struct Removal {
    written: String,
    target: String,
}

/// Returns the paths the `rm` commands among `commands` remove, in order.
fn removals(commands: &[&SimpleCommand]) -> Vec<Removal> {
    let mut removals = Vec::new();
    for command in commands {
        let Some(name) = command.name() else { continue };
        let program = name.value.rsplit('/').next().unwrap_or(&name.value);
        if program != "rm" {
            continue;
        }
        for word in command.args() {
            if word.value.starts_with('-') || word.has_expansion {
                continue;
            }
            let target = normalize(&word.value);
            if target.len() <= 1 {
                continue;
            }
            removals.push(Removal {
                written: word.value.clone(),
                target,
            });
        }
    }
    removals
}

/// Returns the first removed path that covers or lies inside one of `created`, as written.
fn deleted(removed: &[Removal], created: &[String]) -> Option<String> {
    removed
        .iter()
        .find(|removal| {
            created
                .iter()
                .any(|path| covers(&removal.target, path) || covers(path, &removal.target))
        })
        .map(|removal| removal.written.clone())
}

/// Removes a trailing `/*`, `*` or `/`, so `/var/lib/apt/lists/*` compares as the folder.
fn normalize(path: &str) -> String {
    path.trim_end_matches('*').trim_end_matches('/').to_string()
}

/// Whether removing `outer` removes `inner`.
fn covers(outer: &str, inner: &str) -> bool {
    !outer.is_empty()
        && (inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('/')))
}

/// Joins `later` onto `earlier` when they are adjacent shell-form RUNs with no flags,
/// heredocs or lines between them.
fn merge_fix(source: &str, model: &Model<'_>, earlier: &Inst<'_>, later: &Inst<'_>) -> Option<Fix> {
    if later.index != earlier.index + 1 || earlier.shell != later.shell {
        return None;
    }
    let simple = |instruction: &Instruction| {
        instruction.flags.is_empty()
            && instruction.heredocs.is_empty()
            && !instruction.is_exec_form()
    };
    if !simple(earlier.syntax)
        || !simple(later.syntax)
        || !crate::rules::consecutive_run::can_join(&earlier.syntax.rest, &later.syntax.rest)
    {
        return None;
    }
    let end = earlier.syntax.line_span().end;
    let gap = source.get(end..later.syntax.rest_span.start)?;
    let keyword_offset = gap.find(later.syntax.keyword_text.as_str())?;
    let between = &gap[..keyword_offset];
    if !between.trim().is_empty() {
        return None;
    }
    let escape = model.tree.escape;
    Some(Fix::unsafe_(
        "Join the two RUN steps into one",
        vec![Edit::replace(
            Span::new(end, later.syntax.rest_span.start),
            format!(" {escape}\n && "),
        )],
    ))
}

#[cfg(test)]
mod tests {
    use super::{Removal, RemovalIndex, covers};

    /// Compares the index with a scan of every removal, on paths that share prefixes and
    /// differ in the characters that sort next to `/`.
    #[test]
    fn removal_index_matches_scan() {
        let names = ["/a", "/a/b", "/a/b/c", "/a-b", "/a.b", "/a0", "/a/b0", "/ab", "/b", "/b/a"];
        let mut state = 12_345u64;
        let mut next = move |bound: usize| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (state >> 33) as usize % bound
        };
        for _ in 0..200 {
            let runs: Vec<Vec<Removal>> = (0..next(8))
                .map(|_| {
                    (0..next(3))
                        .map(|_| {
                            let target = names[next(names.len())].to_string();
                            Removal { written: target.clone(), target }
                        })
                        .collect()
                })
                .collect();
            let mut index = RemovalIndex::new(runs.iter().flatten());
            for position in (0..runs.len()).rev() {
                for removal in &runs[position] {
                    index.insert(&removal.target, position);
                }
                for path in names {
                    let scanned = (position..runs.len()).find(|&later| {
                        runs[later].iter().any(|removal| {
                            covers(&removal.target, path) || covers(path, &removal.target)
                        })
                    });
                    assert_eq!(index.first_removal(path), scanned, "{path} from {position}");
                }
            }
        }
    }
}
