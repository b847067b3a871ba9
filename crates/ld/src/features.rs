//! Which WebAssembly features a core module uses, and where.
//!
//! [`scan`] walks every section and every instruction once and records each use of a feature
//! beyond the MVP: the instructions (classified by the proposal `wasmparser` lists them under),
//! the immediates that need a proposal (a `call_indirect` on a table other than 0, a memory
//! other than 0), and the module-level constructs (several tables or memories, shared or 64-bit
//! memories, passive segments, tags, vector or reference globals, multi-value types…). Each use
//! names the function it is in, so a refusal can point at the code.
//!
//! [`crate::wamr`] decides which of these a WAMR release loads.

use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use wasmparser::{CompositeInnerType, ConstExpr, ElementKind, Operator, Parser, Payload, TypeRef, ValType};

/// A WebAssembly feature (a proposal merged after the MVP), or an encoding some runtimes refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    MutableGlobals,
    SignExtension,
    SaturatingFloatToInt,
    MultiValue,
    BulkMemory,
    ReferenceTypes,
    /// `call_indirect`'s table index written as a padded (over-long) LEB128, where WAMR without
    /// reference types reads the single byte `0x00` ("zero byte expected").
    OverlongTableIndex,
    /// The memory index of `memory.size`/`grow`/`init`/`copy`/`fill` (or `atomic.fence`'s
    /// reserved byte) written as a padded LEB128: WAMR before 2.2.0 reads one `0x00` byte.
    OverlongMemoryIndex,
    Simd,
    RelaxedSimd,
    TailCall,
    ExceptionHandling,
    Memory64,
    MultiMemory,
    ExtendedConst,
    FunctionReferences,
    Gc,
    /// Atomic instructions (the threads proposal's operators).
    Threads,
    /// A shared memory: another thread may run in the same memory.
    SharedMemory,
    /// Any other proposal (stack switching, wide arithmetic, shared-everything threads…).
    Other(&'static str),
}

impl Feature {
    /// The feature's name as in the proposals' repositories (`reference-types`, `simd`…).
    pub fn name(self) -> &'static str {
        match self {
            Feature::MutableGlobals => "mutable-globals",
            Feature::SignExtension => "sign-extension",
            Feature::SaturatingFloatToInt => "nontrapping-float-to-int",
            Feature::MultiValue => "multi-value",
            Feature::BulkMemory => "bulk-memory",
            Feature::ReferenceTypes => "reference-types",
            Feature::OverlongTableIndex => "overlong-table-index",
            Feature::OverlongMemoryIndex => "overlong-memory-index",
            Feature::Simd => "simd",
            Feature::RelaxedSimd => "relaxed-simd",
            Feature::TailCall => "tail-call",
            Feature::ExceptionHandling => "exception-handling",
            Feature::Memory64 => "memory64",
            Feature::MultiMemory => "multi-memory",
            Feature::ExtendedConst => "extended-const",
            Feature::FunctionReferences => "function-references",
            Feature::Gc => "gc",
            Feature::Threads => "threads",
            Feature::SharedMemory => "shared-memory",
            Feature::Other(p) => p,
        }
    }

    /// The feature an operator belongs to, from `wasmparser`'s proposal grouping (`None`: MVP).
    fn of_operator(op: &Operator) -> Option<Feature> {
        macro_rules! classify {
            ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
                match op {
                    $( Operator::$op { .. } => classify!(one @$proposal), )*
                    _ => Some(Feature::Other("unknown-proposal")),
                }
            };
            (one @mvp) => { None };
            (one @sign_extension) => { Some(Feature::SignExtension) };
            (one @saturating_float_to_int) => { Some(Feature::SaturatingFloatToInt) };
            (one @bulk_memory) => { Some(Feature::BulkMemory) };
            (one @reference_types) => { Some(Feature::ReferenceTypes) };
            (one @simd) => { Some(Feature::Simd) };
            (one @relaxed_simd) => { Some(Feature::RelaxedSimd) };
            (one @threads) => { Some(Feature::Threads) };
            (one @tail_call) => { Some(Feature::TailCall) };
            (one @exceptions) => { Some(Feature::ExceptionHandling) };
            (one @legacy_exceptions) => { Some(Feature::ExceptionHandling) };
            (one @function_references) => { Some(Feature::FunctionReferences) };
            (one @gc) => { Some(Feature::Gc) };
            (one @$proposal:ident) => { Some(Feature::Other(stringify!($proposal))) };
        }
        wasmparser::for_each_operator!(classify)
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a feature is used: the constructs (instruction names, "shared memory"…) and the
/// functions whose code uses it (function indices; module-level uses have none).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Uses {
    pub what: BTreeSet<String>,
    pub functions: BTreeSet<u32>,
}

/// Every feature a module uses.
pub type Usage = BTreeMap<Feature, Uses>;

fn note(usage: &mut Usage, f: Feature, what: impl Into<String>, func: Option<u32>) {
    let u = usage.entry(f).or_default();
    u.what.insert(what.into());
    u.functions.extend(func);
}

/// The instruction's name, close to the text format's (`memory.copy`, `i32.atomic_rmw_add`):
/// `wasmparser`'s visitor name without `visit_`, its first `_` a `.`.
fn op_name(op: &Operator) -> String {
    macro_rules! name {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $( Operator::$op { .. } => stringify!($visit), )*
                _ => "visit_unknown",
            }
        };
    }
    let v = wasmparser::for_each_operator!(name).trim_start_matches("visit_");
    // The text format separates a type or namespace prefix with a dot: `i32.add`, `memory.copy`.
    const PREFIXES: &[&str] =
        &["i32", "i64", "f32", "f64", "v128", "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "memory", "table", "ref", "local", "global", "elem", "data", "struct", "array", "any", "extern"];
    match v.split_once('_') {
        Some((p, rest)) if PREFIXES.contains(&p) => format!("{p}.{rest}"),
        _ => v.to_string(),
    }
}

fn val_type(usage: &mut Usage, t: ValType, what: &str, func: Option<u32>) {
    match t {
        ValType::V128 => note(usage, Feature::Simd, format!("v128 {what}"), func),
        ValType::Ref(r) if r.is_func_ref() && r.is_nullable() || r.is_extern_ref() && r.is_nullable() => {
            note(usage, Feature::ReferenceTypes, format!("{r} {what}"), func)
        }
        ValType::Ref(r) => note(usage, Feature::FunctionReferences, format!("{r} {what}"), func),
        _ => {}
    }
}

fn const_expr(usage: &mut Usage, e: &ConstExpr, what: &str) -> Result<()> {
    let mut ops = e.get_operators_reader();
    while !ops.eof() {
        let op = ops.read()?;
        match op {
            Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::GlobalGet { .. }
            | Operator::End => {}
            Operator::I32Add | Operator::I32Sub | Operator::I32Mul | Operator::I64Add | Operator::I64Sub | Operator::I64Mul => {
                note(usage, Feature::ExtendedConst, format!("{} in {what}", op_name(&op)), None)
            }
            other => {
                if let Some(f) = Feature::of_operator(&other) {
                    note(usage, f, format!("{} in {what}", op_name(&other)), None);
                }
            }
        }
    }
    Ok(())
}

/// What a module uses beyond the MVP. Over-long index immediates are reported only where some
/// WAMR reads a single byte ([`Feature::OverlongTableIndex`], [`Feature::OverlongMemoryIndex`]).
pub fn scan(wasm: &[u8]) -> Result<Usage> {
    let mut usage = Usage::new();
    let mut n_func_imports = 0u32;
    let mut defined = 0u32;
    let mut tables = 0u32;
    let mut memories = 0u32;
    let mut func_type_results: Vec<usize> = Vec::new();
    let mut func_type_params: Vec<usize> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(s) => {
                for rg in s {
                    let rg = rg?;
                    if rg.is_explicit_rec_group() {
                        note(&mut usage, Feature::Gc, "rec group", None);
                    }
                    for st in rg.into_types() {
                        if !st.is_final || !st.supertype_idxs.is_empty() {
                            note(&mut usage, Feature::Gc, "subtype", None);
                        }
                        match &st.composite_type.inner {
                            CompositeInnerType::Func(f) => {
                                func_type_params.push(f.params().len());
                                func_type_results.push(f.results().len());
                                if f.results().len() > 1 {
                                    note(&mut usage, Feature::MultiValue, "function type with several results", None);
                                }
                                for t in f.params().iter().chain(f.results()) {
                                    val_type(&mut usage, *t, "in a function type", None);
                                }
                            }
                            _ => {
                                func_type_params.push(0);
                                func_type_results.push(0);
                                note(&mut usage, Feature::Gc, "struct/array type", None);
                            }
                        }
                    }
                }
            }
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    match imp?.ty {
                        TypeRef::Func(_) => n_func_imports += 1,
                        TypeRef::Table(t) => {
                            tables += 1;
                            table_type(&mut usage, &t, tables)
                        }
                        TypeRef::Memory(m) => {
                            memories += 1;
                            memory_type(&mut usage, &m, memories)
                        }
                        TypeRef::Global(g) => {
                            if g.mutable {
                                note(&mut usage, Feature::MutableGlobals, "imported mutable global", None);
                            }
                            val_type(&mut usage, g.content_type, "global", None)
                        }
                        TypeRef::Tag(_) => note(&mut usage, Feature::ExceptionHandling, "imported tag", None),
                        _ => {}
                    }
                }
            }
            Payload::TableSection(s) => {
                for t in s {
                    let t = t?;
                    tables += 1;
                    table_type(&mut usage, &t.ty, tables);
                    if let wasmparser::TableInit::Expr(e) = &t.init {
                        note(&mut usage, Feature::FunctionReferences, "table with an initializer", None);
                        const_expr(&mut usage, e, "a table initializer")?;
                    }
                }
            }
            Payload::MemorySection(s) => {
                for m in s {
                    memories += 1;
                    memory_type(&mut usage, &m?, memories);
                }
            }
            Payload::TagSection(_) => note(&mut usage, Feature::ExceptionHandling, "tag section", None),
            Payload::GlobalSection(s) => {
                for g in s {
                    let g = g?;
                    val_type(&mut usage, g.ty.content_type, "global", None);
                    const_expr(&mut usage, &g.init_expr, "a global initializer")?;
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    if e?.kind == wasmparser::ExternalKind::Tag {
                        note(&mut usage, Feature::ExceptionHandling, "exported tag", None);
                    }
                }
            }
            Payload::ElementSection(s) => {
                for e in s {
                    let e = e?;
                    // Any element segment but the MVP's form (active, table 0 implied, function
                    // indices) needs reference types in WAMR, passive ones included.
                    match &e.kind {
                        ElementKind::Passive => note(&mut usage, Feature::ReferenceTypes, "passive element segment", None),
                        ElementKind::Declared => note(&mut usage, Feature::ReferenceTypes, "declared element segment", None),
                        ElementKind::Active { table_index, offset_expr } => {
                            match table_index {
                                Some(0) => note(&mut usage, Feature::ReferenceTypes, "element segment naming table 0", None),
                                Some(_) => note(&mut usage, Feature::ReferenceTypes, "element segment for a table other than 0", None),
                                None => {}
                            }
                            const_expr(&mut usage, offset_expr, "an element segment offset")?;
                        }
                    }
                    if let wasmparser::ElementItems::Expressions(t, exprs) = e.items {
                        note(&mut usage, Feature::ReferenceTypes, format!("element segment of {t} expressions"), None);
                        for ex in exprs {
                            const_expr(&mut usage, &ex?, "an element expression")?;
                        }
                    }
                }
            }
            Payload::DataCountSection { .. } => note(&mut usage, Feature::BulkMemory, "data count section", None),
            Payload::DataSection(s) => {
                for d in s {
                    let d = d?;
                    match d.kind {
                        wasmparser::DataKind::Passive => note(&mut usage, Feature::BulkMemory, "passive data segment", None),
                        wasmparser::DataKind::Active { memory_index, offset_expr } => {
                            if memory_index != 0 {
                                note(&mut usage, Feature::MultiMemory, "data segment for a memory other than 0", None);
                            }
                            const_expr(&mut usage, &offset_expr, "a data segment offset")?;
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let me = Some(n_func_imports + defined);
                defined += 1;
                for l in body.get_locals_reader()? {
                    let (_, t) = l?;
                    val_type(&mut usage, t, "local", me);
                }
                let mut ops = body.get_operators_reader()?;
                while !ops.eof() {
                    let (op, at) = ops.read_with_offset()?;
                    let bytes = wasm.get(at as usize..ops.original_position() as usize).unwrap_or_default();
                    operator(&mut usage, &op, bytes, me, &func_type_params, &func_type_results)?;
                }
            }
            _ => {}
        }
    }
    Ok(usage)
}

fn table_type(usage: &mut Usage, t: &wasmparser::TableType, count: u32) {
    if count > 1 {
        note(usage, Feature::ReferenceTypes, "several tables", None);
    }
    if t.table64 {
        note(usage, Feature::Memory64, "64-bit table", None);
    }
    if t.shared {
        note(usage, Feature::Other("shared-everything-threads"), "shared table", None);
    }
    if !t.element_type.is_func_ref() {
        val_type(usage, ValType::Ref(t.element_type), "table", None);
    }
}

fn memory_type(usage: &mut Usage, m: &wasmparser::MemoryType, count: u32) {
    if count > 1 {
        note(usage, Feature::MultiMemory, "several memories", None);
    }
    if m.shared {
        note(usage, Feature::SharedMemory, "shared memory", None);
    }
    if m.memory64 {
        note(usage, Feature::Memory64, "64-bit memory", None);
    }
    if m.page_size_log2.is_some() {
        note(usage, Feature::Other("custom-page-sizes"), "custom page size", None);
    }
}

fn operator(usage: &mut Usage, op: &Operator, bytes: &[u8], func: Option<u32>, params: &[usize], results: &[usize]) -> Result<()> {
    let name = || op_name(op);
    match op {
        // Listed under bulk memory, but WAMR loads them only with reference types.
        Operator::TableCopy { .. } | Operator::TableInit { .. } | Operator::ElemDrop { .. } => {
            note(usage, Feature::ReferenceTypes, name(), func)
        }
        _ => {
            if let Some(f) = Feature::of_operator(op) {
                note(usage, f, name(), func);
            }
        }
    }
    match op {
        Operator::CallIndirect { table_index, .. } | Operator::ReturnCallIndirect { table_index, .. } if *table_index != 0 => {
            note(usage, Feature::ReferenceTypes, format!("{} on table {table_index}", name()), func)
        }
        Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } | Operator::TryTable { try_table: wasmparser::TryTable { ty: blockty, .. } } | Operator::Try { blockty } => {
            match blockty {
                wasmparser::BlockType::FuncType(t) => {
                    let (p, r) = (params.get(*t as usize).copied().unwrap_or(0), results.get(*t as usize).copied().unwrap_or(0));
                    if p > 0 || r > 1 {
                        note(usage, Feature::MultiValue, format!("{} with a function type", name()), func);
                    }
                }
                wasmparser::BlockType::Type(t) => val_type(usage, *t, "block result", func),
                wasmparser::BlockType::Empty => {}
            }
        }
        Operator::TypedSelect { ty } => val_type(usage, *ty, "select", func),
        _ => {}
    }
    if let Some(m) = memarg_memory(op)
        && m != 0
    {
        note(usage, Feature::MultiMemory, format!("{} on memory {m}", name()), func);
    }
    // Over-long immediates where WAMR without reference types reads one byte: the minimal
    // encoding is shorter than the instruction as written.
    if let Some(f) = overlong_index(op, bytes) {
        note(usage, f, format!("{} with a padded index", name()), func);
    }
    Ok(())
}

/// Whether `bytes` (the instruction as written) has one of the index immediates that WAMR
/// without reference types reads as one `0x00` byte written in more than one byte (only those:
/// a padded type index of `call_indirect` or data index of `memory.init` is read as a LEB).
pub(crate) fn overlong_index(op: &Operator, bytes: &[u8]) -> Option<Feature> {
    use crate::rewrite::leb_len;
    let wide = |at: usize| bytes.get(at..).is_some_and(|b| leb_len(b) > 1);
    match op {
        // opcode, type index (LEB), table index.
        Operator::CallIndirect { .. } | Operator::ReturnCallIndirect { .. } => {
            wide(1 + leb_len(bytes.get(1..)?)).then_some(Feature::OverlongTableIndex)
        }
        // opcode, memory index.
        Operator::MemorySize { .. } | Operator::MemoryGrow { .. } => wide(1).then_some(Feature::OverlongMemoryIndex),
        // 0xfc, sub-opcode (LEB), then the immediates.
        Operator::MemoryInit { .. } | Operator::MemoryCopy { .. } | Operator::MemoryFill { .. } => {
            let mut at = 1 + leb_len(bytes.get(1..)?);
            if let Operator::MemoryInit { .. } = op {
                at += leb_len(bytes.get(at..)?);
            }
            let n = if let Operator::MemoryCopy { .. } = op { 2 } else { 1 };
            let mut over = false;
            for _ in 0..n {
                over |= wide(at);
                at += leb_len(bytes.get(at..)?);
            }
            over.then_some(Feature::OverlongMemoryIndex)
        }
        // 0xfe, sub-opcode (LEB), reserved byte.
        Operator::AtomicFence { .. } => wide(1 + leb_len(bytes.get(1..)?)).then_some(Feature::OverlongMemoryIndex),
        _ => None,
    }
}

/// The memory an instruction addresses, when it names one.
fn memarg_memory(op: &Operator) -> Option<u32> {
    macro_rules! memarg {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $( Operator::$op $({ $($arg),* })? => memarg!(one $($($arg $arg: $argty),*)?), )*
                _ => None,
            }
        };
        // The argument named `memarg` (its name twice: once to match, once to use it).
        (one memarg $m:ident: $t:ty $(, $rest:ident $rest2:ident: $rt:ty)*) => { match $m.target { wasmparser::MemArgTarget::Memory(m) => Some(m), wasmparser::MemArgTarget::Array(_) => None } };
        (one $first:ident $first2:ident: $ft:ty $(, $rest:ident $rest2:ident: $rt:ty)*) => { memarg!(one $($rest $rest2: $rt),*) };
        (one) => { None };
    }
    #[allow(unused_variables)]
    let direct = wasmparser::for_each_operator!(memarg);
    direct.or(match op {
        Operator::MemorySize { mem } | Operator::MemoryGrow { mem } | Operator::MemoryFill { mem } | Operator::MemoryInit { mem, .. } => Some(*mem),
        Operator::MemoryCopy { dst_mem, src_mem } => Some((*dst_mem).max(*src_mem)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_operators_by_proposal() {
        assert_eq!(Feature::of_operator(&Operator::I32Add), None);
        assert_eq!(Feature::of_operator(&Operator::I32Extend8S), Some(Feature::SignExtension));
        assert_eq!(Feature::of_operator(&Operator::MemoryFill { mem: 0 }), Some(Feature::BulkMemory));
        assert_eq!(Feature::of_operator(&Operator::TableSize { table: 0 }), Some(Feature::ReferenceTypes));
        assert_eq!(Feature::of_operator(&Operator::I8x16Swizzle), Some(Feature::Simd));
        assert_eq!(Feature::of_operator(&Operator::ReturnCall { function_index: 0 }), Some(Feature::TailCall));
        assert_eq!(Feature::of_operator(&Operator::AtomicFence { ordering: wasmparser::Ordering::SeqCst }), Some(Feature::Threads));
        assert_eq!(op_name(&Operator::MemoryCopy { dst_mem: 0, src_mem: 0 }), "memory.copy");
        assert_eq!(op_name(&Operator::I32Add), "i32.add");
        assert_eq!(op_name(&Operator::CallIndirect { type_index: 0, table_index: 0 }), "call_indirect");
        assert_eq!(memarg_memory(&Operator::MemoryCopy { dst_mem: 0, src_mem: 1 }), Some(1));
    }
}
