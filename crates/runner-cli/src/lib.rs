//! The command line both runners accept, modelled on `iwasm`:
//!
//! ```text
//! RUNNER [--dir=DIR]... [--map-dir=GUEST::HOST]... [--env=KEY=VALUE]...
//!        [--addr-pool=CIDR[,CIDR]...] [--allow-resolve=DOMAIN]...
//!        [--stack-size=BYTES] [--heap-size=BYTES] [--invoke=EXPORT] FILE.wasm [ARG]...
//! ```
//!
//! `argv[0]` seen by the guest is `FILE.wasm` exactly as typed (iwasm's behaviour), on both
//! runners, so that transcripts of the two runners can be compared byte for byte.

use std::fmt;

/// Parsed options. Paths and strings are kept as given; each runner interprets them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Opts {
    /// `--dir=DIR`: preopen host `DIR` under the same name in the guest.
    pub dirs: Vec<String>,
    /// `--map-dir=GUEST::HOST`: preopen host `HOST` as guest path `GUEST`.
    pub map_dirs: Vec<(String, String)>,
    /// `--env=KEY=VALUE`.
    pub env: Vec<(String, String)>,
    /// `--addr-pool=`: comma-separated CIDR ranges the guest may bind/connect/send to.
    pub addr_pool: Vec<String>,
    /// `--allow-resolve=`: domain names the guest may resolve (`*` is a wildcard, as in iwasm).
    pub allow_resolve: Vec<String>,
    /// `--stack-size=`: WAMR's auxiliary/operand stack per instance (bytes).
    pub stack_size: u32,
    /// `--heap-size=`: WAMR's host-managed app heap (bytes).
    pub heap_size: u32,
    /// `--invoke=NAME`: for a reactor, run `_initialize` (if exported), then call the export
    /// NAME (no parameters; an i32 result is printed as `NAME returned N`), instead of `_start`.
    pub invoke: Option<String>,
    /// The module or component to run.
    pub file: String,
    /// Arguments after the file, passed to the guest after `argv[0]`.
    pub args: Vec<String>,
}

/// A usage error, printed by the runner before it exits with status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nusage: RUNNER [--dir=DIR] [--map-dir=GUEST::HOST] [--env=K=V] [--addr-pool=CIDRS] \
             [--allow-resolve=DOMAIN] [--stack-size=N] [--heap-size=N] FILE.wasm [ARGS...]",
            self.0
        )
    }
}

impl Opts {
    /// Parses everything after the runner's own name.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Opts, UsageError> {
        let mut o = Opts { stack_size: 64 * 1024, heap_size: 16 * 1024, ..Opts::default() };
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            if !a.starts_with("--") {
                o.file = a;
                o.args = it.collect();
                return Ok(o);
            }
            let (key, val) = match a.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => {
                    // `--dir DIR` form: take the next word.
                    let v = it.next().ok_or_else(|| UsageError(format!("{a} needs a value")))?;
                    (a.clone(), v)
                }
            };
            match key.as_str() {
                "--dir" => o.dirs.push(val),
                "--map-dir" => {
                    let (g, h) = val
                        .split_once("::")
                        .ok_or_else(|| UsageError(format!("--map-dir={val}: expected GUEST::HOST")))?;
                    o.map_dirs.push((g.to_string(), h.to_string()));
                }
                "--env" => {
                    let (k, v) = val
                        .split_once('=')
                        .ok_or_else(|| UsageError(format!("--env={val}: expected KEY=VALUE")))?;
                    o.env.push((k.to_string(), v.to_string()));
                }
                "--addr-pool" => {
                    o.addr_pool.extend(val.split(',').filter(|s| !s.is_empty()).map(str::to_string))
                }
                "--allow-resolve" => o.allow_resolve.push(val),
                "--invoke" => o.invoke = Some(val),
                "--stack-size" => o.stack_size = parse_num(&key, &val)?,
                "--heap-size" => o.heap_size = parse_num(&key, &val)?,
                _ => return Err(UsageError(format!("unknown option {key}"))),
            }
        }
        Err(UsageError("no FILE.wasm given".into()))
    }

    /// Every preopen as (guest path, host path): `--dir` entries first, then `--map-dir`.
    pub fn preopens(&self) -> Vec<(String, String)> {
        self.dirs
            .iter()
            .map(|d| (d.clone(), d.clone()))
            .chain(self.map_dirs.iter().cloned())
            .collect()
    }

    /// `argv` as the guest sees it: the file as typed, then the arguments.
    pub fn argv(&self) -> Vec<String> {
        std::iter::once(self.file.clone()).chain(self.args.iter().cloned()).collect()
    }
}

/// Whether `ip` lies in one of the `--addr-pool` ranges (`ADDR/PREFIX` or a bare address),
/// as iwasm checks bind, connect and send-to.
pub fn pool_allows(pool: &[String], ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    pool.iter().any(|entry| {
        let (addr, prefix) = match entry.split_once('/') {
            Some((a, p)) => (a, p.parse::<u32>().ok()),
            None => (entry.as_str(), None),
        };
        match (addr.parse::<IpAddr>(), ip) {
            (Ok(IpAddr::V4(net)), IpAddr::V4(ip)) => {
                let bits = prefix.unwrap_or(32).min(32);
                let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (Ok(IpAddr::V6(net)), IpAddr::V6(ip)) => {
                let bits = prefix.unwrap_or(128).min(128);
                let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    })
}

fn parse_num(key: &str, val: &str) -> Result<u32, UsageError> {
    val.parse().map_err(|_| UsageError(format!("{key}={val}: expected a number of bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[&str]) -> Result<Opts, UsageError> {
        Opts::parse(v.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_iwasm_options_and_stops_at_the_file() {
        let o = p(&["--dir=.", "--map-dir=/data::/tmp/x", "--env=A=b=c", "--addr-pool=127.0.0.1/8,::1/128",
                    "--allow-resolve=localhost", "prog.wasm", "--dir=not-an-option", "x"]).unwrap();
        assert_eq!(o.dirs, vec!["."]);
        assert_eq!(o.map_dirs, vec![("/data".to_string(), "/tmp/x".to_string())]);
        assert_eq!(o.env, vec![("A".to_string(), "b=c".to_string())]);
        assert_eq!(o.addr_pool, vec!["127.0.0.1/8", "::1/128"]);
        assert_eq!(o.allow_resolve, vec!["localhost"]);
        assert_eq!(o.file, "prog.wasm");
        assert_eq!(o.argv(), vec!["prog.wasm", "--dir=not-an-option", "x"]);
        assert_eq!(o.preopens(), vec![(".".into(), ".".into()), ("/data".into(), "/tmp/x".into())]);
    }

    #[test]
    fn address_pool_matching() {
        let pool = vec!["127.0.0.1/32".to_string(), "::1/128".to_string(), "10.1.0.0/16".to_string()];
        let ok = |s: &str| pool_allows(&pool, s.parse().unwrap());
        assert!(ok("127.0.0.1") && ok("::1") && ok("10.1.200.3"));
        assert!(!ok("127.0.0.2") && !ok("10.2.0.1") && !ok("::2") && !ok("0.0.0.0"));
        assert!(pool_allows(&["0.0.0.0/0".to_string()], "8.8.8.8".parse().unwrap()));
        assert!(!pool_allows(&[], "127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(p(&[]).is_err());
        assert!(p(&["--map-dir=nocolons", "a.wasm"]).is_err());
        assert!(p(&["--env=novalue", "a.wasm"]).is_err());
        assert!(p(&["--bogus=1", "a.wasm"]).is_err());
        assert!(p(&["--stack-size=lots", "a.wasm"]).is_err());
    }
}
