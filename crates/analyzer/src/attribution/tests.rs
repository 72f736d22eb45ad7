use ballast_parser::parse;

use super::*;
use crate::image::history::normalize_instruction;

fn entry(created_by: &str, empty_layer: bool) -> HistoryEntry {
    HistoryEntry {
        layer: None,
        empty_layer,
        created_by: Some(created_by.to_owned()),
        instruction: Some(normalize_instruction(created_by)),
        created: None,
        comment: None,
    }
}

fn attribute_text(dockerfile: &str, history: &[HistoryEntry], stage: Option<usize>) -> Attribution {
    let tree = parse(dockerfile);
    let model = Model::new(dockerfile, &tree);
    let layers = history.iter().filter(|entry| !entry.empty_layer).count();
    let stage = stage.unwrap_or(model.stages.len() - 1);
    attribute(&model, stage, history, layers)
}

/// (layer, role, lines) of every step.
fn summary(attribution: &Attribution) -> Vec<(Option<usize>, StepRole, Option<(u32, u32)>)> {
    attribution
        .steps
        .iter()
        .map(|step| (step.layer, step.role, step.lines))
        .collect()
}

const BUSYBOX_BASE: [(&str, bool); 2] = [
    ("/bin/sh -c #(nop) COPY file:aa in /bin/busybox ", false),
    ("/bin/busybox --install -s /bin", false),
];

#[test]
fn classic_builder_on_base_image() {
    let dockerfile = "FROM ballast-test/busybox\nENV A=1\nRUN mkdir /data && \\\n  echo hi > /data/x\nCOPY app /app\nCMD [\"/app\"]\n";
    let mut history: Vec<HistoryEntry> = BUSYBOX_BASE.iter().map(|(t, e)| entry(t, *e)).collect();
    history.push(entry("/bin/sh -c #(nop)  ENV A=1", true));
    history.push(entry(
        "/bin/sh -c mkdir /data &&   echo hi > /data/x",
        false,
    ));
    history.push(entry("/bin/sh -c #(nop) COPY file:bb in /app ", false));
    history.push(entry("/bin/sh -c #(nop)  CMD [\"/app\"]", true));
    let attribution = attribute_text(dockerfile, &history, None);

    assert_eq!(attribution.status, AttributionStatus::Aligned);
    assert_eq!(attribution.base_layers, 2);
    assert_eq!(
        summary(&attribution),
        vec![
            (Some(0), StepRole::Base, Some((1, 1))),
            (Some(1), StepRole::Base, Some((1, 1))),
            (None, StepRole::Instruction, Some((2, 2))),
            (Some(2), StepRole::Instruction, Some((3, 4))),
            (Some(3), StepRole::Instruction, Some((5, 5))),
            (None, StepRole::Instruction, Some((6, 6))),
        ]
    );
    assert_eq!(attribution.lines_of_layer(2), Some((3, 4)));
}

#[test]
fn buildkit_scratch_with_unchanged_run() {
    let dockerfile =
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"true\"]\nWORKDIR /\n";
    let history = vec![
        entry("COPY busybox /bin/busybox # buildkit", false),
        entry("RUN /bin/busybox true # buildkit", false),
        entry("WORKDIR /", true),
    ];
    let attribution = attribute_text(dockerfile, &history, None);

    assert_eq!(attribution.status, AttributionStatus::Aligned);
    assert_eq!(attribution.base_layers, 0);
    assert_eq!(attribution.lines_of_layer(0), Some((2, 2)));
    assert_eq!(attribution.lines_of_layer(1), Some((3, 3)));
    assert_eq!(attribution.steps[2].lines, Some((4, 4)));
}

#[test]
fn multi_stage_target_aligns_its_own_stage() {
    let dockerfile = "FROM scratch AS build\nCOPY a /a\nFROM ballast-test/busybox AS final\nCOPY --from=build /a /a\nRUN ls /a\n";
    let mut history: Vec<HistoryEntry> = BUSYBOX_BASE.iter().map(|(t, e)| entry(t, *e)).collect();
    history.push(entry("COPY /a /a # buildkit", false));
    history.push(entry("RUN /bin/sh -c ls /a # buildkit", false));
    let attribution = attribute_text(dockerfile, &history, Some(1));

    assert_eq!(attribution.status, AttributionStatus::Aligned);
    assert_eq!(attribution.base_layers, 2);
    assert_eq!(attribution.lines_of_layer(0), Some((3, 3)));
    assert_eq!(attribution.lines_of_layer(2), Some((4, 4)));
    assert_eq!(attribution.lines_of_layer(3), Some((5, 5)));

    let first = attribute_text(dockerfile, &history[2..3], Some(0));
    assert_eq!(first.lines_of_layer(0), Some((2, 2)));
}

#[test]
fn onbuild_classic_leaves_entry_and_trigger() {
    let dockerfile = "FROM ballast-test/busybox AS parent\nONBUILD RUN echo onbuild > /marker\nRUN true\nFROM parent\nCOPY app /app\n";
    let mut history: Vec<HistoryEntry> = BUSYBOX_BASE.iter().map(|(t, e)| entry(t, *e)).collect();
    history.push(entry(
        "/bin/sh -c #(nop)  ONBUILD RUN echo onbuild > /marker",
        true,
    ));
    history.push(entry("/bin/sh -c true", true));
    history.push(entry("/bin/sh -c echo onbuild > /marker", false));
    history.push(entry("/bin/sh -c #(nop) COPY file:cc in /app ", false));
    let attribution = attribute_text(dockerfile, &history, None);

    assert_eq!(attribution.status, AttributionStatus::Aligned);
    assert_eq!(
        summary(&attribution),
        vec![
            (Some(0), StepRole::Base, Some((1, 1))),
            (Some(1), StepRole::Base, Some((1, 1))),
            (None, StepRole::Instruction, Some((2, 2))),
            (None, StepRole::Instruction, Some((3, 3))),
            (Some(2), StepRole::OnbuildTrigger, Some((4, 4))),
            (Some(3), StepRole::Instruction, Some((5, 5))),
        ]
    );
}

#[test]
fn onbuild_buildkit_leaves_no_entry() {
    let dockerfile = "FROM ballast-test/busybox AS parent\nONBUILD RUN echo onbuild > /marker\nFROM parent\nCOPY app /app\n";
    let mut history: Vec<HistoryEntry> = BUSYBOX_BASE.iter().map(|(t, e)| entry(t, *e)).collect();
    history.push(entry(
        "RUN /bin/sh -c echo onbuild > /marker # buildkit",
        false,
    ));
    history.push(entry("COPY app /app # buildkit", false));
    let attribution = attribute_text(dockerfile, &history, None);

    assert_eq!(attribution.status, AttributionStatus::Aligned);
    assert_eq!(
        attribution.step_of_layer(2).map(|s| s.role),
        Some(StepRole::OnbuildTrigger)
    );
    assert_eq!(attribution.lines_of_layer(2), Some((3, 3)));
    assert_eq!(attribution.lines_of_layer(3), Some((4, 4)));
}

#[test]
fn squashed_build_ties_layer_to_stage() {
    let dockerfile =
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"true\"]\nCMD [\"sh\"]\n";
    let history = vec![
        entry("/bin/sh -c #(nop) COPY file:aa in /bin/busybox ", true),
        entry("/bin/sh -c [\"/bin/busybox\", \"true\"]", true),
        entry("/bin/sh -c #(nop) CMD [\"sh\"]", false),
    ];
    let attribution = attribute_text(dockerfile, &history, None);

    assert_eq!(attribution.status, AttributionStatus::Squashed);
    assert_eq!(
        attribution.step_of_layer(0).map(|s| s.role),
        Some(StepRole::Stage)
    );
    assert_eq!(attribution.lines_of_layer(0), Some((1, 4)));
}

#[test]
fn mismatch_refuses_to_guess() {
    let dockerfile = "FROM scratch\nCOPY a /a\nRUN echo one\n";
    let history = vec![
        entry("COPY a /a # buildkit", false),
        entry("RUN /bin/sh -c echo two # buildkit", false),
    ];
    let attribution = attribute_text(dockerfile, &history, None);

    let AttributionStatus::Unavailable { reason } = &attribution.status else {
        panic!("expected unavailable, got {:?}", attribution.status);
    };
    assert!(reason.contains("line 3"), "{reason}");
    assert!(attribution.steps.is_empty());
}

#[test]
fn layer_count_mismatch_is_unavailable() {
    let dockerfile = "FROM scratch\nCOPY a /a\n";
    let history = vec![entry("COPY a /a # buildkit", false)];
    let tree = parse(dockerfile);
    let model = Model::new(dockerfile, &tree);
    let attribution = attribute(&model, 0, &history, 2);
    assert!(!attribution.is_available());
}

#[test]
fn too_few_entries_is_unavailable() {
    let dockerfile = "FROM scratch\nCOPY a /a\nCOPY b /b\n";
    let history = vec![entry("COPY b /b # buildkit", false)];
    let attribution = attribute_text(dockerfile, &history, None);
    let AttributionStatus::Unavailable { reason } = &attribution.status else {
        panic!("expected unavailable");
    };
    assert!(reason.contains("line 2"), "{reason}");
}

#[test]
fn exporter_entries_are_builder_steps() {
    let dockerfile = "FROM scratch\nCOPY a /a\n";
    let mut extra = entry("", false);
    extra.comment = Some(EXPORTER_COMMENT.to_owned());
    let history = vec![entry("COPY a /a # buildkit", false), extra];
    let attribution = attribute_text(dockerfile, &history, None);
    assert_eq!(attribution.status, AttributionStatus::Aligned);
    assert_eq!(
        attribution.step_of_layer(1).map(|s| s.role),
        Some(StepRole::Builder)
    );
    assert_eq!(attribution.lines_of_layer(0), Some((2, 2)));
}
