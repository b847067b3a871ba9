// splitmix64: a small generator that gives the same sequence on every host and runtime. Shared
// by the host fuzz targets (src/fuzz_tests.rs) and the differential guest fuzzer
// (adapter-tests/rust/p2-fuzz), each of which `include!`s this file.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
