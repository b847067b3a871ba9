//! The table of every WASI 0.2 import the adapter serves, derived from `wit/`.
//!
//! One row per function of the adapter's world (`wit/world.wit`, which includes
//! `wasi:cli/imports`): the import module and name a `wasm32-wasip2` program uses, the function's
//! core-wasm signature (canonical ABI, `GuestImport` variant, so a return pointer is the last
//! parameter), the `__wasm_import_*` symbol wasi-libc calls it through, the layout of its return
//! area, the Rust path of the adapter's implementation, and its coverage status from
//! `src/coverage.txt`.
//!
//! Three consumers, all fed from here so they cannot disagree:
//! - the adapter's `build.rs` generates one exported shim per function, which calls the
//!   hand-written implementation and so fails to compile when the two signatures disagree,
//!   and checks the layout of every hand-written payload type against the WIT ([`rust_types`]);
//! - the linker embeds the table to resolve imports by (module, name) and to name what is
//!   not served;
//! - the README's coverage table is rendered from it (a test keeps the README in sync).

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{
    Function, FunctionKind, Handle, Resolve, SizeAlign, Stability, Type, TypeDefKind, WorldItem,
};

/// A core wasm value type, as it appears in a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoreTy {
    I32,
    I64,
    F32,
    F64,
}

impl CoreTy {
    pub fn rust(self) -> &'static str {
        match self {
            CoreTy::I32 => "i32",
            CoreTy::I64 => "i64",
            CoreTy::F32 => "f32",
            CoreTy::F64 => "f64",
        }
    }
}

/// How completely the adapter serves a function (from `src/coverage.txt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Implemented with the semantics the WIT states.
    Full,
    /// Implemented, with a documented limitation (the note says which).
    Partial(String),
    /// Not implemented yet: returns the WIT's own "unsupported" error (`error-code.unsupported`
    /// or `error-code.not-supported`), generated from the WIT by `build.rs`.
    Unsupported,
    /// A method (or drop) of a resource this build never creates. Any handle passed to it is
    /// therefore invalid and the call traps, as the component model requires for a bad handle.
    NoInstance,
}

impl Status {
    pub fn key(&self) -> &'static str {
        match self {
            Status::Full => "full",
            Status::Partial(_) => "partial",
            Status::Unsupported => "unsupported",
            Status::NoInstance => "no-instance",
        }
    }
}

/// The WIT error a generated `unsupported` body writes: `err(<enum case>)` in a return area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedError {
    /// Offset of the error payload in the return area.
    pub payload_offset: usize,
    /// Discriminant of the enum case (`unsupported` / `not-supported`).
    pub case_index: u32,
    /// `error-code.unsupported`, for messages.
    pub case_name: String,
}

/// One import.
#[derive(Debug, Clone)]
pub struct Import {
    /// `wasi:io/streams` (no version).
    pub interface: String,
    /// Package version the adapter's WIT has for it, e.g. `0.2.12`.
    pub version: String,
    /// `@since` version of the function, e.g. `0.2.0`.
    pub since: String,
    /// Import name, e.g. `[method]input-stream.read`.
    pub name: String,
    /// Core params (including a trailing return pointer when `retptr`).
    pub params: Vec<CoreTy>,
    /// Core results (0 or 1).
    pub results: Vec<CoreTy>,
    /// Whether the last param is a return pointer.
    pub retptr: bool,
    /// Size and alignment of the return area when `retptr`.
    pub ret_size: usize,
    pub ret_align: usize,
    /// The symbol wasi-libc calls: `__wasm_import_streams_method_input_stream_read`.
    pub symbol: String,
    /// Implementation path: module `io::streams`, function `input_stream_read`.
    pub rust_module: String,
    pub rust_fn: String,
    /// The function in WIT syntax, for messages: `[method]input-stream.read: func(self: borrow<input-stream>, len: u64) -> result<list<u8>, stream-error>`.
    pub wit: String,
    /// Resource whose methods this belongs to (drops and methods), if any.
    pub resource: Option<String>,
    pub status: Status,
    /// When the status is `Unsupported`, the error written.
    pub unsupported: Option<UnsupportedError>,
    /// The `string` and `list` parameters, which the shim lifts (bounds, alignment, UTF-8)
    /// before the implementation runs, as the canonical ABI does.
    pub lists: Vec<ListParam>,
    /// The record, variant, option, tuple and result parameters passed flattened: lifted by
    /// the shim into the implementation's typed value ([`rust_types`] fills it).
    pub lifts: Vec<FlatLift>,
    /// The Rust type of the return area, derived from the WIT result and the adapter's table
    /// of hand-written types (`src/wit-types.txt`) by [`rust_types`]; `None` leaves it to the
    /// implementation (only its size and alignment are then checked).
    pub ret_rust: Option<String>,
}

/// What a `string` or `list` holds, for its canonical ABI checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// UTF-8 bytes.
    String,
    /// Elements of this size and alignment (wasm32).
    List { size: usize, align: usize },
}

/// A flattened parameter of a compound type, lifted in the shim: the core parameters
/// `core_index..core_index + count` become the one Rust value `expr` (a call of the
/// generated lifting function of its type, one per type, on those `p<i>`), with the canonical
/// ABI's checks (an invalid discriminant traps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatLift {
    pub core_index: usize,
    pub count: usize,
    pub expr: String,
}

/// A `string` or `list` parameter, passed as `(ptr, len)` in two core parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParam {
    /// Index of the pointer among the core parameters (the length follows it).
    pub core_index: usize,
    pub kind: ListKind,
    /// The strings and lists inside each element, at these byte offsets of the element
    /// (records only: the WASI world has no list inside a variant inside a list).
    pub inner: Vec<(usize, ListKind)>,
}

impl Import {
    /// `wasi:io/streams@0.2.12`.
    pub fn module(&self) -> String {
        format!("{}@{}", self.interface, self.version)
    }
}

/// wasi-libc's (wit-bindgen C) names for interfaces whose prefix is not simply the interface
/// name; it renames these to avoid clashes (`types`, `error`, `insecure`…).
const LIBC_RENAMES: &[(&str, &str)] = &[
    ("wasi:io/error", "io_error"),
    ("wasi:filesystem/types", "filesystem"),
    ("wasi:filesystem/preopens", "filesystem_preopens"),
    ("wasi:random/insecure", "random_insecure"),
    ("wasi:random/insecure-seed", "random_insecure_seed"),
];

fn snake(s: &str) -> String {
    s.replace(['-', '.'], "_")
}

/// `[method]input-stream.read` → `method_input_stream_read` (wit-bindgen C's function part),
/// and the Rust implementation name `input_stream_read`.
fn fn_names(name: &str) -> (String, String) {
    if let Some(r) = name.strip_prefix("[resource-drop]") {
        (format!("{}_drop", snake(r)), format!("drop_{}", snake(r)))
    } else if let Some(m) = name.strip_prefix("[method]") {
        (format!("method_{}", snake(m)), snake(m))
    } else if let Some(m) = name.strip_prefix("[static]") {
        (format!("static_{}", snake(m)), snake(m))
    } else if let Some(m) = name.strip_prefix("[constructor]") {
        (format!("constructor_{}", snake(m)), format!("new_{}", snake(m)))
    } else {
        (snake(name), snake(name))
    }
}

fn core(t: WasmType) -> CoreTy {
    match t {
        WasmType::I32 | WasmType::Pointer | WasmType::Length => CoreTy::I32,
        WasmType::I64 | WasmType::PointerOrI64 => CoreTy::I64,
        WasmType::F32 => CoreTy::F32,
        WasmType::F64 => CoreTy::F64,
    }
}

/// WIT spelling of a type, for messages and the README.
fn wit_type(resolve: &Resolve, t: &Type) -> String {
    match t {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "s8".into(),
        Type::S16 => "s16".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Id(id) => {
            let td = &resolve.types[*id];
            if let Some(n) = &td.name {
                return n.clone();
            }
            match &td.kind {
                TypeDefKind::List(t) => format!("list<{}>", wit_type(resolve, t)),
                TypeDefKind::Option(t) => format!("option<{}>", wit_type(resolve, t)),
                TypeDefKind::Tuple(t) => format!(
                    "tuple<{}>",
                    t.types.iter().map(|t| wit_type(resolve, t)).collect::<Vec<_>>().join(", ")
                ),
                TypeDefKind::Result(r) => match (&r.ok, &r.err) {
                    (None, None) => "result".into(),
                    (Some(o), None) => format!("result<{}>", wit_type(resolve, o)),
                    (None, Some(e)) => format!("result<_, {}>", wit_type(resolve, e)),
                    (Some(o), Some(e)) => {
                        format!("result<{}, {}>", wit_type(resolve, o), wit_type(resolve, e))
                    }
                },
                TypeDefKind::Handle(Handle::Borrow(r)) => {
                    format!("borrow<{}>", wit_type(resolve, &Type::Id(*r)))
                }
                TypeDefKind::Handle(Handle::Own(r)) => wit_type(resolve, &Type::Id(*r)),
                TypeDefKind::Type(t) => wit_type(resolve, t),
                _ => "?".into(),
            }
        }
    }
}

fn wit_signature(resolve: &Resolve, f: &Function) -> String {
    let params = f
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, wit_type(resolve, &p.ty)))
        .collect::<Vec<_>>()
        .join(", ");
    match &f.result {
        None => format!("{}: func({params})", f.name),
        Some(t) => format!("{}: func({params}) -> {}", f.name, wit_type(resolve, t)),
    }
}

/// Follows `type x = y` aliases.
fn deref(resolve: &Resolve, t: &Type) -> Type {
    let mut t = *t;
    while let Type::Id(id) = t {
        match &resolve.types[id].kind {
            TypeDefKind::Type(inner) => t = *inner,
            _ => break,
        }
    }
    t
}

/// For `result<_, error-code>`-returning functions, where `error-code` has an `unsupported`
/// or `not-supported` case: how to write that error.
fn unsupported_error(resolve: &Resolve, sizes: &SizeAlign, f: &Function) -> Option<UnsupportedError> {
    let Type::Id(rid) = deref(resolve, f.result.as_ref()?) else { return None };
    let TypeDefKind::Result(r) = &resolve.types[rid].kind else { return None };
    let err = deref(resolve, r.err.as_ref()?);
    let Type::Id(eid) = err else { return None };
    let TypeDefKind::Enum(e) = &resolve.types[eid].kind else { return None };
    let (case_index, case) = e
        .cases
        .iter()
        .enumerate()
        .find(|(_, c)| c.name == "unsupported" || c.name == "not-supported")?;
    let payload_offset = sizes
        .payload_offset(wit_parser::Int::U8, [r.ok.as_ref(), r.err.as_ref()])
        .size_wasm32();
    Some(UnsupportedError {
        payload_offset,
        case_index: case_index as u32,
        case_name: format!("{}.{}", resolve.types[eid].name.clone().unwrap_or_default(), case.name),
    })
}

/// Whether a value of type `t` holds a `string` or `list` anywhere.
fn holds_list(resolve: &Resolve, t: &Type) -> bool {
    match deref(resolve, t) {
        Type::String => true,
        Type::Id(id) => match &resolve.types[id].kind {
            TypeDefKind::List(_) => true,
            TypeDefKind::FixedLengthList(t, _) => holds_list(resolve, t),
            TypeDefKind::Record(r) => r.fields.iter().any(|f| holds_list(resolve, &f.ty)),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| holds_list(resolve, t)),
            TypeDefKind::Option(t) => holds_list(resolve, t),
            TypeDefKind::Result(r) => r.ok.iter().chain(r.err.iter()).any(|t| holds_list(resolve, t)),
            TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).any(|t| holds_list(resolve, t)),
            _ => false,
        },
        _ => false,
    }
}

/// The kind of a `string` or `list<T>` whose elements hold no list, or `None`.
fn list_kind(resolve: &Resolve, sizes: &SizeAlign, t: &Type) -> Option<(ListKind, Option<Type>)> {
    match deref(resolve, t) {
        Type::String => Some((ListKind::String, None)),
        Type::Id(id) => match &resolve.types[id].kind {
            TypeDefKind::List(e) => Some((
                ListKind::List { size: sizes.size(e).size_wasm32(), align: sizes.align(e).align_wasm32() },
                Some(*e),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// The strings and lists at fixed offsets inside a value of type `t` placed at `base`.
fn inner_lists(resolve: &Resolve, sizes: &SizeAlign, t: &Type, base: usize, out: &mut Vec<(usize, ListKind)>) -> Result<()> {
    if let Some((kind, elem)) = list_kind(resolve, sizes, t) {
        if elem.is_some_and(|e| holds_list(resolve, &e)) {
            bail!("a list of lists inside a list element is not lifted by the shims");
        }
        out.push((base, kind));
        return Ok(());
    }
    if !holds_list(resolve, t) {
        return Ok(());
    }
    let fields: Vec<Type> = match deref(resolve, t) {
        Type::Id(id) => match &resolve.types[id].kind {
            TypeDefKind::Record(r) => r.fields.iter().map(|f| f.ty).collect(),
            TypeDefKind::Tuple(t) => t.types.clone(),
            _ => bail!("a list inside a variant inside a list element is not lifted by the shims"),
        },
        _ => unreachable!("only compound types hold lists"),
    };
    for (off, ty) in sizes.field_offsets(fields.iter()) {
        inner_lists(resolve, sizes, ty, base + off.size_wasm32(), out)?;
    }
    Ok(())
}

/// The `string` and `list` parameters of `f`, with their core parameter indices.
fn list_params(resolve: &Resolve, sizes: &SizeAlign, f: &Function) -> Result<Vec<ListParam>> {
    let mut out = Vec::new();
    let mut index = 0;
    for p in &f.params {
        let mut storage = [WasmType::I32; Resolve::MAX_FLAT_PARAMS + 1];
        let mut flat = wit_parser::abi::FlatTypes::new(&mut storage);
        if !resolve.push_flat(&p.ty, &mut flat) {
            bail!("{}: parameters passed in memory are not supported by the shims", f.name);
        }
        let n = flat.to_vec().len();
        if let Some((kind, elem)) = list_kind(resolve, sizes, &p.ty) {
            let mut inner = Vec::new();
            if let Some(e) = elem {
                inner_lists(resolve, sizes, &e, 0, &mut inner).with_context(|| f.name.clone())?;
            }
            out.push(ListParam { core_index: index, kind, inner });
        } else if holds_list(resolve, &p.ty) {
            bail!("{}: parameter `{}` holds a list inside a flattened type, which the shims do not lift", f.name, p.name);
        }
        index += n;
    }
    Ok(out)
}

/// The non-empty lines of a table file that are not `#` comments, with their indices.
fn table_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// Parsed `src/coverage.txt`: (interface, function) → status.
fn parse_coverage(text: &str) -> Result<BTreeMap<(String, String), Status>> {
    let mut out = BTreeMap::new();
    for (n, line) in table_lines(text) {
        let mut words = line.splitn(4, char::is_whitespace);
        let (Some(iface), Some(func), Some(status)) = (words.next(), words.next(), words.next()) else {
            bail!("coverage.txt:{}: expected `INTERFACE FUNCTION STATUS [NOTE]`", n + 1);
        };
        let note = words.next().unwrap_or("").trim().to_string();
        let st = match status {
            "full" => Status::Full,
            "partial" if !note.is_empty() => Status::Partial(note),
            "unsupported" => Status::Unsupported,
            "no-instance" => Status::NoInstance,
            _ => bail!("coverage.txt:{}: bad status `{status}` (full | partial NOTE | unsupported | no-instance)", n + 1),
        };
        if out.insert((iface.to_string(), func.to_string()), st).is_some() {
            bail!("coverage.txt:{}: {iface} {func} listed twice", n + 1);
        }
    }
    Ok(out)
}

/// Reads `wit_dir` (the adapter's world) and `coverage` (the status file) into the table.
pub fn load(wit_dir: &Path, coverage: &Path) -> Result<Vec<Import>> {
    load_with(wit_dir, coverage, None)
}

/// Like [`load`], with the lines of `overrides` (same format) replacing those of `coverage`
/// for the same functions: the coverage of another build (the WAMR build).
pub fn load_with(wit_dir: &Path, coverage: &Path, overrides: Option<&Path>) -> Result<Vec<Import>> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve.push_dir(wit_dir).with_context(|| format!("parsing {}", wit_dir.display()))?;
    let world = resolve.select_world(&[pkg], Some("adapter"))?;
    let mut sizes = SizeAlign::default();
    sizes.fill(&resolve)?;
    let cov_text = std::fs::read_to_string(coverage)
        .with_context(|| format!("reading {}", coverage.display()))?;
    let mut cov = parse_coverage(&cov_text)?;
    if let Some(o) = overrides {
        let text = std::fs::read_to_string(o).with_context(|| format!("reading {}", o.display()))?;
        for (k, v) in parse_coverage(&text)? {
            if cov.insert(k.clone(), v).is_none() {
                bail!("{}: `{} {}` overrides nothing in {}", o.display(), k.0, k.1, coverage.display());
            }
        }
    }

    let mut out = Vec::new();
    for (_key, item) in &resolve.worlds[world].imports {
        let WorldItem::Interface { id, .. } = item else { continue };
        let iface = &resolve.interfaces[*id];
        let pkg = &resolve.packages[iface.package.context("interface without package")?];
        let iname = iface.name.clone().context("anonymous interface")?;
        let interface = interface_name(&resolve, *id)?;
        let version = pkg.name.version.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let prefix = LIBC_RENAMES
            .iter()
            .find(|(i, _)| *i == interface)
            .map(|(_, p)| p.to_string())
            .unwrap_or_else(|| snake(&iname));
        let rust_module = format!("{}::{}", snake(&pkg.name.name), snake(&iname));

        // Resource drops are imports too: `[resource-drop]<name>`, signature (i32) -> ().
        let mut funcs: Vec<(String, Option<&Function>, String, Option<String>)> = Vec::new();
        for (tname, tid) in &iface.types {
            if matches!(resolve.types[*tid].kind, TypeDefKind::Resource) {
                let since = match &resolve.types[*tid].stability {
                    Stability::Stable { since, .. } => since.to_string(),
                    _ => version.clone(),
                };
                funcs.push((format!("[resource-drop]{tname}"), None, since, Some(tname.clone())));
            }
        }
        for (fname, f) in &iface.functions {
            let since = match &f.stability {
                Stability::Stable { since, .. } => since.to_string(),
                _ => version.clone(),
            };
            let resource = match &f.kind {
                FunctionKind::Method(r) | FunctionKind::Static(r) | FunctionKind::Constructor(r) => {
                    resolve.types[*r].name.clone()
                }
                _ => None,
            };
            funcs.push((fname.clone(), Some(f), since, resource));
        }

        for (name, f, since, resource) in funcs {
            let (libc_part, rust_fn) = fn_names(&name);
            let lists = match f {
                Some(f) => list_params(&resolve, &sizes, f).with_context(|| format!("{interface} {name}"))?,
                None => Vec::new(),
            };
            let (params, results, retptr, ret_size, ret_align, wit, unsupported) = match f {
                None => (vec![CoreTy::I32], vec![], false, 0, 1, format!("{name}: func(self: own<{}>)", resource.clone().unwrap_or_default()), None),
                Some(f) => {
                    let sig = resolve.wasm_signature(AbiVariant::GuestImport, f);
                    let (ret_size, ret_align) = match (&f.result, sig.retptr) {
                        (Some(t), true) => (sizes.size(t).size_wasm32(), sizes.align(t).align_wasm32()),
                        _ => (0, 1),
                    };
                    (
                        sig.params.into_iter().map(core).collect(),
                        sig.results.into_iter().map(core).collect(),
                        sig.retptr,
                        ret_size,
                        ret_align,
                        wit_signature(&resolve, f),
                        unsupported_error(&resolve, &sizes, f),
                    )
                }
            };
            let status = cov.remove(&(interface.clone(), name.clone())).with_context(|| {
                format!("src/coverage.txt has no line for `{interface} {name}`: every import of the world must be listed")
            })?;
            if status == Status::Unsupported && (unsupported.is_none() || !retptr) {
                bail!(
                    "{interface} {name} cannot be marked `unsupported`: its WIT result has no \
                     `unsupported`/`not-supported` error case ({wit}); implement it"
                );
            }
            if status == Status::NoInstance && resource.is_none() {
                bail!("{interface} {name} is not a resource method; `no-instance` does not apply");
            }
            out.push(Import {
                interface: interface.clone(),
                version: version.clone(),
                since,
                symbol: format!("__wasm_import_{prefix}_{libc_part}"),
                name,
                params,
                results,
                retptr,
                ret_size,
                ret_align,
                rust_module: rust_module.clone(),
                rust_fn,
                wit,
                resource,
                unsupported: if status == Status::Unsupported { unsupported } else { None },
                status,
                lists,
                lifts: Vec::new(),
                ret_rust: None,
            });
        }
    }
    if let Some(((i, f), _)) = cov.into_iter().next() {
        bail!("src/coverage.txt lists `{i} {f}`, which is not an import of the adapter's world");
    }
    Ok(out)
}

/// Entry points whose re-entry check stays inline (`state::enter`, a load and a branch)
/// rather than a call (`state::enter_call`, two instructions more): calls whose whole cost in
/// the adapter is a few instructions, where the call would show (`clock_gettime` is
/// `monotonic-clock.now`). Every other entry point shares the one out-of-line check.
pub const INLINE_GUARD: &[&str] = &["__wasm_import_monotonic_clock_now"];

/// Rust source of the adapter's exported entry points, one per import.
///
/// A `full`/`partial` row calls `crate::<module>::<function>` with every core parameter
/// converted by `crate::abi::FromCore` (a return pointer becomes a `RetPtr<T>` of the type
/// [`rust_types`] derived from the WIT, whose size and alignment are checked against the WIT
/// at compile time) and converts the result
/// with `crate::abi::IntoCore`. A missing implementation, a wrong arity, a parameter of the
/// wrong width or a return area of the wrong type is a compile error.
pub fn render_shims(table: &[Import]) -> String {
    let mut s = String::new();
    for imp in table {
        let params: Vec<String> = imp
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("p{i}: {}", t.rust()))
            .collect();
        let ret = match imp.results.first() {
            Some(t) => format!(" -> {}", t.rust()),
            None => String::new(),
        };
        let _ = writeln!(s, "/// `{}` `{}`\n///\n/// WIT: `{}`", imp.module(), imp.name, imp.wit);
        let _ = writeln!(s, "#[unsafe(export_name = \"{}\")]", imp.symbol);
        let _ = writeln!(
            s,
            "pub unsafe extern \"C\" fn {}({}){ret} {{",
            imp.symbol,
            params.join(", ")
        );
        if imp.status != Status::NoInstance {
            // A call from inside the program's `cabi_realloc` (re-entry) traps: the check out
            // of line (one copy), but inline for the cheapest hot calls (see
            // [`INLINE_GUARD`]).
            let guard = if INLINE_GUARD.contains(&imp.symbol.as_str()) { "enter" } else { "enter_call" };
            let _ = writeln!(s, "    crate::state::{guard}();");
            // Lift the strings and lists first: out of bounds, misaligned or invalid UTF-8
            // traps before the call does anything.
            for l in &imp.lists {
                let (p, n) = (l.core_index, l.core_index + 1);
                let kind = |k: &ListKind| match k {
                    ListKind::String => "crate::abi::Elem::STRING".to_string(),
                    ListKind::List { size, align } => format!("crate::abi::Elem::list({size}, {align})"),
                };
                if l.inner.is_empty() {
                    let _ = writeln!(s, "    crate::abi::lift(p{p}, p{n}, {});", kind(&l.kind));
                } else {
                    let inner: Vec<String> = l.inner.iter().map(|(off, k)| format!("({off}, {})", kind(k))).collect();
                    let _ = writeln!(s, "    crate::abi::lift_nested(p{p}, p{n}, {}, &[{}]);", kind(&l.kind), inner.join(", "));
                }
            }
        }
        match &imp.status {
            Status::Full | Status::Partial(_) => {
                let n = imp.params.len();
                let mut args: Vec<String> = Vec::new();
                let mut i = 0;
                while i < n {
                    if let Some(l) = imp.lifts.iter().find(|l| l.core_index == i) {
                        args.push(l.expr.clone());
                        i += l.count;
                        continue;
                    }
                    args.push(if imp.retptr && i == n - 1 {
                        let ty = imp.ret_rust.as_deref().unwrap_or("_");
                        format!("crate::abi::ret_area::<{}, {}, {ty}>(p{i})", imp.ret_size, imp.ret_align)
                    } else {
                        format!("crate::abi::FromCore::from_core(p{i})")
                    });
                    i += 1;
                }
                let call = format!("crate::{}::{}({})", imp.rust_module, imp.rust_fn, args.join(", "));
                if imp.results.is_empty() {
                    let _ = writeln!(s, "    {call}");
                } else {
                    let _ = writeln!(s, "    crate::abi::IntoCore::into_core({call})");
                }
            }
            Status::Unsupported => {
                let e = imp.unsupported.as_ref().expect("checked in load");
                let last = imp.params.len() - 1;
                let _ = writeln!(
                    s,
                    "    let _ = ({});",
                    (0..last).map(|i| format!("p{i}")).chain(["()".to_string()]).collect::<Vec<_>>().join(", ")
                );
                let _ = writeln!(
                    s,
                    "    crate::abi::write_unsupported(p{last} as usize as *mut u8, {}, {})",
                    e.payload_offset, e.case_index
                );
            }
            Status::NoInstance => {
                let _ = writeln!(s, "    crate::resource::no_instance(p0, \"{}\")", imp.resource.as_deref().unwrap_or(""));
            }
        }
        let _ = writeln!(s, "}}\n");
    }
    s
}

/// Rust source of every `enum` and `flags` type of the world's interfaces, one module per
/// interface (`pub mod filesystem_types { pub enum ErrorCode … }`), so the adapter's
/// discriminants and bit positions come from the WIT rather than from hand-copied numbers.
pub fn render_types(wit_dir: &Path) -> Result<String> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve.push_dir(wit_dir)?;
    let world = resolve.select_world(&[pkg], Some("adapter"))?;
    let mut s = String::new();
    for (_k, item) in &resolve.worlds[world].imports {
        let WorldItem::Interface { id, .. } = item else { continue };
        let iface = &resolve.interfaces[*id];
        let pkg = &resolve.packages[iface.package.context("no package")?];
        let mut body = String::new();
        for (tname, tid) in &iface.types {
            match &resolve.types[*tid].kind {
                TypeDefKind::Enum(e) => {
                    let _ = writeln!(body, "    /// WIT `enum {tname}`.\n    #[repr(u8)]\n    #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n    pub enum {} {{", camel(tname));
                    for (i, c) in e.cases.iter().enumerate() {
                        let _ = writeln!(body, "        {} = {i},", camel(&c.name));
                    }
                    let _ = writeln!(body, "    }}");
                    let _ = writeln!(body, "    impl {} {{ pub const COUNT: usize = {}; }}", camel(tname), e.cases.len());
                }
                TypeDefKind::Flags(f) => {
                    let repr = match f.flags.len() { 0..=8 => "u8", 9..=16 => "u16", _ => "u32" };
                    let _ = writeln!(body, "    bitflags::bitflags! {{\n        /// WIT `flags {tname}`.\n        #[repr(transparent)]\n        #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n        pub struct {}: {repr} {{", camel(tname));
                    for (i, fl) in f.flags.iter().enumerate() {
                        let _ = writeln!(body, "            const {} = 1 << {i};", fl.name.replace('-', "_").to_uppercase());
                    }
                    let _ = writeln!(body, "        }}\n    }}");
                }
                _ => {}
            }
        }
        if !body.is_empty() {
            let _ = writeln!(s, "/// Types of `{}:{}/{}`.\npub mod {}_{} {{\n{body}}}", pkg.name.namespace, pkg.name.name,
                iface.name.as_deref().unwrap_or(""), snake(&pkg.name.name), snake(iface.name.as_deref().unwrap_or("")));
        }
    }
    Ok(s)
}

/// One line of `src/wit-types.txt`: the hand-written Rust type of a WIT record, variant or
/// anonymous tuple.
#[derive(Debug, Clone)]
struct RustType {
    /// Rust path, e.g. `crate::io::streams::StreamError`.
    path: String,
    /// For a tuple, the Rust names of its fields, in order.
    fields: Vec<String>,
    /// Whether a return area used it (the other lines are looked up by name and checked too;
    /// a name the WIT does not have is an error).
    used: bool,
}

/// `(interface, WIT name or tuple spelling)` → Rust type.
fn parse_rust_types(text: &str) -> Result<BTreeMap<(String, String), RustType>> {
    let mut out = BTreeMap::new();
    for (n, line) in table_lines(text) {
        let w: Vec<&str> = line.split_whitespace().collect();
        if w.len() < 3 {
            bail!("wit-types.txt:{}: expected `<interface> <WIT type> <Rust path> [fields…]`", n + 1);
        }
        let t = RustType { path: w[2].to_string(), fields: w[3..].iter().map(|s| s.to_string()).collect(), used: false };
        if out.insert((w[0].to_string(), w[1].to_string()), t).is_some() {
            bail!("wit-types.txt:{}: {} {} listed twice", n + 1, w[0], w[1]);
        }
    }
    Ok(out)
}

fn camel(n: &str) -> String {
    n.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Rust field name of a WIT record field.
fn rust_field(name: &str) -> String {
    match name {
        "type" => "ty".into(),
        n => snake(n),
    }
}

fn interface_name(resolve: &Resolve, id: wit_parser::InterfaceId) -> Result<String> {
    let iface = &resolve.interfaces[id];
    let pkg = &resolve.packages[iface.package.context("interface without package")?];
    Ok(format!("{}:{}/{}", pkg.name.namespace, pkg.name.name, iface.name.clone().context("anonymous interface")?))
}

/// Derives Rust types from WIT types and the layout checks of the hand-written ones.
struct Typer<'a> {
    resolve: &'a Resolve,
    sizes: &'a SizeAlign,
    map: BTreeMap<(String, String), RustType>,
    /// Layout checks already emitted, by Rust path.
    checked: std::collections::BTreeSet<String>,
    checks: String,
    /// The lifting functions emitted (into `checks`), by Rust type: their names.
    lifters: BTreeMap<String, String>,
}

impl Typer<'_> {
    /// The Rust type of WIT type `t`, used in interface `ctx` (which names anonymous tuples).
    fn rust(&mut self, t: &Type, ctx: &str) -> Result<String> {
        Ok(match deref(self.resolve, t) {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::U16 => "u16".into(),
            Type::U32 => "u32".into(),
            Type::U64 => "u64".into(),
            Type::S8 => "i8".into(),
            Type::S16 => "i16".into(),
            Type::S32 => "i32".into(),
            Type::S64 => "i64".into(),
            Type::F32 => "f32".into(),
            Type::F64 => "f64".into(),
            Type::Char => "u32".into(),
            Type::String => "crate::abi::List<u8>".into(),
            Type::ErrorContext => bail!("error-context has no Rust type here"),
            Type::Id(id) => {
                let td = &self.resolve.types[id];
                let owner = match td.owner {
                    wit_parser::TypeOwner::Interface(i) => Some(interface_name(self.resolve, i)?),
                    _ => None,
                };
                let iface = owner.clone().unwrap_or_else(|| ctx.to_string());
                match &td.kind {
                    TypeDefKind::Handle(_) | TypeDefKind::Resource => "u32".into(),
                    TypeDefKind::Enum(_) | TypeDefKind::Flags(_) => {
                        let (pkg, name) = iface.split_once(':').and_then(|(_, r)| r.split_once('/')).context("interface name")?;
                        format!("crate::types::{}_{}::{}", snake(pkg), snake(name), camel(td.name.as_deref().context("anonymous enum")?))
                    }
                    TypeDefKind::List(e) => format!("crate::abi::List<{}>", self.rust(e, ctx)?),
                    TypeDefKind::Option(e) => format!("crate::abi::WOption<{}>", self.rust(e, ctx)?),
                    TypeDefKind::Result(r) => {
                        let ok = match &r.ok { Some(t) => self.rust(t, ctx)?, None => "()".into() };
                        let err = match &r.err { Some(t) => self.rust(t, ctx)?, None => "()".into() };
                        format!("crate::abi::WResult<{ok}, {err}>")
                    }
                    TypeDefKind::Record(_) | TypeDefKind::Variant(_) => {
                        let name = td.name.clone().context("anonymous record")?;
                        self.hand_written(t, &iface, &name)?
                    }
                    TypeDefKind::Tuple(tu) => {
                        let key = wit_type(self.resolve, &Type::Id(id)).replace(' ', "");
                        let spelled = match &td.name {
                            // A named tuple (`type ipv4-address = tuple<…>`) is looked up by
                            // its spelling, in the interface that uses it.
                            Some(_) => tuple_spelling(self.resolve, tu),
                            None => key,
                        };
                        if self.map.contains_key(&(ctx.to_string(), spelled.clone())) {
                            self.hand_written(t, ctx, &spelled)?
                        } else if tu.types.len() == 2 {
                            format!("crate::abi::Tuple2<{}, {}>", self.rust(&tu.types[0], ctx)?, self.rust(&tu.types[1], ctx)?)
                        } else if tu.types.windows(2).all(|w| w[0] == w[1]) {
                            format!("[{}; {}]", self.rust(&tu.types[0], ctx)?, tu.types.len())
                        } else {
                            bail!("{ctx}: `{spelled}` has no Rust type: add it to src/wit-types.txt");
                        }
                    }
                    TypeDefKind::Type(_) => unreachable!("dereferenced"),
                    k => bail!("{ctx}: WIT type {k:?} has no Rust type here"),
                }
            }
        })
    }

    /// The Rust expression lifting a value of WIT type `t` from its flat core values `vals`
    /// (each a Rust expression and the core type it has), as the canonical ABI's `lift_flat`
    /// does: integers are truncated, `bool` is any non-zero value, and a variant's case picks
    /// its payload's values out of the joined ones (an i64 slot narrowed to an i32 case
    /// value); a discriminant out of range traps.
    fn lift(&mut self, t: &Type, ctx: &str, vals: &[(String, WasmType)]) -> Result<String> {
        let one = || -> Result<&str> {
            match vals {
                [(v, _)] => Ok(v.as_str()),
                _ => bail!("{ctx}: {} flat values for a scalar", vals.len()),
            }
        };
        Ok(match deref(self.resolve, t) {
            Type::Bool => format!("({} != 0)", one()?),
            Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::S8 | Type::S16 | Type::S32 | Type::S64 => {
                format!("({} as {})", one()?, self.rust(t, ctx)?)
            }
            Type::Id(id) => {
                let ty = self.rust(t, ctx)?;
                let kind = self.resolve.types[id].kind.clone();
                let name = wit_type(self.resolve, t);
                match &kind {
                    TypeDefKind::Record(r) => {
                        let tys: Vec<Type> = r.fields.iter().map(|f| f.ty).collect();
                        let names: Vec<String> = r.fields.iter().map(|f| rust_field(&f.name)).collect();
                        format!("{ty} {{ {} }}", self.lift_fields(&tys, ctx, vals, Some(&names))?)
                    }
                    TypeDefKind::Tuple(tu) => {
                        // As `rust` typed it: a hand-written struct, an array or a `Tuple2`.
                        if let Some(rt) = self.map.values().find(|rt| rt.path == ty).cloned() {
                            format!("{ty} {{ {} }}", self.lift_fields(&tu.types, ctx, vals, Some(&rt.fields))?)
                        } else if ty.starts_with('[') {
                            format!("[{}]", self.lift_fields(&tu.types, ctx, vals, None)?)
                        } else {
                            format!("crate::abi::Tuple2({})", self.lift_fields(&tu.types, ctx, vals, None)?)
                        }
                    }
                    TypeDefKind::Variant(v) => {
                        let cases: Vec<(String, Option<Type>)> = v.cases.iter().map(|c| (format!("{ty}::{}", camel(&c.name)), c.ty)).collect();
                        self.lift_cases(&cases, &name, ctx, vals)?
                    }
                    TypeDefKind::Option(e) => {
                        let cases = [(format!("crate::abi::WOption::<{}>::None", self.rust(e, ctx)?), None), ("crate::abi::WOption::Some".to_string(), Some(*e))];
                        self.lift_cases(&cases, &name, ctx, vals)?
                    }
                    TypeDefKind::Result(r) => {
                        // A case without a payload holds `()`.
                        let ctor = |c: &str, t: &Option<Type>| format!("crate::abi::WResult::{c}{}", if t.is_some() { "" } else { "(())" });
                        let cases = [(ctor("Ok", &r.ok), r.ok), (ctor("Err", &r.err), r.err)];
                        self.lift_cases(&cases, &name, ctx, vals)?
                    }
                    k => bail!("{ctx}: a {k:?} inside a flattened parameter is not lifted by the shims"),
                }
            }
            t => bail!("{ctx}: a {t:?} inside a flattened parameter is not lifted by the shims"),
        })
    }

    /// The name of the generated function lifting a `t` from its flat core values `flat`
    /// (emitted once per type, shared by every entry point taking one).
    fn lifter(&mut self, t: &Type, ctx: &str, flat: &[WasmType]) -> Result<String> {
        // One per Rust type (the same WIT type reached from two interfaces is one).
        let ret = self.rust(t, ctx)?;
        if let Some(name) = self.lifters.get(&ret) {
            return Ok(name.clone());
        }
        let mut name = format!("lift_{}", wit_type(self.resolve, t).replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        if self.lifters.values().any(|n| *n == name) {
            name = format!("{name}_{}", self.lifters.len());
        }
        let vals: Vec<(String, WasmType)> = flat.iter().enumerate().map(|(k, w)| (format!("p{k}"), *w)).collect();
        let body = self.lift(t, ctx, &vals)?;
        let params: Vec<String> = vals.iter().map(|(v, w)| format!("{v}: {}", core(*w).rust())).collect();
        let _ = writeln!(self.checks, "/// Lifts a `{}` from its flat core values.\n#[inline(never)]\nfn {name}({}) -> {ret} {{\n    {body}\n}}", wit_type(self.resolve, t), params.join(", "));
        self.lifters.insert(ret, name.clone());
        Ok(name)
    }

    /// The lifted fields of a record or tuple, `name: expr, …` (or `expr, …` unnamed).
    fn lift_fields(&mut self, tys: &[Type], ctx: &str, vals: &[(String, WasmType)], names: Option<&[String]>) -> Result<String> {
        let mut out = Vec::new();
        let mut at = 0;
        for (i, t) in tys.iter().enumerate() {
            let n = self.flat(t)?.len();
            let e = self.lift(t, ctx, vals.get(at..at + n).context("too few flat values")?)?;
            out.push(match names {
                Some(names) => format!("{}: {e}", names[i]),
                None => e,
            });
            at += n;
        }
        Ok(out.join(", "))
    }

    /// A `match` on the discriminant `vals[0]` over `cases` (constructor, payload type).
    fn lift_cases(&mut self, cases: &[(String, Option<Type>)], name: &str, ctx: &str, vals: &[(String, WasmType)]) -> Result<String> {
        let (disc, joined) = vals.split_first().context("a variant without a discriminant")?;
        let mut arms = Vec::new();
        for (i, (ctor, payload)) in cases.iter().enumerate() {
            let Some(pt) = payload else {
                arms.push(format!("{i} => {ctor}"));
                continue;
            };
            let want = self.flat(pt)?;
            let mut case_vals = Vec::new();
            for (w, (v, have)) in want.iter().zip(joined) {
                case_vals.push(match (w, have) {
                    (a, b) if a == b => (v.clone(), *w),
                    (WasmType::I32, WasmType::I64) => (format!("({v} as i32)"), WasmType::I32),
                    (a, b) => bail!("{ctx}: {name}: a {a:?} case value in a {b:?} slot is not lifted by the shims"),
                });
            }
            arms.push(format!("{i} => {ctor}({})", self.lift(pt, ctx, &case_vals)?));
        }
        Ok(format!("match {} {{ {}, _ => crate::trap::trap(b\"invalid {name} discriminant\") }}", disc.0, arms.join(", ")))
    }

    /// The flat core types of `t`.
    fn flat(&self, t: &Type) -> Result<Vec<WasmType>> {
        let mut storage = [WasmType::I32; Resolve::MAX_FLAT_PARAMS + 1];
        let mut flat = wit_parser::abi::FlatTypes::new(&mut storage);
        if !self.resolve.push_flat(t, &mut flat) {
            bail!("too many flat values");
        }
        Ok(flat.to_vec())
    }

    /// The hand-written type for `key` in `iface`, with its layout checks (once).
    fn hand_written(&mut self, t: &Type, iface: &str, key: &str) -> Result<String> {
        let rt = self
            .map
            .get_mut(&(iface.to_string(), key.to_string()))
            .with_context(|| format!("{iface} `{key}` has no Rust type: add a line to src/wit-types.txt"))?;
        rt.used = true;
        let rt = rt.clone();
        if self.checked.insert(rt.path.clone()) {
            self.check(t, iface, key, &rt)?;
        }
        Ok(rt.path)
    }

    /// Compile-time checks that `rt` has the canonical-ABI layout of WIT type `t`.
    fn check(&mut self, t: &Type, iface: &str, key: &str, rt: &RustType) -> Result<()> {
        let (resolve, sizes) = (self.resolve, self.sizes);
        let Type::Id(id) = deref(resolve, t) else { unreachable!() };
        let p = &rt.path;
        let what = format!("`{p}` (WIT {iface} `{key}`)");
        let mut s = String::new();
        let _ = writeln!(s, "// {what}");
        let _ = writeln!(
            s,
            "const _: () = assert!(core::mem::size_of::<{p}>() == {} && core::mem::align_of::<{p}>() == {}, \"size or alignment of {what} differs from the WIT\");",
            sizes.size(t).size_wasm32(),
            sizes.align(t).align_wasm32()
        );
        let fields: Option<Vec<(String, Type)>> = match &resolve.types[id].kind {
            TypeDefKind::Record(r) => {
                if !rt.fields.is_empty() {
                    bail!("wit-types.txt: {iface} {key} is a record: its fields are the WIT's");
                }
                Some(r.fields.iter().map(|f| (rust_field(&f.name), f.ty)).collect())
            }
            TypeDefKind::Tuple(tu) => {
                if rt.fields.len() != tu.types.len() {
                    bail!("wit-types.txt: {iface} {key} has {} fields: name each", tu.types.len());
                }
                Some(rt.fields.iter().cloned().zip(tu.types.iter().copied()).collect())
            }
            _ => None,
        };
        if let Some(fields) = fields {
            let tys: Vec<Type> = fields.iter().map(|(_, t)| *t).collect();
            let offsets: Vec<usize> = sizes.field_offsets(tys.iter()).into_iter().map(|(o, _)| o.size_wasm32()).collect();
            // Every field named (no other field), at its offset, of its type.
            let pattern: Vec<String> = fields.iter().map(|(n, _)| format!("{n}: _")).collect();
            let _ = writeln!(s, "const _: fn({p}) = |{p} {{ {} }}| ();", pattern.join(", "));
            for ((name, ty), off) in fields.iter().zip(offsets) {
                let fty = self.rust(ty, iface)?;
                let _ = writeln!(
                    s,
                    "const _: () = assert!(core::mem::offset_of!({p}, {name}) == {off}, \"field `{name}` of {what} is not at the WIT's offset {off}\");"
                );
                let _ = writeln!(s, "const _: fn(&{p}) -> &{fty} = |v| &v.{name};");
            }
        } else if let TypeDefKind::Variant(v) = &resolve.types[id].kind {
            let payload = sizes.payload_offset(v.tag(), v.cases.iter().map(|c| c.ty.as_ref())).size_wasm32();
            let arms: Vec<String> = v
                .cases
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{p}::{}{} => {i}", camel(&c.name), if c.ty.is_some() { "(..)" } else { "" }))
                .collect();
            // Every case, none other (an exhaustive match), with its WIT tag in memory and its
            // payload at the WIT's payload offset, of its type.
            let _ = writeln!(s, "const _: fn(&{p}) -> u32 = |v| match v {{ {} }};", arms.join(", "));
            for (i, c) in v.cases.iter().enumerate() {
                let case = format!("{p}::{}", camel(&c.name));
                match &c.ty {
                    Some(ct) => {
                        let cty = self.rust(ct, iface)?;
                        let _ = writeln!(s, "const _: fn({cty}) -> {p} = {case};");
                        let _ = writeln!(
                            s,
                            "const _: () = {{ let v = {case}(unsafe {{ core::mem::zeroed() }}); assert!(unsafe {{ crate::abi::tag_of(&v) }} == {i}, \"case `{}` of {what} does not have the WIT's tag {i}\"); match &v {{ {case}(x) => assert!(unsafe {{ crate::abi::offset_in(x, &v) }} == {payload}, \"the payload of case `{}` of {what} is not at the WIT's offset {payload}\"), _ => unreachable!() }} }};",
                            c.name, c.name
                        );
                    }
                    None => {
                        let _ = writeln!(
                            s,
                            "const _: () = assert!(unsafe {{ crate::abi::tag_of(&{case}) }} == {i}, \"case `{}` of {what} does not have the WIT's tag {i}\");",
                            c.name
                        );
                    }
                }
            }
        } else {
            bail!("wit-types.txt: {iface} {key} is not a record, variant or tuple");
        }
        self.checks.push_str(&s);
        Ok(())
    }
}

/// `tuple<a,b>` spelled without spaces, for a named tuple's elements.
fn tuple_spelling(resolve: &Resolve, tu: &wit_parser::Tuple) -> String {
    format!("tuple<{}>", tu.types.iter().map(|t| wit_type(resolve, t)).collect::<Vec<_>>().join(",")).replace(' ', "")
}

/// Types the return area of every import in `table` from the WIT (`ret_rust`), with the
/// adapter's hand-written records, variants and tuples taken from `rust_types` (the text of
/// `src/wit-types.txt`), and returns the Rust source of the compile-time layout checks of
/// every one of those types: size, alignment, each field's offset and type, each variant
/// case's tag, payload offset and payload type — all computed from the WIT.
pub fn rust_types(wit_dir: &Path, rust_types: &str, table: &mut [Import]) -> Result<String> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve.push_dir(wit_dir)?;
    let world = resolve.select_world(&[pkg], Some("adapter"))?;
    let mut sizes = SizeAlign::default();
    sizes.fill(&resolve)?;
    let mut ty = Typer {
        resolve: &resolve,
        sizes: &sizes,
        map: parse_rust_types(rust_types)?,
        checked: Default::default(),
        checks: String::new(),
        lifters: BTreeMap::new(),
    };
    for (_k, item) in &resolve.worlds[world].imports {
        let WorldItem::Interface { id, .. } = item else { continue };
        let interface = interface_name(&resolve, *id)?;
        for (fname, f) in &resolve.interfaces[*id].functions {
            // The flattened compound parameters of the functions this build implements.
            if let Some(imp) = table
                .iter_mut()
                .find(|i| i.interface == interface && i.name == *fname && matches!(i.status, Status::Full | Status::Partial(_)))
            {
                let mut index = 0;
                for p in &f.params {
                    let flat = ty.flat(&p.ty)?;
                    let compound = matches!(deref(&resolve, &p.ty), Type::Id(id) if matches!(resolve.types[id].kind,
                        TypeDefKind::Record(_) | TypeDefKind::Variant(_) | TypeDefKind::Option(_) | TypeDefKind::Tuple(_) | TypeDefKind::Result(_)));
                    if compound {
                        let lifter = ty.lifter(&p.ty, &interface, &flat).with_context(|| format!("{interface} {fname} `{}`", p.name))?;
                        let args: Vec<String> = (index..index + flat.len()).map(|k| format!("p{k}")).collect();
                        imp.lifts.push(FlatLift { core_index: index, count: flat.len(), expr: format!("{lifter}({})", args.join(", ")) });
                    }
                    index += flat.len();
                }
            }
            let Some(t) = &f.result else { continue };
            if !resolve.wasm_signature(AbiVariant::GuestImport, f).retptr {
                continue;
            }
            // Only the functions this build implements: the others' modules may not be built.
            let Some(imp) = table
                .iter_mut()
                .find(|i| i.interface == interface && i.name == *fname && matches!(i.status, Status::Full | Status::Partial(_)))
            else {
                continue;
            };
            imp.ret_rust = Some(ty.rust(t, &interface).with_context(|| format!("{interface} {fname}"))?);
        }
    }
    // The types only passed as parameters (lists of records): checked too, when this build
    // implements a function of their interface (else their module is not built).
    let served = |iface: &str| table.iter().any(|i| i.interface == iface && matches!(i.status, Status::Full | Status::Partial(_)));
    let rest: Vec<(String, String)> =
        ty.map.iter().filter(|((iface, _), v)| !v.used && served(iface)).map(|(k, _)| k.clone()).collect();
    for (iface, key) in rest {
        let found = resolve.interfaces.iter().find_map(|(id, i)| {
            let name = interface_name(&resolve, id).ok()?;
            (name == iface).then(|| i.types.get(&key).copied()).flatten()
        });
        let Some(tid) = found else {
            bail!("src/wit-types.txt: {iface} `{key}` is not a named type of the WIT, nor a tuple a return area holds");
        };
        ty.hand_written(&Type::Id(tid), &iface, &key)?;
    }
    Ok(ty.checks)
}

/// Rust source of a static copy of the table named `name`, for the host tools.
pub fn render_static_table(name: &str, table: &[Import]) -> String {
    let mut s = format!("pub static {name}: &[Import] = &[\n");
    for i in table {
        let tys = |v: &[CoreTy]| v.iter().map(|t| format!("CoreTy::{t:?}")).collect::<Vec<_>>().join(", ");
        let (status, note) = match &i.status {
            Status::Full => ("Full", String::new()),
            Status::Partial(n) => ("Partial", n.clone()),
            Status::Unsupported => (
                "Unsupported",
                format!("returns {}", i.unsupported.as_ref().map(|e| e.case_name.as_str()).unwrap_or("")),
            ),
            Status::NoInstance => (
                "NoInstance",
                format!("no {} is ever created by this build", i.resource.as_deref().unwrap_or("")),
            ),
        };
        let _ = writeln!(
            s,
            "    Import {{ interface: {:?}, version: {:?}, since: {:?}, name: {:?}, params: &[{}], results: &[{}], symbol: {:?}, wit: {:?}, status: Status::{status}, note: {:?} }},",
            i.interface, i.version, i.since, i.name, tys(&i.params), tys(&i.results), i.symbol, i.wit, note
        );
    }
    s.push_str("];\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn table() -> Vec<Import> {
        load(&root().join("wit"), &root().join("src/coverage.txt")).unwrap()
    }

    /// The derived symbols and signatures agree with every import a real wasi-libc makes
    /// (list extracted from wasi-sdk 30's libc.a, kept in tests/data).
    #[test]
    fn matches_wasi_libc_imports() {
        let t = table();
        let text = std::fs::read_to_string(root().join("tests/data/wasi-libc-wasip2-imports.txt")).unwrap();
        let mut n = 0;
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let f: Vec<&str> = line.split('|').collect();
            let (module, name, symbol, sig) = (f[0], f[1], f[2], f[3]);
            let iface = module.split('@').next().unwrap();
            let row = t
                .iter()
                .find(|i| i.interface == iface && i.name == name)
                .unwrap_or_else(|| panic!("{module} {name} missing from the table"));
            assert_eq!(row.symbol, symbol, "{module} {name}");
            let p = row.params.iter().map(|t| t.rust()).collect::<Vec<_>>().join(",");
            let r = row.results.iter().map(|t| t.rust()).collect::<Vec<_>>().join(",");
            assert_eq!(format!("({p})->({r})").replace("->()", "->()"), normalise(sig), "{module} {name}");
            n += 1;
        }
        assert_eq!(n, 136);
    }

    fn normalise(sig: &str) -> String {
        // The list writes `->i32` for a single result; the table renders `->(i32)`.
        let (p, r) = sig.split_once("->").unwrap();
        let r = if r.starts_with('(') { r.to_string() } else { format!("({r})") };
        format!("{p}->{r}")
    }

    #[test]
    fn return_areas_and_unsupported_errors() {
        let t = table();
        let read = t.iter().find(|i| i.name == "[method]input-stream.read").unwrap();
        // result<list<u8>, stream-error>: tag, then (ptr,len) or stream-error variant: 12 bytes, align 4.
        assert_eq!((read.retptr, read.ret_size, read.ret_align), (true, 12, 4));
        let now = t.iter().find(|i| i.interface == "wasi:clocks/wall-clock" && i.name == "now").unwrap();
        assert_eq!((now.ret_size, now.ret_align), (16, 8));
        let stat = t.iter().find(|i| i.name == "[method]descriptor.stat").unwrap();
        if let Some(e) = &stat.unsupported {
            assert_eq!(e.case_name, "error-code.unsupported");
            assert_eq!(e.payload_offset, 8);
        }
        assert!(t.iter().all(|i| i.symbol.starts_with("__wasm_import_")));
        let mut syms: Vec<_> = t.iter().map(|i| &i.symbol).collect();
        syms.sort();
        syms.dedup();
        assert_eq!(syms.len(), t.len(), "symbols are unique");
    }

    /// Every `string` and `list` parameter is found, with its core index and element layout,
    /// and the lists inside list elements (`udp` datagrams) at their offsets.
    #[test]
    fn string_and_list_parameters_are_lifted() {
        let t = load_with(&root().join("wit"), &root().join("src/coverage.txt"), None).unwrap();
        let row = |n: &str| t.iter().find(|i| i.name == n).unwrap_or_else(|| panic!("{n}"));
        assert_eq!(row("[method]descriptor.open-at").lists, vec![ListParam { core_index: 2, kind: ListKind::String, inner: vec![] }]);
        assert_eq!(row("poll").lists, vec![ListParam { core_index: 0, kind: ListKind::List { size: 4, align: 4 }, inner: vec![] }]);
        assert_eq!(row("[method]output-stream.write").lists, vec![ListParam { core_index: 1, kind: ListKind::List { size: 1, align: 1 }, inner: vec![] }]);
        let two = &row("[method]descriptor.rename-at").lists;
        assert_eq!(two.iter().map(|l| l.core_index).collect::<Vec<_>>(), vec![1, 4]);
        let send = &row("[method]outgoing-datagram-stream.send").lists;
        assert_eq!(send.len(), 1);
        assert_eq!(send[0].inner, vec![(0, ListKind::List { size: 1, align: 1 })]);
        let names: Vec<&str> = t.iter().filter(|i| !i.lists.is_empty()).map(|i| i.name.as_str()).collect();
        assert_eq!(names.len(), 17, "{names:?}");
        let shims = render_shims(&t);
        assert!(shims.contains("crate::abi::lift(p1, p2, crate::abi::Elem::list(1, 1));"), "write lifts its buffer");
        // Every entry point that serves a call refuses re-entry first.
        let served = t.iter().filter(|i| i.status != Status::NoInstance).count();
        assert_eq!(shims.matches("crate::state::enter_call();").count() + shims.matches("crate::state::enter();").count(), served);
        assert_eq!(shims.matches("crate::state::enter();").count(), INLINE_GUARD.len());
    }

    /// Return areas are typed from the WIT and the table of hand-written types, and the
    /// layout checks carry the canonical-ABI offsets.
    #[test]
    fn hand_written_types_are_checked_against_the_wit() {
        let mut t = table();
        let map = std::fs::read_to_string(root().join("src/wit-types.txt")).unwrap();
        let checks = rust_types(&root().join("wit"), &map, &mut t).unwrap();
        let row = |n: &str| t.iter().find(|i| i.name == n).unwrap_or_else(|| panic!("{n}"));
        assert_eq!(
            row("[method]descriptor.read").ret_rust.as_deref(),
            Some("crate::abi::WResult<crate::filesystem::types::ReadResult, crate::types::filesystem_types::ErrorCode>")
        );
        assert_eq!(
            row("[method]input-stream.read").ret_rust.as_deref(),
            Some("crate::abi::WResult<crate::abi::List<u8>, crate::io::streams::StreamError>")
        );
        assert_eq!(row("insecure-seed").ret_rust.as_deref(), Some("crate::abi::Tuple2<u64, u64>"));
        // Every implemented function with a return area has its type.
        for i in t.iter().filter(|i| i.retptr && matches!(i.status, Status::Full | Status::Partial(_))) {
            assert!(i.ret_rust.is_some(), "{} {}", i.interface, i.name);
        }
        // descriptor-stat: type u8 at 0; link-count, size at 8, 16; three option<datetime>
        // (24 bytes each, align 8) at 24, 48, 72.
        for (f, off) in [("ty", 0), ("link_count", 8), ("size", 16), ("data_access_timestamp", 24), ("data_modification_timestamp", 48), ("status_change_timestamp", 72)] {
            let line = format!("offset_of!(crate::filesystem::types::DescriptorStat, {f}) == {off},");
            assert!(checks.contains(&line), "{line}\n{checks}");
        }
        assert!(checks.contains("size_of::<crate::filesystem::types::DescriptorStat>() == 96"));
        // ip-socket-address: the payload after the tag at the largest case's alignment (4).
        assert!(checks.contains("crate::sockets::network::IpSocketAddress::Ipv4(x) => assert!(unsafe { crate::abi::offset_in(x, &v) } == 4"));
        assert!(checks.contains("const _: fn(&crate::sockets::network::Ipv4SocketAddress) -> &[u8; 4] = |v| &v.address;"));
        // Only parameters: checked too (the portable build does not build `udp`).
        assert!(!checks.contains("OutgoingDatagram"));
        let mut w = load_with(&root().join("wit"), &root().join("src/coverage.txt"), Some(&root().join("src/coverage-wamr.txt"))).unwrap();
        let wamr = rust_types(&root().join("wit"), &map, &mut w).unwrap();
        assert!(wamr.contains("offset_of!(crate::sockets::udp::OutgoingDatagram, remote_address) == 8,"));
        assert!(wamr.contains("offset_of!(crate::sockets::tcp::AcceptResult, output) == 8,"));
        assert!(rust_types(&root().join("wit"), "wasi:io/streams stream-error crate::X\nwasi:io/streams stream-error crate::Y", &mut w).is_err(), "listed twice");
        assert!(rust_types(&root().join("wit"), "", &mut w).is_err(), "datetime unmapped");
    }

    /// Flattened compound parameters are lifted by the shims: an `ip-socket-address` from its
    /// twelve core values, a `new-timestamp` from three, an invalid discriminant trapping.
    #[test]
    fn flattened_parameters_are_lifted() {
        let map = std::fs::read_to_string(root().join("src/wit-types.txt")).unwrap();
        let mut w = load_with(&root().join("wit"), &root().join("src/coverage.txt"), Some(&root().join("src/coverage-wamr.txt"))).unwrap();
        let lifters = rust_types(&root().join("wit"), &map, &mut w).unwrap();
        let row = |n: &str| w.iter().find(|i| i.name == n).unwrap_or_else(|| panic!("{n}")).clone();
        let bind = row("[method]tcp-socket.start-bind");
        assert_eq!(bind.lifts.len(), 1);
        let l = &bind.lifts[0];
        assert_eq!((l.core_index, l.count), (2, 12));
        assert_eq!(l.expr, "lift_ip_socket_address(p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13)");
        let f = lifters.lines().skip_while(|l| !l.starts_with("fn lift_ip_socket_address(")).nth(1).unwrap();
        assert!(f.trim_start().starts_with("match p0 { 0 => crate::sockets::network::IpSocketAddress::Ipv4(crate::sockets::network::Ipv4SocketAddress { port: (p1 as u16), address: [(p2 as u8), (p3 as u8), (p4 as u8), (p5 as u8)] }), "), "{f}");
        assert!(f.contains("scope_id: (p11 as u32) })"), "{f}");
        assert!(f.ends_with("_ => crate::trap::trap(b\"invalid ip-socket-address discriminant\") }"), "{f}");
        assert_eq!(row("[method]udp-socket.start-bind").lifts[0].expr, l.expr, "one lifting function per type");
        let stream = row("[method]udp-socket.stream");
        assert_eq!((stream.lifts[0].core_index, stream.lifts[0].count), (1, 13));
        let f = lifters.lines().skip_while(|l| !l.starts_with("fn lift_option_ip_socket_address_(")).nth(1).unwrap();
        assert!(f.trim_start().starts_with("match p0 { 0 => crate::abi::WOption::<crate::sockets::network::IpSocketAddress>::None, 1 => crate::abi::WOption::Some(match p1 {"), "{f}");
        let times = row("[method]descriptor.set-times-at");
        let spans: Vec<(usize, usize)> = times.lifts.iter().map(|l| (l.core_index, l.count)).collect();
        assert_eq!(spans, [(4, 3), (7, 3)], "after self, path-flags and the path's two values");
        assert_eq!(times.lifts[1].expr, "lift_new_timestamp(p7, p8, p9)");
        assert!(lifters.contains("fn lift_new_timestamp(p0: i32, p1: i64, p2: i32) -> crate::filesystem::types::NewTimestamp {"), "{lifters}");
        assert!(lifters.contains("2 => crate::filesystem::types::NewTimestamp::Timestamp(crate::clocks::wall_clock::Datetime { seconds: (p1 as u64), nanoseconds: (p2 as u32) })"), "{lifters}");
        // The shim passes the lifted value in place of its core values.
        let shims = render_shims(&w);
        assert!(shims.contains("crate::filesystem::types::descriptor_set_times(crate::abi::FromCore::from_core(p0), lift_new_timestamp(p1, p2, p3), lift_new_timestamp(p4, p5, p6), "), "set-times shim");
        // No other function has such a parameter unlifted: every compound one is listed.
        let lifted: Vec<&str> = w.iter().filter(|i| !i.lifts.is_empty()).map(|i| i.name.as_str()).collect();
        assert!(lifters.contains("    match p0 { 0 => crate::abi::WResult::Ok(()), 1 => crate::abi::WResult::Err(()), _ => crate::trap::trap(b\"invalid result discriminant\") }"), "{lifters}");
        assert_eq!(lifted, ["exit", "[method]descriptor.set-times", "[method]descriptor.set-times-at", "[method]udp-socket.start-bind", "[method]udp-socket.stream", "[method]tcp-socket.start-bind", "[method]tcp-socket.start-connect"]);
    }

    /// Every `#[repr(C)]` type of the adapter that stands for a WIT type is in
    /// `src/wit-types.txt`, so none escapes the layout checks (the WASIp1 structures of
    /// `p1.rs` and `preview1.rs`, `abi.rs`'s generic ones and wasi-libc's records in
    /// `alloc.rs`, `io/streams.rs` and `io/libc_poll.rs` stand for no WIT type).
    #[test]
    fn every_hand_written_payload_type_is_listed() {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let map = parse_rust_types(&std::fs::read_to_string(root().join("src/wit-types.txt")).unwrap()).unwrap();
        let listed: Vec<&str> = map.values().map(|t| t.path.rsplit("::").next().unwrap()).collect();
        let mut files = Vec::new();
        walk(&root().join("src"), &mut files);
        let mut found = 0;
        for f in files {
            if ["abi.rs", "p1.rs", "preview1.rs"].iter().any(|n| f.ends_with(n)) {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, _) in lines.iter().enumerate().filter(|(_, l)| l.trim_start().starts_with("#[repr(C")) {
                let decl = lines[i + 1..].iter().find(|l| !l.trim_start().starts_with("#[")).unwrap();
                let name = decl.split_whitespace().skip_while(|w| !matches!(*w, "struct" | "enum")).nth(1).unwrap();
                let name = name.trim_end_matches(|c: char| !c.is_alphanumeric());
                // wasi-libc's own structures, which its wrapped functions hand the adapter
                // (`wasip2_list_u8_t`, `wasi_read_t`/`wasi_write_t`; for `poll`: `struct
                // pollfd`, `descriptor_table_entry_t`, the read/write stream record; for
                // `fstat`/`fstatat`: `struct stat`, `struct timespec`; for `readdir`: `DIR`).
                if (f.ends_with("alloc.rs") && name == "ListU8")
                    || (f.ends_with("streams.rs") && name == "LibcStreamOp")
                    || (f.ends_with("libc_poll.rs") && ["PollFd", "Entry"].contains(&name))
                    || (f.ends_with("libc_stat.rs") && ["Stat", "Timespec"].contains(&name))
                    || (f.ends_with("libc_dirent.rs") && name == "Dir")
                {
                    continue;
                }
                assert!(listed.contains(&name), "{}: `{name}` is #[repr(C)] but not in src/wit-types.txt", f.display());
                found += 1;
            }
        }
        assert_eq!(found, map.len(), "every line of src/wit-types.txt names a type of src/");
    }

    #[test]
    fn coverage_file_errors_are_reported() {
        assert!(parse_coverage("wasi:io/poll poll bogus").is_err());
        assert!(parse_coverage("wasi:io/poll poll partial").is_err(), "partial needs a note");
        assert!(parse_coverage("wasi:io/poll poll full\nwasi:io/poll poll full").is_err());
        assert!(parse_coverage("justone").is_err());
        assert_eq!(
            parse_coverage("# c\nwasi:io/poll poll partial one clock only\n").unwrap()
                [&("wasi:io/poll".to_string(), "poll".to_string())],
            Status::Partial("one clock only".into())
        );
    }
}
