//! Wasm instruction counts per function: the profile of what an interpreter such as WAMR
//! executes (valgrind cannot run WAMR's build here, and this machine has no hardware counters).
//!
//! [`instrument`] gives every function a mutable i64 global, exported as
//! `__icount_<function index>`. A defined function's counter gets 1 added before each of its
//! instructions, so it ends as the function's exact "self" instruction count (the
//! instrumentation's own instructions excluded); an imported function's counter gets 1 added
//! at each direct call, so it counts the host calls (WASIp1 functions) made. `wasmtime-run` writes the exported counters to the file named by
//! `WASMTIME_RUN_ICOUNT` when the program ends.

use std::collections::BTreeMap;
use wasm_encoder::reencode::Reencode;
use wasm_encoder::{ConstExpr, ExportKind, GlobalType, Instruction, ValType};
use wasmparser::{Parser, Payload};

/// Prefix of the exported counter globals.
pub const EXPORT_PREFIX: &str = "__icount_";

struct Counter {
    /// Index of the first counter global (= number of globals the module already has).
    first_global: u32,
    /// Index of the first defined function (= number of imported functions).
    first_func: u32,
    /// Defined functions in the module.
    defined_funcs: u32,
    /// The defined function whose body comes next in the code section.
    next_body: u32,
}

impl Reencode for Counter {
    type Error = std::convert::Infallible;

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_global_section(self, globals, section)?;
        for _ in 0..self.first_func + self.defined_funcs {
            globals.global(GlobalType { val_type: ValType::I64, mutable: true, shared: false }, &ConstExpr::i64_const(0));
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        wasm_encoder::reencode::utils::parse_export_section(self, exports, section)?;
        for k in 0..self.first_func + self.defined_funcs {
            exports.export(&format!("{EXPORT_PREFIX}{k}"), ExportKind::Global, self.first_global + k);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let counter = self.first_global + self.first_func + self.next_body;
        self.next_body += 1;
        let mut f = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        // Stack-neutral, so valid before any instruction, including `else` and `end`.
        let bump = |f: &mut wasm_encoder::Function, global: u32| {
            f.instruction(&Instruction::GlobalGet(global));
            f.instruction(&Instruction::I64Const(1));
            f.instruction(&Instruction::I64Add);
            f.instruction(&Instruction::GlobalSet(global));
        };
        while !reader.eof() {
            let ins = self.parse_instruction(&mut reader)?;
            bump(&mut f, counter);
            if let Instruction::Call(callee) = ins
                && callee < self.first_func
            {
                bump(&mut f, self.first_global + callee);
            }
            f.instruction(&ins);
        }
        code.function(&f);
        Ok(())
    }
}

/// The instrumented module.
pub fn instrument(wasm: &[u8]) -> anyhow::Result<Vec<u8>> {
    let (mut imported_funcs, mut globals, mut defined_funcs, mut has_globals) = (0, 0, 0, false);
    for p in Parser::new(0).parse_all(wasm) {
        match p? {
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    match imp?.ty {
                        wasmparser::TypeRef::Func(_) => imported_funcs += 1,
                        wasmparser::TypeRef::Global(_) => globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::GlobalSection(s) => {
                globals += s.count();
                has_globals = true;
            }
            Payload::FunctionSection(s) => defined_funcs = s.count(),
            _ => {}
        }
    }
    // The counters are appended to the global section; every linked C or Rust module has one
    // (the stack pointer).
    anyhow::ensure!(has_globals, "module has no global section");
    let mut c = Counter { first_global: globals, first_func: imported_funcs, defined_funcs, next_body: 0 };
    let mut module = wasm_encoder::Module::new();
    c.parse_core_module(&mut module, Parser::new(0), wasm).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let out = module.finish();
    wasmparser::Validator::new().validate_all(&out)?;
    Ok(out)
}

/// Function names by function index: imports as `module.name`, the rest from the `name`
/// section; and the number of imported functions (they come first).
pub fn function_names(wasm: &[u8]) -> (BTreeMap<u32, String>, u32) {
    let mut names = BTreeMap::new();
    let mut imported = 0;
    for p in Parser::new(0).parse_all(wasm).flatten() {
        if let Payload::ImportSection(s) = &p {
            for imp in s.clone().into_imports().flatten() {
                if let wasmparser::TypeRef::Func(_) = imp.ty {
                    names.insert(imported, format!("{}.{}", imp.module, imp.name));
                    imported += 1;
                }
            }
        }
        if let Payload::CustomSection(c) = p
            && let wasmparser::KnownCustom::Name(reader) = c.as_known()
        {
            for n in reader.flatten() {
                if let wasmparser::Name::Function(map) = n {
                    for naming in map.into_iter().flatten() {
                        names.entry(naming.index).or_insert_with(|| naming.name.to_string());
                    }
                }
            }
        }
    }
    (names, imported)
}

/// Parses the counter file `wasmtime-run` writes: one `index count` pair per line.
pub fn parse_counts(text: &str) -> BTreeMap<u32, u64> {
    text.lines()
        .filter_map(|l| {
            let (i, n) = l.split_once(' ')?;
            Some((i.parse().ok()?, n.parse().ok()?))
        })
        .collect()
}
