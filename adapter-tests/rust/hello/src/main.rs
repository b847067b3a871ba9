//! Rust std hello for the differential harness: println!, env::args, env::var, HashMap,
//! Instant, SystemTime, stdin, process::exit(3). Output is deterministic.
use std::collections::HashMap;
use std::io::Read;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("hello from Rust, {} args", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("arg[{i}]={a}");
    }
    println!("GREETING={}", std::env::var("GREETING").unwrap_or_else(|_| "(unset)".into()));
    println!("MISSING is {}", if std::env::var_os("MISSING").is_some() { "set" } else { "unset" });

    let mut m: HashMap<String, usize> = HashMap::new();
    for w in "the quick brown fox jumps over the lazy dog the end".split(' ') {
        *m.entry(w.to_string()).or_default() += 1;
    }
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort();
    println!("words: {v:?}");

    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(5));
    let dt = t0.elapsed();
    println!("slept at least 5ms: {}", dt >= Duration::from_millis(5));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    println!("after 2020: {}", now.as_secs() > 1_577_836_800);

    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).unwrap();
    let sum = input.iter().fold(0u32, |s, b| s.wrapping_mul(31).wrapping_add(*b as u32));
    println!("stdin: {} bytes, checksum {sum:08x}", input.len());
    eprintln!("to stderr: exiting with 3");
    std::process::exit(3);
}
