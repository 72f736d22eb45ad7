//! The stages that a build of one target needs, and the stage that contains a position.

use super::Model;

impl Model<'_> {
    /// Returns whether each stage is needed to build `target`: `target` itself and every stage
    /// it is built on (`FROM`), copies from (`COPY --from`) or mounts (`RUN --mount=from=`),
    /// directly or through other needed stages. Indexed like [`Model::stages`].
    pub fn stages_needed_by(&self, target: usize) -> Vec<bool> {
        let mut needed = vec![false; self.stages.len()];
        let mut pending = vec![target];
        while let Some(stage) = pending.pop() {
            if needed[stage] {
                continue;
            }
            needed[stage] = true;

            for dependency in &self.stages {
                let used_here = dependency
                    .used_by
                    .iter()
                    .any(|&user| self.instructions[user].stage == Some(stage));
                if used_here && !needed[dependency.index] {
                    pending.push(dependency.index);
                }
            }
        }
        needed
    }

    /// Returns the stage whose lines contain byte `offset`: the last stage whose `FROM` starts
    /// at or before it. `None` for the lines before the first `FROM`.
    pub fn stage_at(&self, offset: usize) -> Option<usize> {
        let after = self
            .stages
            .partition_point(|stage| self.instructions[stage.from].span().start <= offset);
        after.checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::model::{Base, Model};

    const STAGES: &str = "ARG V=1\nFROM busybox AS tools\nRUN true\n\nFROM busybox AS unused\nRUN true\n\nFROM tools AS build\nRUN --mount=from=unused,target=/m true\n\nFROM scratch AS app\nCOPY --from=build /a /a\n\nFROM busybox AS later\nCOPY --from=app /a /a\n";

    fn needed(target: &str) -> Vec<bool> {
        let tree = ballast_parser::parse(STAGES);
        let model = Model::new(STAGES, &tree);
        model.stages_needed_by(model.stage_ref(target).unwrap())
    }

    #[test]
    fn target_needs_stages_transitively() {
        assert_eq!(needed("app"), vec![true, true, true, true, false]);
    }

    #[test]
    fn first_stage_needs_only_itself() {
        assert_eq!(needed("tools"), vec![true, false, false, false, false]);
    }

    const CHOSEN_BASE: &str = "ARG BASE=deps\nFROM scratch AS deps\nFROM scratch AS unrelated\nFROM ${BASE} AS app\nARG BASE\nARG TAG=1\nRUN true\n";

    #[test]
    fn build_arg_chooses_base_stage() {
        let tree = ballast_parser::parse(CHOSEN_BASE);
        let build_args = HashMap::from([
            ("BASE".to_owned(), "unrelated".to_owned()),
            ("TAG".to_owned(), "2".to_owned()),
        ]);
        let model = Model::with_build_args(CHOSEN_BASE, &tree, None, build_args);
        let app = model.stage_ref("app").unwrap();
        assert_eq!(model.stages[app].base, Base::Stage(1));
        assert_eq!(model.stages_needed_by(app), vec![false, true, true]);
        assert_eq!(model.value_before(6, "BASE"), Some("unrelated"));
        assert_eq!(model.value_before(6, "TAG"), Some("2"));
    }

    #[test]
    fn defaults_choose_base_without_build_args() {
        let tree = ballast_parser::parse(CHOSEN_BASE);
        let model = Model::new(CHOSEN_BASE, &tree);
        let app = model.stage_ref("app").unwrap();
        assert_eq!(model.stages[app].base, Base::Stage(0));
        assert_eq!(model.stages_needed_by(app), vec![true, false, true]);
        assert_eq!(model.value_before(6, "TAG"), Some("1"));
    }

    #[test]
    fn offsets_map_to_stages() {
        let tree = ballast_parser::parse(STAGES);
        let model = Model::new(STAGES, &tree);
        assert_eq!(model.stage_at(0), None);
        assert_eq!(model.stage_at(STAGES.find("RUN true").unwrap()), Some(0));
        assert_eq!(model.stage_at(STAGES.find("\n\nFROM busybox AS unused").unwrap()), Some(0));
        assert_eq!(model.stage_at(STAGES.find("FROM busybox AS unused").unwrap()), Some(1));
        assert_eq!(model.stage_at(STAGES.len()), Some(4));
    }
}
