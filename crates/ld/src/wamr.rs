//! What each WAMR release loads with its default build: the feature profile behind `--wamr`.
//!
//! The facts come from running the real `iwasm` of each release, built with its default Linux
//! options, on one probe module per feature (`tests/wamr-probes/`, `docs/wamr-fleet.md`); the
//! tests run the same probes again against `check --wamr=<release>`
//! (`tests/wamr_fleet.rs`), so this table cannot drift from what the releases do. A release between two measured ones gets the older one's profile:
//! WAMR only ever adds features to its defaults, so that is the safe side.

use crate::features::{Feature, Usage};

/// A WAMR release whose default build was measured.
#[derive(Debug, PartialEq, Eq)]
pub struct Release {
    pub version: &'static str,
    /// Features its default Linux build loads and runs (beyond the MVP).
    pub loads: &'static [Feature],
}

use Feature as F;

/// Loaded by every measured release's default build (beyond the MVP).
const BASE: &[Feature] = &[F::MutableGlobals, F::SignExtension, F::SaturatingFloatToInt, F::MultiValue, F::BulkMemory];

/// The measured releases, oldest first (`docs/wamr-fleet.md` has the probe results behind this).
pub const RELEASES: &[Release] = &[
    Release { version: "1.1.2", loads: BASE },
    Release { version: "1.3.3", loads: BASE },
    Release { version: "2.1.2", loads: BASE },
    // 2.2.0 reads memory indices as LEB128s; the table index still as one byte.
    Release { version: "2.2.0", loads: &[F::MutableGlobals, F::SignExtension, F::SaturatingFloatToInt, F::MultiValue, F::BulkMemory, F::OverlongMemoryIndex] },
    // 2.3.0 turned reference types on by default; 2.4's fast interpreter runs SIMD (with SIMDe).
    Release {
        version: "2.4.5",
        loads: &[
            F::MutableGlobals,
            F::SignExtension,
            F::SaturatingFloatToInt,
            F::MultiValue,
            F::BulkMemory,
            F::OverlongMemoryIndex,
            F::OverlongTableIndex,
            F::ReferenceTypes,
            F::Simd,
        ],
    },
];

/// The release the linker and `check` assume when none is named: the oldest measured one.
pub fn oldest() -> &'static Release {
    &RELEASES[0]
}

/// How a feature the default build refuses can be had: the build option, and the first
/// release that has it.
pub fn how_to_enable(f: Feature) -> &'static str {
    match f {
        F::ReferenceTypes => "WAMR_BUILD_REF_TYPES=1 (the default from 2.3.0; or WAMR_BUILD_GC=1, from 2.1)",
        F::OverlongTableIndex => {
            "WAMR_BUILD_REF_TYPES=1 (the default from 2.3.0), or single-byte immediates: wasip2-on-wasip1-ld writes them, `wasip2-on-wasip1 lower` rewrites any module"
        }
        F::OverlongMemoryIndex => {
            "WAMR 2.2.0 or later (no build option helps before), or single-byte immediates: wasip2-on-wasip1-ld writes them, `wasip2-on-wasip1 lower` rewrites any module"
        }
        F::Simd => "WAMR 2.4's interpreter (WAMR_BUILD_SIMD=1, the default, with SIMDe); before 2.4 only AOT or LLVM JIT run SIMD",
        F::RelaxedSimd => "no WAMR release's interpreter",
        F::TailCall => "WAMR_BUILD_TAIL_CALL=1",
        F::ExceptionHandling => "WAMR_BUILD_EXCE_HANDLING=1 with WAMR_BUILD_FAST_INTERP=0 (from 1.3; legacy try/catch only, no release runs try_table)",
        F::Memory64 => "WAMR_BUILD_MEMORY64=1 (from 2.1)",
        F::MultiMemory => "WAMR_BUILD_MULTI_MEMORY=1 with WAMR_BUILD_FAST_INTERP=0 (from 2.2)",
        F::ExtendedConst => "WAMR_BUILD_EXTENDED_CONST_EXPR=1 (from 2.4)",
        F::FunctionReferences | F::Gc => "WAMR_BUILD_GC=1 (from 2.1)",
        F::Threads => "WAMR_BUILD_SHARED_MEMORY=1 (atomic instructions)",
        F::SharedMemory => {
            "WAMR_BUILD_SHARED_MEMORY=1, and a single-threaded adapter cannot serve it: wasip2-on-wasip1-ld refuses shared memory for every runtime"
        }
        F::BulkMemory => "WAMR_BUILD_BULK_MEMORY=1 (the default)",
        F::MutableGlobals | F::SignExtension | F::SaturatingFloatToInt | F::MultiValue => "every release",
        F::Other(_) => "no WAMR release",
    }
}

/// The target runtime of a check: a release's default build, plus the features the device's
/// build enabled on top (`--wamr=2.2+simd`).
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    /// As the user wrote it.
    pub requested: String,
    /// The measured release whose default profile applies.
    pub release: &'static Release,
    pub extra: Vec<Feature>,
}

impl Target {
    pub fn oldest() -> Target {
        Target { requested: oldest().version.to_string(), release: oldest(), extra: Vec::new() }
    }

    pub fn loads(&self, f: Feature) -> bool {
        self.release.loads.contains(&f) || self.extra.contains(&f)
    }

    /// How the target is described in messages: `WAMR 1.1.2 (default build)`, or
    /// `WAMR 1.2 (measured as 1.1.2, default build)`.
    pub fn describe(&self) -> String {
        let build = if self.extra.is_empty() {
            "default build".to_string()
        } else {
            format!("default build + {}", self.extra.iter().map(|f| f.name()).collect::<Vec<_>>().join(" + "))
        };
        if self.requested == self.release.version {
            format!("WAMR {} ({build})", self.release.version)
        } else {
            format!("WAMR {} (profile of {}, {build})", self.requested, self.release.version)
        }
    }
}

fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let mut it = v.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next().map_or(Some(u32::MAX), |m| m.parse().ok())?;
    let patch = it.next().map_or(Some(u32::MAX), |p| p.parse().ok())?;
    if it.next().is_some() { None } else { Some((major, minor, patch)) }
}

/// Features that may be named after `+` (those a build option can add).
const ADDABLE: &[Feature] = &[
    F::ReferenceTypes,
    F::Simd,
    F::TailCall,
    F::ExceptionHandling,
    F::Memory64,
    F::MultiMemory,
    F::ExtendedConst,
    F::Gc,
    F::Threads,
];

/// Parses `VERSION[+FEATURE...]` (`1.1`, `2.4.5`, `2.2+simd+tail-call`); `Ok(None)` for `off`
/// (no WAMR check). A version older than every measured release is refused; a version between
/// two measured ones (or `1.3` for the newest 1.3.x) gets the newest measured profile not
/// newer than it.
pub fn parse_target(s: &str) -> Result<Option<Target>, String> {
    if s == "off" || s == "none" {
        return Ok(None);
    }
    let mut parts = s.split('+');
    let version = parts.next().unwrap_or("");
    let want = parse_version(version).ok_or_else(|| format!("--wamr={s}: expected a WAMR version such as 1.1 or 2.4.5, or off"))?;
    let release = RELEASES
        .iter()
        .rev()
        .find(|r| parse_version(r.version).is_some_and(|v| v <= want))
        .ok_or_else(|| format!("--wamr={s}: releases before {} are not supported", oldest().version))?;
    let mut extra = Vec::new();
    for name in parts {
        let f = ADDABLE
            .iter()
            .find(|f| f.name() == name || (name == "ref-types" && **f == F::ReferenceTypes))
            .ok_or_else(|| {
                format!("--wamr={s}: `{name}` is not a feature a WAMR build option adds (one of: {})", ADDABLE.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))
            })?;
        extra.push(*f);
        if *f == F::ReferenceTypes {
            extra.push(F::OverlongTableIndex);
        }
    }
    Ok(Some(Target { requested: version.to_string(), release, extra }))
}

/// The features `usage` needs that `target` does not load, in order.
pub fn refused<'a>(usage: &'a Usage, target: &Target) -> Vec<(Feature, &'a crate::features::Uses)> {
    usage.iter().filter(|(f, _)| !target.loads(**f)).map(|(f, u)| (*f, u)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_map_to_the_newest_measured_profile_not_newer() {
        let t = |s| parse_target(s).unwrap().unwrap();
        assert_eq!(t("1.1").release.version, "1.1.2");
        assert_eq!(t("1.2.3").release.version, "1.1.2");
        assert_eq!(t("2.3.0").release.version, "2.2.0");
        assert_eq!(t("2.4").release.version, "2.4.5");
        assert_eq!(t("3.0").release.version, "2.4.5");
        assert!(parse_target("1.0.9").is_err());
        assert!(parse_target("x").is_err());
        assert_eq!(parse_target("off").unwrap(), None);
        let s = t("2.2+simd+ref-types");
        assert!(s.loads(F::Simd) && s.loads(F::ReferenceTypes) && s.loads(F::OverlongTableIndex) && !s.loads(F::TailCall));
        assert!(parse_target("2.2+sparkles").is_err());
        assert_eq!(t("1.2").describe(), "WAMR 1.2 (profile of 1.1.2, default build)");
    }
}
