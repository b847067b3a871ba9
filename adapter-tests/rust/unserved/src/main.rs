//! Calls `wasi:http/outgoing-handler@0.2.4#handle` directly: a WASI 0.2 import with no WASIp1
//! equivalent. Linking through the adapter must fail and name it.
#[link(wasm_import_module = "wasi:http/outgoing-handler@0.2.4")]
unsafe extern "C" {
    #[link_name = "handle"]
    fn handle(request: i32, options_tag: i32, options: i32, ret: i32);
}

#[inline(never)]
fn send_request() {
    let mut ret = [0u32; 8];
    unsafe { handle(1, 0, 0, ret.as_mut_ptr() as i32) };
    println!("{:?}", ret);
}

fn main() {
    send_request();
}
