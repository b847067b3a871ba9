//! The adapter's import table, generated at build time from `wit/` and `src/coverage.txt`.

/// A core wasm value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreTy {
    I32,
    I64,
    F32,
    F64,
}

/// How the adapter serves an import (see `src/coverage.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Implemented with the WIT's semantics.
    Full,
    /// Implemented with a documented limitation (`note`).
    Partial,
    /// Returns the WIT's own "unsupported" error code.
    Unsupported,
    /// A method of a resource this build never creates: unreachable with a valid handle.
    NoInstance,
}

impl Status {
    /// The status as the coverage table and the messages spell it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Full => "full",
            Status::Partial => "partial",
            Status::Unsupported => "unsupported",
            Status::NoInstance => "no-instance",
        }
    }
}

/// One import of the adapter's world.
#[derive(Debug, PartialEq, Eq)]
pub struct Import {
    pub interface: &'static str,
    pub version: &'static str,
    pub since: &'static str,
    pub name: &'static str,
    pub params: &'static [CoreTy],
    pub results: &'static [CoreTy],
    pub symbol: &'static str,
    pub wit: &'static str,
    pub status: Status,
    pub note: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/table.rs"));

/// Which adapter archive: the portable one (standard WASIp1 only) or the WAMR one (sockets
/// over WAMR's extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Portable,
    Wamr,
}

impl Build {
    /// `portable` / `wamr`.
    pub fn parse(s: &str) -> Option<Build> {
        match s {
            "portable" => Some(Build::Portable),
            "wamr" => Some(Build::Wamr),
            _ => None,
        }
    }

    /// The build's import table.
    pub fn table(self) -> &'static [Import] {
        match self {
            Build::Portable => IMPORTS,
            Build::Wamr => IMPORTS_WAMR,
        }
    }
}

/// A `major.minor.patch` version (pre-release versions are not WASI 0.2 releases).
pub type Version = (u64, u64, u64);

pub fn parse_version(v: &str) -> Option<Version> {
    let mut it = v.split('.');
    let r = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    if it.next().is_some() { None } else { Some(r) }
}

/// The WASI version of the adapter's WIT (`0.2.12`).
pub fn adapter_version() -> Version {
    parse_version(IMPORTS[0].version).expect("table versions are plain")
}

/// What the adapter can do for an import `(module, name)` of a wasip2 program.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Served (fully or with its documented status).
    Served(&'static Import),
    /// A WASI 0.2 function from a newer 0.2.x than the adapter's WIT.
    Newer { version: String },
    /// Not a WASI 0.2 import the adapter knows (another package, 0.3, a pre-release…).
    Unknown,
}

/// Finds `(module, name)` in `build`'s table; `module` is `wasi:<pkg>/<iface>@<version>`.
pub fn lookup_in(build: Build, module: &str, name: &str) -> Lookup {
    let Some((iface, ver)) = module.split_once('@') else { return Lookup::Unknown };
    let Some(v) = parse_version(ver) else { return Lookup::Unknown };
    if (v.0, v.1) != (0, 2) {
        return Lookup::Unknown;
    }
    match build.table().iter().find(|i| i.interface == iface && i.name == name) {
        Some(_) if v > adapter_version() => Lookup::Newer { version: ver.to_string() },
        Some(i) => Lookup::Served(i),
        None if v > adapter_version() => Lookup::Newer { version: ver.to_string() },
        None => Lookup::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_module_and_name() {
        let lookup = |m: &str, n: &str| lookup_in(Build::Portable, m, n);
        let Lookup::Served(i) = lookup("wasi:cli/environment@0.2.4", "get-arguments") else { panic!() };
        assert_eq!(i.symbol, "__wasm_import_environment_get_arguments");
        assert!(matches!(lookup("wasi:io/streams@0.2.0", "[method]input-stream.read"), Lookup::Served(_)));
        assert!(matches!(lookup("wasi:io/streams@0.2.12", "[method]input-stream.read"), Lookup::Served(_)));
        assert_eq!(lookup("wasi:io/streams@0.2.13", "[method]input-stream.read"), Lookup::Newer { version: "0.2.13".into() });
        assert_eq!(lookup("wasi:http/types@0.2.0", "[method]fields.get"), Lookup::Unknown);
        assert_eq!(lookup("wasi:io/streams@0.3.0", "[method]input-stream.read"), Lookup::Unknown);
        assert_eq!(lookup("wasi:io/streams@0.2.0-rc-2023-11-10", "[method]input-stream.read"), Lookup::Unknown);
        assert_eq!(lookup("wasi:io/streams", "x"), Lookup::Unknown);
        assert_eq!(IMPORTS.len(), 137);
        assert_eq!(IMPORTS_WAMR.len(), 137);
        let Lookup::Served(p) = lookup("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.accept") else { panic!() };
        let Lookup::Served(w) = lookup_in(Build::Wamr, "wasi:sockets/tcp@0.2.0", "[method]tcp-socket.accept") else { panic!() };
        assert_eq!((p.status, w.status), (Status::NoInstance, Status::Full));
        assert_eq!(adapter_version(), (0, 2, 12));
    }
}
