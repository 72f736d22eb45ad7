//! Facts about well-known official images: their smaller variants, approximate sizes,
//! and the versions whose upstream support has ended.
//!
//! Sizes are approximate and were not measured by this project. They are the figures
//! that these public pages give, read in December 2026:
//! - debian, ubuntu and alpine (compressed): <https://goelacademy.com/blog/docker-image-optimization>
//! - python (on disk): <https://pythonz2h.com/chapter_12_cloud_devops_and_deployment/series_01_dockerizing_python_apps/slim_images_reduce_size>
//! - node (on disk): <https://atharvaunde.com/blogs/base-images-the-secret-to-smaller-docker-images>
//!
//! NOTE: no public page with sizes for golang, rust, ruby, php or eclipse-temurin was at
//! hand, so those entries name the smaller variant without a size.

/// A large official image and its smaller variants.
pub(crate) struct OfficialImage {
    /// The repository name under `docker.io/library/`.
    pub name: &'static str,
    /// Tag suffixes of smaller variants, such as `-slim`.
    pub smaller: &'static [&'static str],
    /// The approximate size of the default variant and of the smallest listed one, as
    /// the source page gives them.
    pub sizes: Option<(&'static str, &'static str)>,
    /// An image that replaces this one, for deprecated repositories.
    pub replaced_by: Option<&'static str>,
}

pub(crate) const OFFICIAL_IMAGES: &[OfficialImage] = &[
    OfficialImage {
        name: "python",
        smaller: &["-slim", "-alpine"],
        sizes: Some((
            "about 900 MB on disk",
            "about 300 MB for -slim, 50 MB for -alpine",
        )),
        replaced_by: None,
    },
    OfficialImage {
        name: "node",
        smaller: &["-slim", "-alpine"],
        sizes: Some((
            "about 1.1 GB on disk",
            "about 250 MB for -slim, 180 MB for -alpine",
        )),
        replaced_by: None,
    },
    OfficialImage {
        name: "debian",
        smaller: &["-slim"],
        sizes: Some(("about 52 MB compressed", "about 27 MB compressed for -slim")),
        replaced_by: None,
    },
    OfficialImage {
        name: "golang",
        smaller: &["-alpine"],
        sizes: None,
        replaced_by: None,
    },
    OfficialImage {
        name: "rust",
        smaller: &["-slim", "-alpine"],
        sizes: None,
        replaced_by: None,
    },
    OfficialImage {
        name: "ruby",
        smaller: &["-slim", "-alpine"],
        sizes: None,
        replaced_by: None,
    },
    OfficialImage {
        name: "php",
        smaller: &["-alpine"],
        sizes: None,
        replaced_by: None,
    },
    OfficialImage {
        name: "eclipse-temurin",
        smaller: &["-jre", "-alpine"],
        sizes: None,
        replaced_by: None,
    },
    OfficialImage {
        name: "openjdk",
        smaller: &["-slim"],
        sizes: None,
        replaced_by: Some("eclipse-temurin (a -jre tag for running)"),
    },
];

/// Tag words that already name a small variant.
pub(crate) const SMALL_VARIANT_WORDS: &[&str] = &[
    "slim",
    "alpine",
    "distroless",
    "minimal",
    "jre",
    "busybox",
    "musl",
    "nanoserver",
];

/// Returns the entry for an official repository name.
pub(crate) fn official_image(name: &str) -> Option<&'static OfficialImage> {
    OFFICIAL_IMAGES.iter().find(|image| image.name == name)
}

/// Whether a tag already names a small variant (`3.12-slim`, `20-alpine3.20`, `17-jre`).
pub(crate) fn is_small_variant(tag: &str) -> bool {
    tag.split(['-', '_', '.']).any(|part| {
        SMALL_VARIANT_WORDS
            .iter()
            .any(|word| part.starts_with(word))
    })
}

/// An official image version whose upstream support has ended.
pub(crate) struct EndOfLife {
    pub name: &'static str,
    /// The version as `major` or `major.minor`; a tag matches when it equals the version
    /// or starts with it followed by `.` or `-`.
    pub version: &'static str,
    /// The month support ended, `YYYY-MM`.
    pub ended: &'static str,
}

// NOTE: the dates are the end-of-life dates the projects announced in their release
// schedules (Python's release PEPs, the Node.js release plan, Ruby and PHP's supported
// versions pages, Debian and Ubuntu's release pages), written from memory and not
// checked against those pages here.
pub(crate) const END_OF_LIFE: &[EndOfLife] = &[
    EndOfLife {
        name: "python",
        version: "2",
        ended: "2020-01",
    },
    EndOfLife {
        name: "python",
        version: "3.5",
        ended: "2020-09",
    },
    EndOfLife {
        name: "python",
        version: "3.6",
        ended: "2021-12",
    },
    EndOfLife {
        name: "python",
        version: "3.7",
        ended: "2023-06",
    },
    EndOfLife {
        name: "python",
        version: "3.8",
        ended: "2024-10",
    },
    EndOfLife {
        name: "python",
        version: "3.9",
        ended: "2025-10",
    },
    EndOfLife {
        name: "node",
        version: "10",
        ended: "2021-04",
    },
    EndOfLife {
        name: "node",
        version: "12",
        ended: "2022-04",
    },
    EndOfLife {
        name: "node",
        version: "14",
        ended: "2023-04",
    },
    EndOfLife {
        name: "node",
        version: "16",
        ended: "2023-09",
    },
    EndOfLife {
        name: "node",
        version: "17",
        ended: "2022-06",
    },
    EndOfLife {
        name: "node",
        version: "18",
        ended: "2025-04",
    },
    EndOfLife {
        name: "node",
        version: "19",
        ended: "2023-06",
    },
    EndOfLife {
        name: "node",
        version: "21",
        ended: "2024-06",
    },
    EndOfLife {
        name: "ruby",
        version: "2",
        ended: "2023-03",
    },
    EndOfLife {
        name: "ruby",
        version: "3.0",
        ended: "2024-04",
    },
    EndOfLife {
        name: "php",
        version: "5",
        ended: "2018-12",
    },
    EndOfLife {
        name: "php",
        version: "7",
        ended: "2022-11",
    },
    EndOfLife {
        name: "php",
        version: "8.0",
        ended: "2023-11",
    },
    EndOfLife {
        name: "debian",
        version: "9",
        ended: "2022-06",
    },
    EndOfLife {
        name: "debian",
        version: "10",
        ended: "2024-06",
    },
    EndOfLife {
        name: "debian",
        version: "stretch",
        ended: "2022-06",
    },
    EndOfLife {
        name: "debian",
        version: "buster",
        ended: "2024-06",
    },
    EndOfLife {
        name: "ubuntu",
        version: "16.04",
        ended: "2021-04",
    },
    EndOfLife {
        name: "ubuntu",
        version: "18.04",
        ended: "2023-05",
    },
    EndOfLife {
        name: "ubuntu",
        version: "xenial",
        ended: "2021-04",
    },
    EndOfLife {
        name: "ubuntu",
        version: "bionic",
        ended: "2023-05",
    },
];

/// Returns the end-of-life entry that `tag` of official image `name` falls under.
pub(crate) fn end_of_life(name: &str, tag: &str) -> Option<&'static EndOfLife> {
    END_OF_LIFE.iter().find(|entry| {
        entry.name == name
            && tag
                .strip_prefix(entry.version)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-']))
    })
}
