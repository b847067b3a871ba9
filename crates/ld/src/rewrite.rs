//! Reading and rewriting the linked core module.
//!
//! [`inspect`] lists what the linker needs to decide (imports, exports, types, names);
//! [`apply`] carries out a [`Plan`]: function imports are replaced by functions defined in
//! the module (the adapter's implementations), every function index in code, tables,
//! exports, the start section and the name section is renumbered accordingly, `_start` is
//! added, helper exports are dropped and the `component-type` custom sections removed.

use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use wasm_encoder::reencode::{self, Reencode};
use wasmparser::{ExternalKind, KnownCustom, Name, Parser, Payload, TypeRef};

/// A function import.
#[derive(Debug, Clone)]
pub struct FuncImport {
    pub module: String,
    pub name: String,
    /// Function index.
    pub index: u32,
    pub ty: wasmparser::FuncType,
}

/// What [`inspect`] finds in a module.
#[derive(Debug, Default)]
pub struct Info {
    /// Function imports, in order.
    pub func_imports: Vec<FuncImport>,
    /// Non-function imports (module, name).
    pub other_imports: Vec<(String, String)>,
    /// Exports: name → (kind, index).
    pub exports: BTreeMap<String, (ExternalKind, u32)>,
    /// Type of every function (imports first), as a function type.
    pub func_types: Vec<wasmparser::FuncType>,
    /// Function names from the name section.
    pub names: HashMap<u32, String>,
    /// Callers of each function (function index → functions that `call` it).
    pub callers: HashMap<u32, BTreeSet<u32>>,
}

impl Info {
    /// The function's name from the name section (Rust names demangled, without hash).
    pub fn name_of(&self, f: u32) -> String {
        match self.names.get(&f) {
            Some(n) => format!("{:#}", rustc_demangle::demangle(n)),
            None => format!("function {f}"),
        }
    }
}

/// What kind of wasm binary `bytes` is.
pub enum Kind {
    Module,
    Component,
    NotWasm,
}

pub fn kind(bytes: &[u8]) -> Kind {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        Kind::NotWasm
    } else if Parser::is_component(bytes) {
        Kind::Component
    } else {
        Kind::Module
    }
}

/// Reads imports, exports, types, names and call edges of a core module.
pub fn inspect(wasm: &[u8]) -> Result<Info> {
    let mut info = Info::default();
    let mut types: Vec<Option<wasmparser::FuncType>> = Vec::new();
    let mut defined = 0u32;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(s) => {
                for rg in s {
                    for st in rg?.into_types() {
                        types.push(match st.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    let imp = imp?;
                    match imp.ty {
                        TypeRef::Func(t) => {
                            let ty = types.get(t as usize).cloned().flatten().context("import of a non-function type")?;
                            info.func_imports.push(FuncImport {
                                module: imp.module.to_string(),
                                name: imp.name.to_string(),
                                index: info.func_types.len() as u32,
                                ty: ty.clone(),
                            });
                            info.func_types.push(ty);
                        }
                        _ => info.other_imports.push((imp.module.to_string(), imp.name.to_string())),
                    }
                }
            }
            Payload::FunctionSection(s) => {
                for t in s {
                    let t = t?;
                    info.func_types.push(types.get(t as usize).cloned().flatten().context("bad function type")?);
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    let e = e?;
                    info.exports.insert(e.name.to_string(), (e.kind, e.index));
                }
            }
            Payload::CodeSectionEntry(body) => {
                let me = info.func_imports.len() as u32 + defined;
                defined += 1;
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    if let wasmparser::Operator::Call { function_index } | wasmparser::Operator::ReturnCall { function_index } = ops.read()? {
                        info.callers.entry(function_index).or_default().insert(me);
                    }
                }
            }
            Payload::CustomSection(c) => {
                if let KnownCustom::Name(names) = c.as_known() {
                    for n in names {
                        if let Ok(Name::Function(map)) = n {
                            for naming in map.into_iter().flatten() {
                                info.names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// The changes [`apply`] makes.
#[derive(Debug, Default)]
pub struct Plan {
    /// Function import index → index of the defined function that replaces it.
    pub redirect: BTreeMap<u32, u32>,
    /// Exports to remove (helpers the linker asked `wasm-ld` for).
    pub drop_exports: BTreeSet<String>,
    /// Add `_start`: call `run` (the program's `wasi:cli/run#run`, `() -> i32`), and when it
    /// returns non-zero (`err`) call `exit` (the adapter's `wasi:cli/exit.exit`, `(i32)`)
    /// with `err`.
    pub start: Option<(u32, u32)>,
    /// The module name to record in the name section (`wasm-ld` recorded its temporary file).
    pub module_name: Option<String>,
    /// Import module renames (the adapter's private WASIp1 module to `wasi_snapshot_preview1`).
    pub rename_modules: BTreeMap<String, String>,
}

struct Rewriter<'a> {
    plan: &'a Plan,
    /// Old function indices of removed imports, sorted.
    removed: Vec<u32>,
    /// Number of functions (imports + defined) in the input.
    n_funcs: u32,
    /// Index of the `() -> ()` type added for `_start`.
    start_type: Option<u32>,
    next_import: u32,
}

impl Rewriter<'_> {
    fn map(&self, old: u32) -> u32 {
        let old = self.plan.redirect.get(&old).copied().unwrap_or(old);
        old - self.removed.partition_point(|r| *r < old) as u32
    }
    fn start_index(&self) -> u32 {
        self.n_funcs - self.removed.len() as u32
    }
}

impl Reencode for Rewriter<'_> {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(self.map(func))
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        let mut n = 0;
        for rg in section.clone() {
            n += rg?.types().len() as u32;
        }
        reencode::utils::parse_type_section(self, types, section)?;
        if self.plan.start.is_some() {
            types.ty().function([], []);
            self.start_type = Some(n);
        }
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        for imp in section.into_imports() {
            let imp = imp?;
            if let TypeRef::Func(_) = imp.ty {
                let idx = self.next_import;
                self.next_import += 1;
                if self.plan.redirect.contains_key(&idx) {
                    continue;
                }
            }
            let ty = self.entity_type(imp.ty)?;
            let module = self.plan.rename_modules.get(imp.module).map_or(imp.module, String::as_str);
            imports.import(module, imp.name, ty);
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_function_section(self, functions, section)?;
        if let Some(t) = self.start_type {
            functions.function(t);
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_code_section(self, code, section)?;
        if let Some((run, exit)) = self.plan.start {
            code.function(&start_function(self, run, exit));
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        for e in section {
            let e = e?;
            if !self.plan.drop_exports.contains(e.name) {
                reencode::utils::parse_export(self, exports, e)?;
            }
        }
        if self.plan.start.is_some() {
            exports.export("_start", wasm_encoder::ExportKind::Func, self.start_index());
        }
        Ok(())
    }

    fn parse_custom_section(
        &mut self,
        module: &mut wasm_encoder::Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        if section.name().starts_with("component-type") {
            return Ok(());
        }
        reencode::utils::parse_custom_section(self, module, section)
    }

    fn parse_custom_name_subsection(
        &mut self,
        names: &mut wasm_encoder::NameSection,
        section: Name<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        match section {
            Name::Function(map) => {
                let mut out = wasm_encoder::NameMap::new();
                for n in map {
                    let n = n?;
                    if !self.plan.redirect.contains_key(&n.index) {
                        out.append(self.map(n.index), n.name);
                    }
                }
                if self.plan.start.is_some() {
                    out.append(self.start_index(), "_start");
                }
                names.functions(&out);
            }
            Name::Local(map) => {
                let mut out = wasm_encoder::IndirectNameMap::new();
                for n in map {
                    let n = n?;
                    if self.plan.redirect.contains_key(&n.index) {
                        continue;
                    }
                    let mut inner = wasm_encoder::NameMap::new();
                    for l in n.names {
                        let l = l?;
                        inner.append(l.index, l.name);
                    }
                    out.append(self.map(n.index), &inner);
                }
                names.locals(&out);
            }
            Name::Module { name, .. } => names.module(self.plan.module_name.as_deref().unwrap_or(name)),
            other => reencode::utils::parse_custom_name_subsection(self, names, other)?,
        }
        Ok(())
    }
}

/// Whether the module carries DWARF (`.debug_*` custom sections).
fn has_dwarf(wasm: &[u8]) -> bool {
    Parser::new(0)
        .parse_all(wasm)
        .any(|p| matches!(p, Ok(Payload::CustomSection(c)) if c.name().starts_with(".debug_")))
}

/// Writes `v` as an unsigned LEB128 of exactly `width` bytes; `false` if it does not fit.
fn write_padded_leb(out: &mut [u8], v: u32, width: usize) -> bool {
    if width == 0 || width > 5 || (width < 5 && v >> (7 * width) != 0) {
        return false;
    }
    let mut v = v;
    for (i, b) in out[..width].iter_mut().enumerate() {
        *b = (v & 0x7f) as u8 | if i + 1 < width { 0x80 } else { 0 };
        v >>= 7;
    }
    true
}

/// Length of the LEB128 at the start of `b`.
pub(crate) fn leb_len(b: &[u8]) -> usize {
    b.iter().position(|x| x & 0x80 == 0).map_or(b.len(), |i| i + 1)
}

/// `op` encoded with minimal LEB128 immediates.
fn minimal_encoding(op: wasmparser::Operator) -> Result<Vec<u8>> {
    let ins = reencode::RoundtripReencoder.instruction(op).map_err(|e| anyhow::anyhow!("re-encoding an instruction: {e}"))?;
    let mut out = Vec::new();
    wasm_encoder::Encode::encode(&ins, &mut out);
    Ok(out)
}

/// The `nop` opcode: fills the bytes an instruction's shortened immediates no longer use.
const NOP: u8 = 0x01;

/// The code section re-emitted byte for byte, with only
/// - the function-index immediates of `call`, `return_call` and `ref.func` patched in place
///   at their original width (wasm-ld writes them as padded 5-byte LEBs, which every runtime
///   reads), and
/// - each instruction whose table or memory index old WAMR reads as a single byte but which is
///   written longer ([`crate::features::overlong_index`]: `call_indirect`'s table,
///   `memory.size`'s memory…) written with minimal immediates and followed by `nop`s up to its
///   original length (every WAMR release loads that; WAMR's fast interpreter drops the `nop`s
///   at load time),
///
/// and `_start` appended after every original body. Every instruction keeps its offset in the
/// section, so DWARF addresses (code-section offsets) stay right.
/// `None` when an index or the function count does not fit its original width.
fn code_in_place(wasm: &[u8], r: &Rewriter, start: Option<&wasm_encoder::Function>) -> Result<Option<Vec<u8>>> {
    let mut payload: Option<(usize, Vec<u8>)> = None;
    for p in Parser::new(0).parse_all(wasm) {
        match p? {
            Payload::CodeSectionStart { unchecked_range: range, .. } => {
                let range = range.start as usize..range.end as usize;
                payload = Some((range.start, wasm[range].to_vec()))
            }
            Payload::CodeSectionEntry(body) => {
                let Some((base, out)) = payload.as_mut() else { continue };
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    let (op, at) = ops.read_with_offset()?;
                    let (at, end) = (at as usize - *base, ops.original_position() as usize - *base);
                    if crate::features::overlong_index(&op, &out[at..end]).is_some() {
                        let short = minimal_encoding(op)?;
                        // Invariant: a minimal encoding is never longer than the original.
                        out[at..at + short.len()].copy_from_slice(&short);
                        out[at + short.len()..end].fill(NOP);
                        continue;
                    }
                    let f = match op {
                        wasmparser::Operator::Call { function_index }
                        | wasmparser::Operator::ReturnCall { function_index }
                        | wasmparser::Operator::RefFunc { function_index } => function_index,
                        _ => continue,
                    };
                    // The immediate follows the one-byte opcode.
                    let imm = at + 1;
                    let width = leb_len(&out[imm..]);
                    if !write_padded_leb(&mut out[imm..], r.map(f), width) {
                        return Ok(None);
                    }
                }
            }
            _ => {}
        }
    }
    let Some((_, mut out)) = payload else { return Ok(None) };
    if let Some(f) = start {
        let width = leb_len(&out);
        let mut count = 0u32;
        for (i, b) in out[..width].iter().enumerate() {
            count |= ((b & 0x7f) as u32) << (7 * i);
        }
        if !write_padded_leb(&mut out, count + 1, width) {
            return Ok(None);
        }
        wasm_encoder::Encode::encode(f, &mut out);
    }
    let mut section = vec![10u8];
    wasm_encoder::Encode::encode(&(out.len() as u32), &mut section);
    section.extend(out);
    Ok(Some(section))
}

/// `module` with its code section replaced by `code`, or with its `.debug_*` sections removed
/// when `code` is `None`.
fn splice_code(module: &[u8], code: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut out = module[..8].to_vec();
    for p in Parser::new(0).parse_all(module) {
        let p = p?;
        if let Payload::CustomSection(c) = &p
            && code.is_none()
            && c.name().starts_with(".debug_")
        {
            continue;
        }
        let Some((id, range)) = p.as_section() else { continue };
        let range = range.start as usize..range.end as usize;
        if id == 10
            && let Some(code) = code
        {
            out.extend_from_slice(code);
            continue;
        }
        // Copy the section with its header (id and size LEB).
        let mut header = vec![id];
        wasm_encoder::Encode::encode(&((range.end - range.start) as u32), &mut header);
        out.extend(header);
        out.extend_from_slice(&module[range]);
    }
    Ok(out)
}

/// Rewrites `wasm` according to `plan`.
pub fn apply(wasm: &[u8], info: &Info, plan: &Plan) -> Result<Vec<u8>> {
    for (imp, target) in &plan.redirect {
        let (a, b) = (&info.func_types[*imp as usize], &info.func_types[*target as usize]);
        if a != b {
            bail!(
                "internal: import {} `{}` has type {a:?} but its implementation has {b:?}",
                info.func_imports.iter().find(|i| i.index == *imp).map(|i| i.module.as_str()).unwrap_or("?"),
                info.func_imports.iter().find(|i| i.index == *imp).map(|i| i.name.as_str()).unwrap_or("?")
            );
        }
        if (*target as usize) < info.func_imports.len() {
            bail!("internal: redirect target {target} is itself an import");
        }
    }
    let mut r = Rewriter {
        plan,
        removed: plan.redirect.keys().copied().collect(),
        n_funcs: info.func_types.len() as u32,
        start_type: None,
        next_import: 0,
    };
    let mut module = wasm_encoder::Module::new();
    r.parse_core_module(&mut module, Parser::new(0), wasm).map_err(|e| anyhow::anyhow!("rewriting the module: {e}"))?;
    let out = module.finish();
    if !has_dwarf(wasm) {
        return Ok(out);
    }
    // With debug info: keep every function body where it was (see `code_in_place`).
    let start = plan.start.map(|(run, exit)| start_function(&r, run, exit));
    match code_in_place(wasm, &r, start.as_ref())? {
        Some(code) => splice_code(&out, Some(&code)),
        None => {
            eprintln!("wasip2-on-wasip1-ld: warning: function indices did not fit in place; DWARF debug info dropped");
            splice_code(&out, None)
        }
    }
}

/// `_start`: call the program's `wasi:cli/run#run`; if it returns `err`, call the adapter's
/// `exit(err)`.
fn start_function(r: &Rewriter, run: u32, exit: u32) -> wasm_encoder::Function {
    use wasm_encoder::Instruction as I;
    let mut f = wasm_encoder::Function::new([]);
    f.instruction(&I::Call(r.map(run)));
    f.instruction(&I::If(wasm_encoder::BlockType::Empty));
    f.instruction(&I::I32Const(1));
    f.instruction(&I::Call(r.map(exit)));
    f.instruction(&I::End);
    f.instruction(&I::End);
    f
}

/// Validates a module with every feature the toolchains may emit enabled.
pub fn validate(wasm: &[u8]) -> Result<()> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(wasm)
        .map(|_| ())
        .context("the rewritten module does not validate")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module whose one function does `call_indirect` on table 0 with the table index
    /// written as wasm-ld writes it (`80 80 80 80 00`) and `memory.size` with a padded memory
    /// index, with a `.debug_info` section when `dwarf`.
    fn padded_module(dwarf: bool) -> Vec<u8> {
        use wasm_encoder::*;
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut funcs = FunctionSection::new();
        funcs.function(0);
        m.section(&funcs);
        let mut tables = TableSection::new();
        tables.table(TableType { element_type: RefType::FUNCREF, minimum: 1, maximum: None, table64: false, shared: false });
        m.section(&tables);
        let mut mems = MemorySection::new();
        mems.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
        m.section(&mems);
        let mut code = CodeSection::new();
        // no locals; i32.const 0; call_indirect type 0 table 0 (padded); memory.size 0 (padded);
        // drop; end
        let body = [0x00, 0x41, 0x00, 0x11, 0x00, 0x80, 0x80, 0x80, 0x80, 0x00, 0x3f, 0x80, 0x00, 0x1a, 0x0b];
        code.raw(&body);
        m.section(&code);
        if dwarf {
            m.section(&CustomSection { name: ".debug_info".into(), data: [0u8; 16].as_slice().into() });
        }
        m.finish()
    }

    fn code_bytes(wasm: &[u8]) -> Vec<u8> {
        Parser::new(0)
            .parse_all(wasm)
            .find_map(|p| match p.unwrap() {
                Payload::CodeSectionStart { unchecked_range: r, .. } => Some(wasm[r.start as usize..r.end as usize].to_vec()),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn index_immediates_become_single_bytes() {
        for dwarf in [false, true] {
            let wasm = padded_module(dwarf);
            let usage = crate::features::scan(&wasm).unwrap();
            assert!(usage.contains_key(&crate::features::Feature::OverlongTableIndex));
            assert!(usage.contains_key(&crate::features::Feature::OverlongMemoryIndex));
            let out = apply(&wasm, &inspect(&wasm).unwrap(), &Plan::default()).unwrap();
            validate(&out).unwrap();
            let usage = crate::features::scan(&out).unwrap();
            assert!(!usage.contains_key(&crate::features::Feature::OverlongTableIndex), "{dwarf}");
            assert!(!usage.contains_key(&crate::features::Feature::OverlongMemoryIndex), "{dwarf}");
            let (before, after) = (code_bytes(&wasm), code_bytes(&out));
            if dwarf {
                // In place: same length, the freed bytes are nops after each instruction.
                assert_eq!(before.len(), after.len());
                let body = &after[2..];
                assert_eq!(body, [0x00, 0x41, 0x00, 0x11, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01, 0x3f, 0x00, 0x01, 0x1a, 0x0b]);
            } else {
                assert!(after.len() < before.len());
            }
        }
    }

    #[test]
    fn padded_leb_writing() {
        let mut b = [0u8; 5];
        assert!(write_padded_leb(&mut b, 3, 5));
        assert_eq!(b, [0x83, 0x80, 0x80, 0x80, 0x00]);
        assert_eq!(leb_len(&b), 5);
        assert!(write_padded_leb(&mut b, 127, 1));
        assert!(!write_padded_leb(&mut b, 128, 1));
        assert!(write_padded_leb(&mut b, 128, 2));
        assert_eq!(&b[..2], &[0x80, 0x01]);
        assert!(write_padded_leb(&mut b, u32::MAX, 5));
    }
}
