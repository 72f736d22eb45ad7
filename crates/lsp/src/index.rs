//! Names in one Dockerfile: build stages, ARG and ENV variables and heredoc delimiters,
//! where each is declared and where it is used. Navigation, highlighting, rename, hover and
//! completion read this index.
//!
//! Scoping follows BuildKit: an ARG before the first FROM is visible to FROM lines and to
//! an ARG of the same name inside a stage. Inside a stage, its own ARG and ENV declarations
//! are visible from the line after them on, and so is the ENV of the stage it is built
//! `FROM`. Stage names
//! compare without regard to case; variable names compare exactly. The trigger of an
//! ONBUILD is indexed like an instruction on the same line, without declaring anything.
//!
//! NOTE: the semantic model of the analyzer resolves the same scopes for the lint rules,
//! but it does not record every occurrence with its span. Its lookup also finds the ARGs
//! of the stage a stage is built on, where this index finds only that stage's ENVs. So the
//! index keeps its own walk until the two agree.

use std::collections::HashMap;

use ballast_parser::expand::{self, Options, Reference};
use ballast_parser::typed::Typed;
use ballast_parser::{Args, Dockerfile, Instruction, Keyword, NodeKind, Span};

/// The kind of a named thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Stage,
    Variable,
    Heredoc,
}

/// One named thing: a stage, a variable in one scope, or one heredoc.
#[derive(Clone, Debug)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub name: String,
}

/// Whether an occurrence declares its symbol or uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Declaration,
    Reference,
}

/// One place where a symbol's name is written.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// The name only, so a rename replaces exactly this span.
    pub span: Span,
    pub symbol: usize,
    pub role: Role,
    /// For variables: the value after expansion at this point, `None` when unset.
    pub value: Option<String>,
    /// For variables: the declaring keyword (ARG or ENV) of a declaration, or of the
    /// declaration a reference resolved to.
    pub declared_by: Option<Keyword>,
    /// For variables: the declaration a reference resolved to.
    pub declaration: Option<Span>,
}

/// A build stage: a FROM instruction and the instructions after it.
#[derive(Clone, Debug)]
pub struct Stage {
    /// The position of the stage among the stages, from 0.
    pub number: usize,
    /// The stage name as written after `AS`.
    pub name: Option<String>,
    pub name_span: Option<Span>,
    /// The base image as written, or the name of the stage it builds on.
    pub base: Option<String>,
    pub base_span: Option<Span>,
    /// The stage this one is built `FROM`, when the base names a stage.
    pub base_stage: Option<usize>,
    /// The FROM line (its logical line).
    pub from_span: Span,
    /// From the start of the FROM line to the end of the stage's last instruction.
    pub span: Span,
    /// The instructions of the stage, FROM included, as indexes into [`Index::instructions`].
    pub instructions: std::ops::Range<usize>,
}

/// A variable visible at some point, for completion.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    pub value: Option<String>,
    pub keyword: Keyword,
    pub span: Span,
    /// The stage that declares it; `None` for an ARG before the first FROM.
    pub stage: Option<usize>,
}

/// The names of one document.
#[derive(Debug, Default)]
pub struct Index {
    pub stages: Vec<Stage>,
    pub symbols: Vec<Symbol>,
    /// Every occurrence, ordered by start offset; spans do not overlap.
    pub occurrences: Vec<Occurrence>,
    /// Every ARG and ENV declaration in source order.
    pub bindings: Vec<Binding>,
    /// The span of each top-level instruction, in source order.
    pub instructions: Vec<Span>,
}

/// BuildKit's automatic platform arguments, visible in FROM lines and, once declared with
/// `ARG`, in a stage. The analyzer's model keeps the list.
pub use ballast_analyzer::model::PREDEFINED_ARGS;

/// The proxy arguments every build accepts without an ARG declaration.
pub const PROXY_ARGS: [&str; 10] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

impl Index {
    pub fn build(tree: &Dockerfile, text: &str) -> Index {
        let mut builder = Builder::new(tree, text);
        builder.collect_stages();
        builder.walk();
        let mut index = builder.index;
        index
            .occurrences
            .sort_by_key(|occurrence| occurrence.span.start);
        index
    }

    /// Returns the occurrence whose name contains `offset` or ends at it.
    pub fn occurrence_at(&self, offset: usize) -> Option<&Occurrence> {
        let after = self
            .occurrences
            .partition_point(|occurrence| occurrence.span.start <= offset);
        let candidate = self.occurrences[..after].last()?;
        (candidate.span.end >= offset).then_some(candidate)
    }

    pub fn occurrences_of(&self, symbol: usize) -> impl Iterator<Item = &Occurrence> {
        self.occurrences
            .iter()
            .filter(move |occurrence| occurrence.symbol == symbol)
    }

    /// Returns the occurrences that intersect `span`, in order.
    pub fn occurrences_in(&self, span: Span) -> &[Occurrence] {
        let start = self
            .occurrences
            .partition_point(|occurrence| occurrence.span.end < span.start);
        let end = self
            .occurrences
            .partition_point(|occurrence| occurrence.span.start <= span.end);
        &self.occurrences[start..end.max(start)]
    }

    /// Returns the stage that contains `offset`, or `None` before the first FROM.
    pub fn stage_at(&self, offset: usize) -> Option<&Stage> {
        let after = self
            .stages
            .partition_point(|stage| stage.span.start <= offset);
        self.stages[..after].last()
    }

    /// Returns the stage named `name`, compared without regard to case.
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|stage| {
            stage
                .name
                .as_deref()
                .is_some_and(|own| own.eq_ignore_ascii_case(name))
        })
    }

    /// Returns the variables visible at `offset`, the latest declaration of each name,
    /// sorted by name. On a FROM line these are the ARGs before the first FROM.
    pub fn visible_variables(&self, offset: usize) -> Vec<&Binding> {
        let stage = self.stage_at(offset);
        let on_from_line = stage
            .is_some_and(|stage| stage.from_span.start <= offset && offset <= stage.from_span.end);
        let mut visible: HashMap<&str, &Binding> = HashMap::new();
        match stage {
            Some(stage) if !on_from_line => {
                for ancestor in self.ancestors(stage.number).into_iter().rev() {
                    for binding in self
                        .bindings
                        .iter()
                        .filter(|binding| binding.stage == Some(ancestor))
                    {
                        if binding.keyword == Keyword::Env {
                            visible.insert(&binding.name, binding);
                        }
                    }
                }
                for binding in &self.bindings {
                    if binding.stage == Some(stage.number) && binding.span.end <= offset {
                        visible.insert(&binding.name, binding);
                    }
                }
            }
            _ => {
                for binding in &self.bindings {
                    if binding.stage.is_none() && binding.span.end <= offset {
                        visible.insert(&binding.name, binding);
                    }
                }
            }
        }
        let mut visible: Vec<&Binding> = visible.into_values().collect();
        visible.sort_by(|a, b| a.name.cmp(&b.name));
        visible
    }

    /// Returns the stages `number` is built on, nearest first, without `number` itself.
    fn ancestors(&self, number: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut current = self.stages.get(number).and_then(|stage| stage.base_stage);
        while let Some(ancestor) = current {
            if chain.contains(&ancestor) || ancestor == number {
                break;
            }
            chain.push(ancestor);
            current = self.stages.get(ancestor).and_then(|stage| stage.base_stage);
        }
        chain
    }
}

/// A variable scope: the ARGs before the first FROM, or one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Scope {
    Global,
    Stage(usize),
}

/// The value and declaration of a variable in a scope while walking the file.
#[derive(Clone, Debug)]
struct Value {
    value: Option<String>,
    keyword: Keyword,
    symbol: usize,
    declaration: Span,
}

struct Builder<'a> {
    tree: &'a Dockerfile,
    text: &'a str,
    index: Index,
    variables: HashMap<(Scope, String), usize>,
    stage_symbols: Vec<Option<usize>>,
    /// The variables set so far in the current scope, and the ENV each stage ends with.
    env: HashMap<String, Value>,
    globals: HashMap<String, Value>,
    final_env: Vec<HashMap<String, Value>>,
}

impl<'a> Builder<'a> {
    fn new(tree: &'a Dockerfile, text: &'a str) -> Self {
        Builder {
            tree,
            text,
            index: Index::default(),
            variables: HashMap::new(),
            stage_symbols: Vec::new(),
            env: HashMap::new(),
            globals: HashMap::new(),
            final_env: Vec::new(),
        }
    }

    /// Records every stage first, because `--from` may name a stage defined further down.
    fn collect_stages(&mut self) {
        let mut current: Option<Stage> = None;
        for node in &self.tree.nodes {
            let NodeKind::Instruction(instruction) = &node.kind else {
                continue;
            };
            let number = self.index.instructions.len();
            self.index.instructions.push(instruction.span);
            if instruction.keyword == Keyword::From {
                if let Some(stage) = current.take() {
                    self.index.stages.push(stage);
                }
                current = Some(self.new_stage(instruction, number));
            }
            if let Some(stage) = current.as_mut() {
                stage.span.end = instruction.span.end;
                stage.instructions.end = number + 1;
            }
        }
        if let Some(stage) = current {
            self.index.stages.push(stage);
        }

        for number in 0..self.index.stages.len() {
            let symbol = self.index.stages[number].name.clone().map(|name| {
                self.index.symbols.push(Symbol {
                    kind: SymbolKind::Stage,
                    name,
                });
                self.index.symbols.len() - 1
            });
            self.stage_symbols.push(symbol);
        }
        for number in 0..self.index.stages.len() {
            let base = self.index.stages[number].base.clone();
            let base_stage = base.and_then(|base| self.stage_number(&base, Some(number)));
            self.index.stages[number].base_stage = base_stage;
        }
    }

    fn new_stage(&self, instruction: &Instruction, first_instruction: usize) -> Stage {
        let Typed::From(from) = instruction.typed() else {
            unreachable!("a FROM instruction has a FROM view")
        };
        Stage {
            number: self.index.stages.len(),
            name: from.alias.map(|word| word.value.clone()),
            name_span: from.alias.map(|word| word.span),
            base: from.image.as_ref().map(|image| image.raw.clone()),
            base_span: from.image.as_ref().map(|image| image.span),
            base_stage: None,
            from_span: instruction.line_span(),
            span: instruction.span,
            instructions: first_instruction..first_instruction + 1,
        }
    }

    /// Returns the number of the stage named `name`, other than `except`.
    fn stage_number(&self, name: &str, except: Option<usize>) -> Option<usize> {
        self.index.stages.iter().position(|stage| {
            Some(stage.number) != except
                && stage
                    .name
                    .as_deref()
                    .is_some_and(|own| own.eq_ignore_ascii_case(name))
        })
    }

    fn walk(&mut self) {
        for (number, stage) in self.index.stages.clone().iter().enumerate() {
            if let (Some(symbol), Some(span)) = (self.stage_symbols[number], stage.name_span) {
                self.push_occurrence(span, symbol, Role::Declaration);
            }
        }

        let mut stage: Option<usize> = None;
        for node in &self.tree.nodes {
            let NodeKind::Instruction(instruction) = &node.kind else {
                continue;
            };
            if instruction.keyword == Keyword::From {
                if let Some(previous) = stage {
                    self.finish_stage(previous);
                }
                let number = stage.map_or(0, |previous| previous + 1);
                stage = Some(number);
                self.start_stage(number, instruction);
                continue;
            }
            self.instruction(instruction, stage);
        }
        if let Some(last) = stage {
            self.finish_stage(last);
        }
    }

    fn start_stage(&mut self, number: usize, from: &Instruction) {
        self.env.clear();
        if let Some(base) = self.index.stages[number].base_stage
            && let Some(inherited) = self.final_env.get(base)
        {
            self.env = inherited.clone();
        }

        // The base image names a stage: that is a reference to the stage's name.
        let stage = &self.index.stages[number];
        if let (Some(base), Some(span)) = (stage.base_stage, stage.base_span)
            && let Some(symbol) = self.stage_symbols[base]
        {
            self.push_occurrence(span, symbol, Role::Reference);
        }

        // Variables in a FROM line come from the ARGs before the first FROM.
        let saved = std::mem::replace(&mut self.env, self.globals.clone());
        self.references(from, from, Scope::Global);
        self.env = saved;
    }

    fn finish_stage(&mut self, number: usize) {
        let env: HashMap<String, Value> = self
            .env
            .iter()
            .filter(|(_, value)| value.keyword == Keyword::Env)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if self.final_env.len() <= number {
            self.final_env.resize(number + 1, HashMap::new());
        }
        self.final_env[number] = env;
    }

    fn instruction(&mut self, instruction: &Instruction, stage: Option<usize>) {
        let scope = stage.map_or(Scope::Global, Scope::Stage);
        // The trigger of an ONBUILD runs in a later build, but the stages and variables it
        // names resolve as they would on this line. Its spans are offsets into the file and
        // its text is part of the ONBUILD's logical line.
        let command = match &instruction.args {
            Args::Onbuild { trigger } => trigger.as_deref(),
            _ => Some(instruction),
        };
        if let Some(command) = command {
            self.stage_references(command);
            self.references(instruction, command, scope);
            self.heredocs(instruction, command.keyword, scope);
        }
        match instruction.typed() {
            Typed::Arg(declarations) => {
                for declaration in declarations {
                    let value = declaration.default.map(|default| self.expand(default));
                    let value = match (value, scope) {
                        (Some(value), _) => Some(value),
                        (None, Scope::Stage(_)) => self
                            .globals
                            .get(declaration.name)
                            .and_then(|g| g.value.clone()),
                        (None, Scope::Global) => None,
                    };
                    self.declare(
                        declaration.name,
                        declaration.name_span,
                        value,
                        Keyword::Arg,
                        scope,
                    );
                }
            }
            Typed::Env(pairs) => {
                // All pairs of one ENV see the values from before the instruction.
                let values: Vec<Option<String>> = pairs
                    .iter()
                    .map(|pair| Some(self.expand(&pair.value.value)))
                    .collect();
                for (pair, value) in pairs.iter().zip(values) {
                    let name = pair.key.value.as_str();
                    let span = key_span(pair.key.span, name, self.text);
                    self.declare(name, span, value, Keyword::Env, scope);
                }
            }
            _ => {}
        }
    }

    fn declare(
        &mut self,
        name: &str,
        span: Span,
        value: Option<String>,
        keyword: Keyword,
        scope: Scope,
    ) {
        if name.is_empty() {
            return;
        }
        let symbol = self.variable_symbol(name, scope, keyword);
        self.index.occurrences.push(Occurrence {
            span,
            symbol,
            role: Role::Declaration,
            value: value.clone(),
            declared_by: Some(keyword),
            declaration: Some(span),
        });
        let entry = Value {
            value: value.clone(),
            keyword,
            symbol,
            declaration: span,
        };
        let stage = match scope {
            Scope::Global => {
                self.globals.insert(name.to_string(), entry.clone());
                None
            }
            Scope::Stage(number) => Some(number),
        };
        self.env.insert(name.to_string(), entry);
        self.index.bindings.push(Binding {
            name: name.to_string(),
            value,
            keyword,
            span,
            stage,
        });
    }

    /// Returns the symbol of variable `name` declared in `scope`. An in-stage ARG of a name that an
    /// ARG before the first FROM also declares is the same build argument, so it shares the
    /// global symbol.
    fn variable_symbol(&mut self, name: &str, scope: Scope, keyword: Keyword) -> usize {
        if let Some(&symbol) = self.variables.get(&(scope, name.to_string())) {
            return symbol;
        }
        let symbol = match (
            scope,
            keyword,
            self.variables.get(&(Scope::Global, name.to_string())),
        ) {
            (Scope::Stage(_), Keyword::Arg, Some(&global)) => global,
            _ => {
                self.index.symbols.push(Symbol {
                    kind: SymbolKind::Variable,
                    name: name.to_string(),
                });
                self.index.symbols.len() - 1
            }
        };
        self.variables.insert((scope, name.to_string()), symbol);
        symbol
    }

    /// Records `--from=stage` and `--mount=from=stage` as references to the stage name.
    fn stage_references(&mut self, instruction: &Instruction) {
        for flag in instruction.flags_named("from") {
            if let (Some(value), Some(span)) = (&flag.value, flag.value_span) {
                self.stage_reference(value, span);
            }
        }
        for mount in instruction.mounts() {
            for option in mount.options.iter().filter(|option| option.key == "from") {
                let Some(value) = &option.value else { continue };
                let field = option.span.text(self.text);
                if field.len() == option.span.len() && field.ends_with(value.as_str()) {
                    let span = Span::new(option.span.end - value.len(), option.span.end);
                    self.stage_reference(value, span);
                }
            }
        }
    }

    /// Records a `--from` reference. A stage that names itself is still linked, so a
    /// rename keeps the file consistent; BuildKit reports the cycle.
    fn stage_reference(&mut self, name: &str, span: Span) {
        let Some(number) = self.stage_number(name, None) else {
            return;
        };
        let Some(symbol) = self.stage_symbols[number] else {
            return;
        };
        // A quoted value keeps its quotes in the source span; the name is inside them.
        let written = span.text(self.text);
        let span = match written.find(name) {
            Some(start) if written.len() != name.len() => {
                Span::new(span.start + start, span.start + start + name.len())
            }
            _ => span,
        };
        self.push_occurrence(span, symbol, Role::Reference);
    }

    /// Records the `$name` references of an instruction's logical line. `command` is the
    /// instruction itself or the trigger of an ONBUILD. Exec-form commands are not expanded
    /// by BuildKit nor by a shell, so only their flags are read.
    fn references(&mut self, instruction: &Instruction, command: &Instruction, scope: Scope) {
        let escape = self.tree.escape;
        let exec_form = command.is_exec_form()
            && matches!(
                command.keyword,
                Keyword::Run
                    | Keyword::Cmd
                    | Keyword::Entrypoint
                    | Keyword::Shell
                    | Keyword::Healthcheck
            );
        let references = expand::references(&instruction.line, escape);
        for reference in references {
            let span = instruction
                .line_map
                .span(reference.name_span.start, reference.name_span.end);
            if exec_form && span.start >= command.rest_span.start {
                continue;
            }
            self.reference(&reference, span, scope);
        }
    }

    /// Records the heredocs of an instruction. `keyword` is its own or its ONBUILD
    /// trigger's, and decides whether the bodies expand variables.
    fn heredocs(&mut self, instruction: &Instruction, keyword: Keyword, scope: Scope) {
        for heredoc in &instruction.heredocs {
            let symbol = self.index.symbols.len();
            self.index.symbols.push(Symbol {
                kind: SymbolKind::Heredoc,
                name: heredoc.name.clone(),
            });
            let word = heredoc.word.span.text(self.text);
            if !heredoc.name.is_empty()
                && let Some(start) = word.rfind(heredoc.name.as_str())
                && word.len() == heredoc.word.span.len()
            {
                let span = Span::new(
                    heredoc.word.span.start + start,
                    heredoc.word.span.start + start + heredoc.name.len(),
                );
                self.push_occurrence(span, symbol, Role::Declaration);
            }
            if let Some(terminator) = heredoc.terminator_span {
                let line = terminator.text(self.text);
                let tabs = line.len() - line.trim_start_matches('\t').len();
                self.push_occurrence(
                    Span::new(terminator.start + tabs, terminator.end),
                    symbol,
                    Role::Reference,
                );
            }

            // A RUN body is a shell script, which expands variables whatever the delimiter's
            // quoting. BuildKit expands a COPY or ADD body only after a bare delimiter.
            let expands = keyword == Keyword::Run || heredoc.expand;
            if expands {
                let options = Options {
                    keep_quotes: keyword != Keyword::Run,
                    ..Options::new('\\')
                };
                for reference in expand::references_with(&heredoc.content, &options) {
                    let span = reference.name_span.shift(heredoc.content_span.start);
                    self.reference(&reference, span, scope);
                }
            }
        }
    }

    fn reference(&mut self, reference: &Reference, span: Span, scope: Scope) {
        let name = reference.name.as_str();
        if name.is_empty() || !name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            return;
        }
        let resolved = self.env.get(name).cloned();
        let (symbol, value, keyword, declaration) = match resolved {
            Some(value) => (
                value.symbol,
                value.value,
                Some(value.keyword),
                Some(value.declaration),
            ),
            None => (
                self.variable_symbol(name, scope, Keyword::Env),
                None,
                None,
                None,
            ),
        };
        self.index.occurrences.push(Occurrence {
            span,
            symbol,
            role: Role::Reference,
            value,
            declared_by: keyword,
            declaration,
        });
    }

    fn push_occurrence(&mut self, span: Span, symbol: usize, role: Role) {
        self.index.occurrences.push(Occurrence {
            span,
            symbol,
            role,
            value: None,
            declared_by: None,
            declaration: None,
        });
    }

    /// Expands `word` with the variables in scope.
    fn expand(&self, word: &str) -> String {
        let env = |name: &str| self.env.get(name).and_then(|value| value.value.clone());
        match expand::expand_word(word, &env, &Options::new(self.tree.escape)) {
            Ok(expansion) => expansion.value,
            Err(_) => word.to_string(),
        }
    }
}

/// Returns the span of an ENV key: the key's own span when it maps exactly, else its
/// first `name.len()` bytes.
fn key_span(span: Span, name: &str, text: &str) -> Span {
    if span.text(text) == name || span.len() < name.len() {
        span
    } else {
        Span::new(span.start, span.start + name.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ballast_parser::parse;

    fn index(text: &str) -> Index {
        Index::build(&parse(text), text)
    }

    fn names_at<'a>(index: &Index, text: &'a str, symbol: usize) -> Vec<(&'a str, Role)> {
        index
            .occurrences_of(symbol)
            .map(|occurrence| (occurrence.span.text(text), occurrence.role))
            .collect()
    }

    #[test]
    fn stage_names_link_from_copy_and_mount() {
        let text = "FROM alpine AS Build\nRUN x\nFROM build\nCOPY --from=BUILD /a /b\nRUN --mount=type=cache,from=build,target=/c true\n";
        let index = index(text);
        assert_eq!(index.stages.len(), 2);
        assert_eq!(index.stages[1].base_stage, Some(0));
        let occurrences = names_at(&index, text, 0);
        assert_eq!(
            occurrences,
            vec![
                ("Build", Role::Declaration),
                ("build", Role::Reference),
                ("BUILD", Role::Reference),
                ("build", Role::Reference)
            ]
        );
    }

    #[test]
    fn variables_resolve_per_stage_and_global() {
        let text =
            "ARG V=1\nFROM a:$V\nARG V\nRUN echo $V\nFROM b\nENV X=${V:-none}\nRUN echo $X\n";
        let index = index(text);
        let v = text.find("$V").unwrap() + 1;
        let first = index.occurrence_at(v).unwrap();
        assert_eq!(first.role, Role::Reference);
        assert_eq!(first.value.as_deref(), Some("1"));
        let in_stage = index
            .occurrence_at(text.find("echo $V").unwrap() + 6)
            .unwrap();
        assert_eq!(
            in_stage.symbol, first.symbol,
            "in-stage ARG shares the global build argument"
        );
        assert_eq!(in_stage.value.as_deref(), Some("1"));
        let x = index.occurrence_at(text.rfind("$X").unwrap() + 1).unwrap();
        assert_eq!(
            x.value.as_deref(),
            Some("none"),
            "V is not declared in the second stage"
        );
    }

    #[test]
    fn env_is_inherited_from_base_stage() {
        let text = "FROM a AS base\nENV HOME_DIR=/srv\nFROM base\nRUN cd $HOME_DIR\n";
        let index = index(text);
        let reference = index
            .occurrence_at(text.rfind("HOME_DIR").unwrap())
            .unwrap();
        assert_eq!(reference.value.as_deref(), Some("/srv"));
        assert_eq!(reference.declared_by, Some(Keyword::Env));
        let visible: Vec<_> = index
            .visible_variables(text.len())
            .iter()
            .map(|b| b.name.clone())
            .collect();
        assert_eq!(visible, vec!["HOME_DIR"]);
    }

    #[test]
    fn heredoc_delimiters_and_body_references() {
        let text = "FROM a\nARG N=3\nRUN <<EOF\necho $N\nEOF\n";
        let index = index(text);
        let heredoc = index
            .symbols
            .iter()
            .position(|symbol| symbol.kind == SymbolKind::Heredoc)
            .unwrap();
        assert_eq!(
            names_at(&index, text, heredoc),
            vec![("EOF", Role::Declaration), ("EOF", Role::Reference)]
        );
        let body = index.occurrence_at(text.find("$N").unwrap() + 1).unwrap();
        assert_eq!(body.value.as_deref(), Some("3"));
    }

    #[test]
    fn onbuild_triggers_are_indexed() {
        let text = "FROM alpine AS build\nENV VERSION=1.2\nFROM build\nONBUILD COPY --from=build /a /b\nONBUILD RUN echo $VERSION\nONBUILD RUN <<EOF\necho ${VERSION}\nEOF\n";
        let index = index(text);

        let stage = index
            .occurrence_at(text.find("--from=build").unwrap() + 8)
            .expect("the stage named in an ONBUILD COPY --from");
        assert_eq!(stage.role, Role::Reference);
        assert_eq!(index.symbols[stage.symbol].kind, SymbolKind::Stage);

        let declaration = index
            .occurrence_at(text.find("VERSION=").unwrap())
            .unwrap();
        let variable = index
            .occurrence_at(text.find("$VERSION").unwrap() + 1)
            .expect("the variable in an ONBUILD RUN");
        assert_eq!(variable.role, Role::Reference);
        assert_eq!(variable.symbol, declaration.symbol);

        let in_body = index
            .occurrence_at(text.find("${VERSION}").unwrap() + 2)
            .expect("the variable in the heredoc body of an ONBUILD RUN");
        assert_eq!(in_body.symbol, declaration.symbol);
        assert_eq!(
            names_at(&index, text, declaration.symbol),
            vec![
                ("VERSION", Role::Declaration),
                ("VERSION", Role::Reference),
                ("VERSION", Role::Reference)
            ]
        );
    }

    #[test]
    fn onbuild_exec_form_is_not_expanded() {
        let text = "FROM a\nENV A=1\nONBUILD CMD [\"echo\", \"$A\"]\n";
        let index = index(text);
        assert!(index.occurrence_at(text.rfind('A').unwrap()).is_none());
    }

    #[test]
    fn exec_form_is_not_expanded() {
        let text = "FROM a\nENV A=1\nCMD [\"echo\", \"$A\"]\n";
        let index = index(text);
        assert!(index.occurrence_at(text.rfind('A').unwrap()).is_none());
    }
}
