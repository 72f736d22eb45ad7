//! The rule registry and what a rule is.
//!
//! A rule lives in its own file, named after what it detects. The file declares the rule
//! with [`declare_rule!`], whose doc comment is the rule's documentation in the sections
//! *What it does*, *Why is this bad*, *Example* and *Fix*, and a `check` function that
//! reads the model through a [`Context`] and reports findings with [`Context::report`].
//! `ballast rules` and `ballast rule CODE` print that documentation, so it cannot drift
//! from the code. Add the file's module and rule to [`register_rules!`] below.

mod context;
mod base_images;
mod build_outputs;
pub(crate) mod packages;
pub(crate) mod label_schema;

use crate::diagnostic::Severity;

pub use context::{Context, FileContext, Focus};

/// A lint rule.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Reports every finding of this rule in one file.
    fn check(&self, cx: &mut Context<'_>);

    /// Returns what the findings depend on, which decides what a lint of an edited file can
    /// reuse.
    fn scope(&self) -> Scope {
        Scope::File
    }
}

/// The inputs that a rule's findings depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Anything in the file. The rule runs on the whole file every time.
    File,
    /// A finding that lies in a stage (from its `FROM` up to the next `FROM`) depends only on
    /// what [`crate::lint`] hashes into the stage's fingerprint. That is the stage's own
    /// text, the text before the first `FROM`, the text of every `ONBUILD` in the file, and
    /// the fingerprint of the stage it is built on. It is also the stage's position among
    /// the stages, whether it is the last one, and whether the final image needs it. Its message names no line number. The rule checks only the instructions
    /// and stages that [`Context::focus`] covers; after an edit, the findings of the other
    /// stages are taken from the previous lint.
    Stage,
    /// As [`Scope::Stage`], except that messages may name line numbers: the stage's first
    /// line is part of its fingerprint, so a stage that moved to other lines is checked
    /// again.
    StageLines,
}

/// The static description of a rule.
#[derive(Debug)]
pub struct RuleMeta {
    /// The stable code: `DL####` (hadolint's), `BL####` (ballast's), or a BuildKit check
    /// name such as `JSONArgsRecommended`.
    pub code: &'static str,
    /// The kebab-case name: `add-instead-of-copy`.
    pub name: &'static str,
    pub severity: Severity,
    /// The doc comment, each line with the single leading space that `///` leaves.
    pub doc: &'static str,
}

impl RuleMeta {
    /// Returns the documentation as Markdown, without the leading space of each doc line.
    pub fn documentation(&self) -> String {
        let mut text = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        text.trim().to_string() + "\n"
    }

    /// Returns the first paragraph under *What it does*, for tables.
    pub fn summary(&self) -> String {
        let documentation = self.documentation();
        let body = documentation
            .split_once("## What it does")
            .map_or(documentation.as_str(), |(_, rest)| rest);
        let paragraph: Vec<&str> = body
            .lines()
            .map(str::trim)
            .skip_while(|line| line.is_empty())
            .take_while(|line| !line.is_empty())
            .collect();
        paragraph.join(" ")
    }

    /// Returns whether the code is a BuildKit check name, which `# check=skip=` may name.
    pub fn is_buildkit(&self) -> bool {
        self.code.starts_with(|c: char| c.is_ascii_uppercase())
            && self.code.chars().any(|c| c.is_ascii_lowercase())
    }
}

/// Declares a rule: a unit struct documented by the doc comment, with its code, name,
/// default severity and check function.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// …
///     pub AddInsteadOfCopy {
///         code: "DL3020",
///         name: "add-instead-of-copy",
///         severity: Error,
///         scope: Stage, // optional; see `Scope`
///         check: check,
///     }
/// }
///
/// fn check(cx: &mut Context<'_>) { … }
/// ```
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis $rule:ident {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            $(scope: $scope:ident,)?
            check: $check:path $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $rule;

        impl $rule {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $name,
                severity: $crate::diagnostic::Severity::$severity,
                doc: concat!($($doc, "\n"),*),
            };
        }

        impl $crate::rules::Rule for $rule {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &Self::META
            }

            fn check(&self, cx: &mut $crate::rules::Context<'_>) {
                $check(cx)
            }

            $(
                fn scope(&self) -> $crate::rules::Scope {
                    $crate::rules::Scope::$scope
                }
            )?
        }
    };
}

/// Declares the rule modules and lists their rules in [`RULES`].
macro_rules! register_rules {
    ($($module:ident :: $rule:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every rule, in registration order.
        pub static RULES: &[&dyn Rule] = &[$(&$module::$rule),*];
    };
}

register_rules! {
    syntax_error::SyntaxError,
    unknown_pragma_code::UnknownPragmaCode,
    add_instead_of_copy::AddInsteadOfCopy,
    maintainer_deprecated::MaintainerDeprecated,
    // Syntax traps (BL1###) and image-size rules (BL2###).
    trailing_comment::TrailingComment,
    env_spaced_equals::EnvSpacedEquals,
    exec_form_single_quotes::ExecFormSingleQuotes,
    keyword_in_run::KeywordInRun,
    background_process_in_run::BackgroundProcessInRun,
    variable_in_copy_from::VariableInCopyFrom,
    large_base_image::LargeBaseImage,
    end_of_life_base_image::EndOfLifeBaseImage,
    shell_in_scratch::ShellInScratch,
    scratch_without_ca_bundle::ScratchWithoutCaBundle,
    deleted_in_later_run::DeletedInLaterRun,
    static_binary_on_distribution::StaticBinaryOnDistribution,
    dynamic_binary_in_scratch::DynamicBinaryInScratch,
    package_cache_kept::PackageCacheKept,
    add_remote_archive::AddRemoteArchive,
    copy_context_without_dockerignore::CopyContextWithoutDockerignore,
    chown_after_copy::ChownAfterCopy,
    // hadolint rules DL1001 and DL3000 to DL3030.
    inline_ignore_pragma::InlineIgnorePragma,
    workdir_not_absolute::WorkdirNotAbsolute,
    irrelevant_command::IrrelevantCommand,
    last_user_root::LastUserRoot,
    cd_instead_of_workdir::CdInsteadOfWorkdir,
    sudo_in_run::SudoInRun,
    from_untagged::FromUntagged,
    from_latest_tag::FromLatestTag,
    apt_unpinned::AptUnpinned,
    apt_lists_kept::AptListsKept,
    copy_then_extract::CopyThenExtract,
    expose_port_out_of_range::ExposePortOutOfRange,
    multiple_healthcheck::MultipleHealthcheck,
    pip_unpinned::PipUnpinned,
    apt_without_yes::AptWithoutYes,
    apt_install_recommends::AptInstallRecommends,
    npm_unpinned::NpmUnpinned,
    apk_unpinned::ApkUnpinned,
    apk_cache_kept::ApkCacheKept,
    copy_multiple_sources_to_file::CopyMultipleSourcesToFile,
    copy_from_unknown_stage::CopyFromUnknownStage,
    copy_from_own_stage::CopyFromOwnStage,
    duplicate_stage_alias::DuplicateStageAlias,
    command_shell_form::CommandShellForm,
    untrusted_registry::UntrustedRegistry,
    apt_command::AptCommand,
    gem_unpinned::GemUnpinned,
    from_platform_constant::FromPlatformConstant,
    yum_without_yes::YumWithoutYes,
    // hadolint rules DL3031 to DL4006.
    label_missing::LabelMissing,
    label_not_in_schema::LabelNotInSchema,
    label_value_empty::LabelValueEmpty,
    label_url_invalid::LabelUrlInvalid,
    label_rfc3339_invalid::LabelRfc3339Invalid,
    label_license_invalid::LabelLicenseInvalid,
    label_hash_invalid::LabelHashInvalid,
    label_semver_invalid::LabelSemverInvalid,
    healthcheck_missing::HealthcheckMissing,
    label_email_invalid::LabelEmailInvalid,
    env_references_same_instruction::EnvReferencesSameInstruction,
    copy_relative_without_workdir::CopyRelativeWithoutWorkdir,
    onbuild_forbidden_trigger::OnbuildForbiddenTrigger,
    label_key_invalid::LabelKeyInvalid,
    instruction_before_from::InstructionBeforeFrom,
    reserved_stage_alias::ReservedStageAlias,
    platform_target_redundant::PlatformTargetRedundant,
    user_not_numeric::UserNotNumeric,
    copy_root_to_root::CopyRootToRoot,
    maintainer_instruction::MaintainerInstruction,
    multiple_cmd::MultipleCmd,
    multiple_entrypoint::MultipleEntrypoint,
    pipefail_missing::PipefailMissing,
    consecutive_run::ConsecutiveRun,
    wget_progress_bar::WgetProgressBar,
    curl_and_wget::CurlAndWget,
    sh_replaced_with_ln::ShReplacedWithLn,
    useradd_without_no_log_init::UseraddWithoutNoLogInit,
    pip_cache_not_disabled::PipCacheNotDisabled,
    yarn_cache_not_cleaned::YarnCacheNotCleaned,
    go_module_unpinned::GoModuleUnpinned,
    yum_clean_missing::YumCleanMissing,
    yum_version_unpinned::YumVersionUnpinned,
    zypper_non_interactive_missing::ZypperNonInteractiveMissing,
    zypper_dist_upgrade::ZypperDistUpgrade,
    zypper_clean_missing::ZypperCleanMissing,
    zypper_version_unpinned::ZypperVersionUnpinned,
    dnf_assume_yes_missing::DnfAssumeYesMissing,
    dnf_clean_missing::DnfCleanMissing,
    dnf_version_unpinned::DnfVersionUnpinned,
    sensitive_arg_or_env_name::SensitiveArgOrEnvName,
    // BuildKit's build checks.
    stage_name_casing::StageNameCasing,
    from_as_casing::FromAsCasing,
    no_empty_continuation::NoEmptyContinuation,
    consistent_instruction_casing::ConsistentInstructionCasing,
    duplicate_stage_name::DuplicateStageName,
    reserved_stage_name::ReservedStageName,
    json_args_recommended::JsonArgsRecommended,
    undefined_var::UndefinedVar,
    multiple_instructions_disallowed::MultipleInstructionsDisallowed,
    legacy_key_value_format::LegacyKeyValueFormat,
    expose_proto_casing::ExposeProtoCasing,
    expose_invalid_format::ExposeInvalidFormat,
    undefined_arg_in_from::UndefinedArgInFrom,
    workdir_relative_path::WorkdirRelativePath,
    redundant_target_platform::RedundantTargetPlatform,
    from_platform_flag_const_disallowed::FromPlatformFlagConstDisallowed,
    invalid_default_arg_in_from::InvalidDefaultArgInFrom,
    invalid_base_image_platform::InvalidBaseImagePlatform,
    secrets_used_in_arg_or_env::SecretsUsedInArgOrEnv,
    copy_ignored_file::CopyIgnoredFile,
    invalid_definition_description::InvalidDefinitionDescription,
    // Image-evidence rules (BL3###).
    removed_in_later_layer::RemovedInLaterLayer,
    metadata_only_copy::MetadataOnlyCopy,
    package_cache_in_image::PackageCacheInImage,
    secret_file_in_layer::SecretFileInLayer,
    static_binary_on_full_base::StaticBinaryOnFullBase,
    missing_elf_interpreter::MissingElfInterpreter,
    tls_without_ca_bundle::TlsWithoutCaBundle,
    build_tools_in_final_image::BuildToolsInFinalImage,
    context_file_not_ignored::ContextFileNotIgnored,
}

/// Finds a rule by code (case-insensitive) or kebab-case name.
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|rule| {
        let meta = rule.meta();
        meta.code.eq_ignore_ascii_case(code_or_name) || meta.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// Returns the rules sorted by code, for listings.
pub fn sorted() -> Vec<&'static dyn Rule> {
    let mut rules: Vec<&'static dyn Rule> = RULES.to_vec();
    rules.sort_by_key(|rule| rule.meta().code);
    rules
}

/// Every code hadolint 2.15.1 emits. A pragma or config entry naming one of these is
/// valid even before ballast implements the check.
pub const HADOLINT_CODES: &[&str] = &[
    "DL1000", "DL1001", "DL3000", "DL3001", "DL3002", "DL3003", "DL3004", "DL3006", "DL3007",
    "DL3008", "DL3009", "DL3010", "DL3011", "DL3012", "DL3013", "DL3014", "DL3015", "DL3016",
    "DL3018", "DL3019", "DL3020", "DL3021", "DL3022", "DL3023", "DL3024", "DL3025", "DL3026",
    "DL3027", "DL3028", "DL3029", "DL3030", "DL3032", "DL3033", "DL3034", "DL3035", "DL3036",
    "DL3037", "DL3038", "DL3040", "DL3041", "DL3042", "DL3043", "DL3044", "DL3045", "DL3046",
    "DL3047", "DL3048", "DL3049", "DL3050", "DL3051", "DL3052", "DL3053", "DL3054", "DL3055",
    "DL3056", "DL3057", "DL3058", "DL3059", "DL3060", "DL3061", "DL3062", "DL3063", "DL3064",
    "DL3065", "DL3066", "DL3067", "DL4000", "DL4001", "DL4003", "DL4004", "DL4005", "DL4006",
    // Removed from hadolint but still found in old pragmas.
    "DL3005", "DL3017", "DL3031", "DL3039",
];

/// The names of BuildKit's build checks (`frontend/dockerfile/linter/ruleset.go`,
/// BuildKit v0.20), which `# check=skip=` accepts.
pub const BUILDKIT_CHECKS: &[&str] = &[
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "JSONArgsRecommended",
    "MaintainerDeprecated",
    "UndefinedArgInFrom",
    "WorkdirRelativePath",
    "UndefinedVar",
    "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat",
    "InvalidBaseImagePlatform",
    "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom",
    "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile",
    "InvalidDefinitionDescription",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
];

/// Returns whether `code` names a check of ballast or of a tool it mirrors: a registered
/// rule, a hadolint code, a BuildKit check name, or a ShellCheck code (`SC` and four
/// digits, reported when a `shellcheck` binary is installed).
pub fn is_known_code(code: &str) -> bool {
    // BuildKit check names are case-sensitive, so they are matched below, exactly.
    find(code).is_some_and(|rule| {
        let meta = rule.meta();
        meta.code.eq_ignore_ascii_case(code) && !meta.is_buildkit()
    })
        || HADOLINT_CODES.contains(&code)
        || BUILDKIT_CHECKS.contains(&code)
        || is_shellcheck_code(code)
}

pub fn is_shellcheck_code(code: &str) -> bool {
    code.len() == 6 && code.starts_with("SC") && code[2..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes: Vec<&str> = RULES.iter().map(|rule| rule.meta().code).collect();
        let mut names: Vec<&str> = RULES.iter().map(|rule| rule.meta().name).collect();
        codes.sort_unstable();
        names.sort_unstable();
        let code_count = codes.len();
        let name_count = names.len();
        codes.dedup();
        names.dedup();
        assert_eq!(codes.len(), code_count, "duplicate rule code");
        assert_eq!(names.len(), name_count, "duplicate rule name");
    }

    #[test]
    fn every_rule_is_documented() {
        for rule in RULES {
            let meta = rule.meta();
            let doc = meta.documentation();
            for section in ["## What it does", "## Why is this bad", "## Example"] {
                assert!(
                    doc.contains(section),
                    "{} lacks the section `{section}`",
                    meta.code
                );
            }
            assert!(!meta.summary().is_empty(), "{} has no summary", meta.code);
            let kebab = meta
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            assert!(
                kebab,
                "{} has a name that is not kebab-case: {}",
                meta.code, meta.name
            );
        }
    }

    #[test]
    fn known_codes() {
        assert!(is_known_code("DL3020"));
        assert!(is_known_code("DL3008"));
        assert!(is_known_code("SC2086"));
        assert!(is_known_code("JSONArgsRecommended"));
        assert!(!is_known_code("DL9999"));
        assert!(!is_known_code("jsonargsrecommended"));
    }
}
