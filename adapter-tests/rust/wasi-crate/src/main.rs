//! Filesystem, clocks, random and streams called directly through the `wasi` crate (0.14) and
//! the `wasip2` crate (1.x, WASI 0.2.12), next to std (wasi-libc at 0.2.0, its own argument
//! bindings at 0.2.4): imports of three WASI versions in one module.
fn main() {
    // wasi 0.14: filesystem
    let dirs = wasi::filesystem::preopens::get_directories();
    let (root, name) = dirs.into_iter().find(|(_, n)| n == "/sandbox").unwrap();
    println!("preopen {name}");
    let f = root
        .open_at(
            wasi::filesystem::types::PathFlags::empty(),
            "w.txt",
            wasi::filesystem::types::OpenFlags::CREATE,
            wasi::filesystem::types::DescriptorFlags::READ | wasi::filesystem::types::DescriptorFlags::WRITE,
        )
        .unwrap();
    println!("write {:?}", f.write(b"via wasi 0.14", 0));
    println!("read {:?}", f.read(100, 4).map(|(v, e)| (String::from_utf8(v).unwrap(), e)));
    // wasi 0.14: clocks, random, streams
    let t0 = wasi::clocks::monotonic_clock::now();
    wasi::clocks::monotonic_clock::subscribe_duration(2_000_000).block();
    println!("slept 2ms: {}", wasi::clocks::monotonic_clock::now() - t0 >= 2_000_000);
    println!("random {}", wasi::random::random::get_random_bytes(16).len());
    let out = wasi::cli::stdout::get_stdout();
    out.blocking_write_and_flush(b"stdout via wasi 0.14\n").unwrap();
    drop(out);
    // wasip2 1.x: the same file through WASI 0.2.12 imports
    let dirs = wasip2::filesystem::preopens::get_directories();
    let (root2, _) = dirs.into_iter().find(|(_, n)| n == "/sandbox").unwrap();
    let st = root2.stat_at(wasip2::filesystem::types::PathFlags::empty(), "w.txt").unwrap();
    println!("stat via wasip2 1.x: size {}", st.size);
    println!("u64 via wasip2: {}", wasip2::random::random::get_random_u64() != wasip2::random::random::get_random_u64());
    // std: files through wasi-libc (WASI 0.2.0), arguments through its own bindings (0.2.4)
    println!("std read: {:?}", std::fs::read_to_string("/sandbox/w.txt"));
    println!("std args: {}", std::env::args().count());
    wasip2::cli::exit::exit_with_code(7);
}
