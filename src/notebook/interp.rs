//! Statement and expression evaluation over Ruff's Python AST, with a step budget.
//!
//! Scoping is Python's simplified: a function call has its own locals, and names are looked up
//! in locals, then the notebook's globals, then the builtins (no closures, no `global`).
use super::args::{to_int, Args};
use super::builtins;
use super::error::{PyErr, PyResult, TraceFrame};
use super::nn_api;
use super::torch_api;
use super::value::{ClassObj, FuncObj, ModKind, Value};
use rustpython_ruff_python_ast::{self as ast, Expr, Stmt};
use rustpython_ruff_text_size::Ranged;
use std::collections::HashMap;
use std::rc::Rc;

/// Default step budget for one cell (statements, loop iterations and calls each count 1).
pub const DEFAULT_STEP_BUDGET: u64 = 10_000_000;

/// How a block ended.
pub enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

/// A call frame's local variables (`None` at the top level of a cell).
pub struct Frame {
    pub locals: Option<HashMap<String, Value>>,
}

/// The code being run at one call depth: its source text (a cell's), the execution count of
/// that cell and the function (`None` at the cell's top level), for tracebacks.
#[derive(Clone, Debug)]
pub struct CodeCtx {
    pub src: Rc<str>,
    pub cell: u64,
    pub function: Option<Rc<str>>,
}

/// The 1-based line of byte `offset` in `src`.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The interpreter state that lives across cells.
pub struct Interp {
    pub globals: HashMap<String, Value>,
    pub stdout: String,
    pub steps: u64,
    pub step_budget: u64,
    /// Inside `with torch.no_grad():`.
    pub no_grad: bool,
    /// Asked every [`INTERRUPT_EVERY`] steps; `true` stops the cell with `KeyboardInterrupt`.
    pub interrupt: Option<Box<dyn FnMut() -> bool>>,
    /// Pictures shown by the running cell (`show`, `plt.imshow`).
    pub images: Vec<super::CellImage>,
    /// Registered dataset files, decoded, by name (see [`super::DATASET_NAMES`]).
    pub datasets: HashMap<String, Rc<crate::data::Dataset>>,
    /// The code running at each call depth (the cell at 0), innermost last.
    pub code: Vec<CodeCtx>,
    depth: usize,
}

/// How many steps pass between two calls of the interrupt check.
pub const INTERRUPT_EVERY: u64 = 4096;

fn unsupported_expr(e: &Expr) -> PyErr {
    let what = match e {
        Expr::Lambda(_) => "lambda",
        Expr::Set(_) | Expr::SetComp(_) => "sets",
        Expr::DictComp(_) => "dict comprehensions",
        Expr::Await(_) => "await",
        Expr::Yield(_) | Expr::YieldFrom(_) => "yield",
        Expr::TString(_) => "t-strings",
        Expr::BytesLiteral(_) => "bytes literals",
        Expr::Named(_) => "the walrus operator :=",
        Expr::Starred(_) => "starred expressions (*args)",
        Expr::EllipsisLiteral(_) => "Ellipsis (...)",
        _ => "this expression",
    };
    PyErr::unsupported(what)
}

fn unsupported_stmt(s: &Stmt) -> PyErr {
    let what = match s {
        Stmt::Delete(_) => "del",
        Stmt::TypeAlias(_) => "type aliases",
        Stmt::Match(_) => "match statements",
        Stmt::Try(_) => "try/except",
        Stmt::Global(_) => "global",
        Stmt::Nonlocal(_) => "nonlocal",
        Stmt::With(_) => "with statements other than `with torch.no_grad():`",
        Stmt::IpyEscapeCommand(_) => "IPython magics (%, !)",
        _ => "this statement",
    };
    PyErr::unsupported(what)
}

impl Interp {
    /// A fresh interpreter with empty globals.
    pub fn new() -> Interp {
        Interp {
            globals: HashMap::new(),
            stdout: String::new(),
            steps: 0,
            step_budget: DEFAULT_STEP_BUDGET,
            no_grad: false,
            interrupt: None,
            images: Vec::new(),
            datasets: HashMap::new(),
            code: Vec::new(),
            depth: 0,
        }
    }

    /// Counts one step; errors when the budget is spent, and with `KeyboardInterrupt` when the
    /// interrupt check (asked every [`INTERRUPT_EVERY`] steps) says so.
    pub fn step(&mut self) -> PyResult<()> {
        self.steps += 1;
        if self.steps.is_multiple_of(INTERRUPT_EVERY) {
            if let Some(check) = self.interrupt.as_mut() {
                if check() {
                    return Err(PyErr::new("KeyboardInterrupt", ""));
                }
            }
        }
        if self.steps > self.step_budget {
            return Err(PyErr::runtime(format!(
                "nnbook stopped this cell after {} steps (an endless loop?); the step budget can be raised",
                self.step_budget
            )));
        }
        Ok(())
    }

    /// Runs the statements of a block.
    pub fn exec_block(&mut self, body: &[Stmt], f: &mut Frame) -> PyResult<Flow> {
        for s in body {
            match self.exec(s, f)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs one statement; an error records it in its traceback.
    pub fn exec(&mut self, s: &Stmt, f: &mut Frame) -> PyResult<Flow> {
        self.exec_stmt(s, f).map_err(|e| self.trace(e, s))
    }

    /// Adds the statement `at` of the code running now to the traceback of `e` (only the
    /// innermost statement of each call depth is kept).
    pub fn trace(&self, e: PyErr, at: &impl Ranged) -> PyErr {
        let Some(ctx) = self.code.last() else {
            return e;
        };
        let depth = self.code.len() - 1;
        if !e.wants_frame(depth) {
            return e; // an outer statement of a frame already recorded: no line to work out
        }
        let start = at.start().to_usize().min(ctx.src.len());
        let line = line_of(&ctx.src, start);
        let code = ctx.src[..start]
            .rfind('\n')
            .map_or(&ctx.src[..], |i| &ctx.src[i + 1..])
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let frame = TraceFrame {
            cell: ctx.cell,
            line,
            function: ctx.function.as_deref().map(str::to_string),
            code,
        };
        e.unwind_through(depth, frame)
    }

    fn exec_stmt(&mut self, s: &Stmt, f: &mut Frame) -> PyResult<Flow> {
        self.step()?;
        match s {
            Stmt::Expr(e) => {
                self.eval(&e.value, f)?;
            }
            Stmt::Assign(a) => {
                let v = self.eval(&a.value, f)?;
                for t in &a.targets {
                    self.assign(t, v.clone(), f)?;
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    let v = self.eval(v, f)?;
                    self.assign(&a.target, v, f)?;
                }
            }
            Stmt::AugAssign(a) => {
                let cur = self.eval(&a.target, f)?;
                let rhs = self.eval(&a.value, f)?;
                let v = self.binop(a.op, cur, rhs)?;
                self.assign(&a.target, v, f)?;
            }
            Stmt::Pass(_) => {}
            Stmt::Break(_) => return Ok(Flow::Break),
            Stmt::Continue(_) => return Ok(Flow::Continue),
            Stmt::Return(r) => {
                let v = match &r.value {
                    Some(e) => self.eval(e, f)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            Stmt::If(i) => {
                let c = self.eval(&i.test, f)?;
                if self.truth(&c)? {
                    return self.exec_block(&i.body, f);
                }
                for c in &i.elif_else_clauses {
                    let take = match &c.test {
                        Some(t) => {
                            let v = self.eval(t, f)?;
                            self.truth(&v)?
                        }
                        None => true,
                    };
                    if take {
                        return self.exec_block(&c.body, f);
                    }
                }
            }
            Stmt::While(w) => loop {
                self.step()?;
                let c = self.eval(&w.test, f)?;
                if !self.truth(&c)? {
                    return self.exec_block(&w.orelse, f);
                }
                match self.exec_block(&w.body, f)? {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    _ => {}
                }
            },
            Stmt::For(fo) => {
                if fo.is_async {
                    return Err(PyErr::unsupported("async for"));
                }
                let it = self.eval(&fo.iter, f)?;
                let items = builtins::iter_values(&it)?;
                let mut broke = false;
                for v in items {
                    self.step()?;
                    self.assign(&fo.target, v, f)?;
                    match self.exec_block(&fo.body, f)? {
                        Flow::Break => {
                            broke = true;
                            break;
                        }
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                if !broke {
                    return self.exec_block(&fo.orelse, f);
                }
            }
            Stmt::FunctionDef(d) => {
                let func = self.make_function(d, f)?;
                self.store(d.name.id.as_str(), Value::Func(Rc::new(func)), f);
            }
            Stmt::ClassDef(c) => {
                let class = self.make_class(c, f)?;
                self.store(c.name.id.as_str(), Value::Class(Rc::new(class)), f);
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    let name = a.name.id.as_str();
                    let ns = builtins::namespace(name)
                        .ok_or_else(|| PyErr::unsupported(format!("import {name}")))?;
                    match &a.asname {
                        Some(alias) => self.store(alias.id.as_str(), Value::Namespace(ns), f),
                        // `import torch.nn` binds `torch`.
                        None => {
                            let top = name.split('.').next().unwrap_or(name);
                            let top = builtins::namespace(top).unwrap_or(ns);
                            self.store(top, Value::Namespace(top), f)
                        }
                    }
                }
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map(|m| m.id.as_str()).unwrap_or("");
                let ns = builtins::namespace(module)
                    .ok_or_else(|| PyErr::unsupported(format!("from {module} import ...")))?;
                for a in &i.names {
                    let name = a.name.id.as_str();
                    if name == "*" {
                        return Err(PyErr::unsupported(format!("from {module} import *")));
                    }
                    let v = self.get_attr(&Value::Namespace(ns), name).map_err(|_| {
                        PyErr::new(
                            "ImportError",
                            format!("cannot import name '{name}' from '{module}'"),
                        )
                    })?;
                    let bind = a.asname.as_ref().map(|x| x.id.as_str()).unwrap_or(name);
                    self.store(bind, v, f);
                }
            }
            Stmt::With(w) => {
                if w.is_async || w.items.len() != 1 || w.items[0].optional_vars.is_some() {
                    return Err(unsupported_stmt(s));
                }
                let ctx = self.eval(&w.items[0].context_expr, f)?;
                if !matches!(ctx, Value::NoGrad) {
                    return Err(unsupported_stmt(s));
                }
                let saved = self.no_grad;
                self.no_grad = true;
                let r = self.exec_block(&w.body, f);
                self.no_grad = saved;
                return r;
            }
            Stmt::Assert(a) => {
                let v = self.eval(&a.test, f)?;
                if !self.truth(&v)? {
                    let msg = match &a.msg {
                        Some(m) => super::repr::py_str(&self.eval(m, f)?),
                        None => String::new(),
                    };
                    return Err(PyErr::new("AssertionError", msg));
                }
            }
            Stmt::Raise(r) => {
                let exc = match &r.exc {
                    Some(e) => self.eval(e, f)?,
                    None => return Err(PyErr::runtime("No active exception to reraise")),
                };
                return Err(builtins::raise_value(exc));
            }
            other => return Err(unsupported_stmt(other)),
        }
        Ok(Flow::Normal)
    }

    /// Binds `name` in the frame's locals, or in the globals at the top level.
    pub fn store(&mut self, name: &str, v: Value, f: &mut Frame) {
        match &mut f.locals {
            Some(l) => {
                l.insert(name.to_string(), v);
            }
            None => {
                self.globals.insert(name.to_string(), v);
            }
        }
    }

    fn make_function(&mut self, d: &ast::StmtFunctionDef, f: &mut Frame) -> PyResult<FuncObj> {
        if d.is_async {
            return Err(PyErr::unsupported("async def"));
        }
        if !d.decorator_list.is_empty() {
            return Err(PyErr::unsupported("decorators"));
        }
        let p = &d.parameters;
        if !p.posonlyargs.is_empty() || p.vararg.is_some() || p.kwarg.is_some() {
            return Err(PyErr::unsupported("*args, **kwargs or / in def"));
        }
        let mut defaults = Vec::new();
        for a in &p.args {
            defaults.push(match &a.default {
                Some(e) => Some(self.eval(e, f)?),
                None => None,
            });
        }
        let mut kwonly_defaults = Vec::new();
        for a in &p.kwonlyargs {
            kwonly_defaults.push(match &a.default {
                Some(e) => Some(self.eval(e, f)?),
                None => None,
            });
        }
        let (src, cell) = match self.code.last() {
            Some(c) => (c.src.clone(), c.cell),
            None => (Rc::from(""), 0),
        };
        Ok(FuncObj {
            name: Rc::from(d.name.id.as_str()),
            def: Rc::new(d.clone()),
            src,
            cell,
            defaults,
            kwonly_defaults,
        })
    }

    fn make_class(&mut self, c: &ast::StmtClassDef, f: &mut Frame) -> PyResult<ClassObj> {
        if !c.decorator_list.is_empty() {
            return Err(PyErr::unsupported("class decorators"));
        }
        let mut is_module = false;
        if let Some(args) = &c.arguments {
            for b in args.args.iter() {
                match self.eval(b, f)? {
                    Value::Native("nn", "Module") => is_module = true,
                    Value::Class(parent) if parent.is_module => {
                        return Err(PyErr::unsupported("subclassing your own nn.Module classes"))
                    }
                    other => {
                        return Err(PyErr::unsupported(format!(
                            "classes that do not derive from nn.Module (base {})",
                            other.type_name()
                        )))
                    }
                }
            }
        }
        if !is_module {
            return Err(PyErr::unsupported(
                "classes that do not derive from nn.Module",
            ));
        }
        let mut methods = HashMap::new();
        for s in &c.body {
            match s {
                Stmt::FunctionDef(d) => {
                    let func = self.make_function(d, f)?;
                    methods.insert(d.name.id.to_string(), Value::Func(Rc::new(func)));
                }
                Stmt::Pass(_) => {}
                Stmt::Expr(e) if matches!(*e.value, Expr::StringLiteral(_)) => {}
                other => {
                    return Err(PyErr::unsupported(format!(
                        "class bodies with statements other than def ({})",
                        stmt_kind(other)
                    )))
                }
            }
        }
        Ok(ClassObj {
            name: c.name.id.to_string(),
            is_module,
            methods,
        })
    }

    /// Python truthiness, with PyTorch's error for multi-element tensors.
    pub fn truth(&self, v: &Value) -> PyResult<bool> {
        v.truthy().ok_or_else(|| {
            PyErr::runtime("Boolean value of Tensor with more than one value is ambiguous")
        })
    }

    /// Assigns `v` to a target: a name, `obj.attr`, `obj[i]` or a tuple/list of targets.
    pub fn assign(&mut self, target: &Expr, v: Value, f: &mut Frame) -> PyResult<()> {
        match target {
            Expr::Name(n) => {
                self.store(n.id.as_str(), v, f);
                Ok(())
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let items: Vec<Value> = builtins::iter_values(&v)?.collect();
                if items.len() != elts.len() {
                    return Err(if items.len() > elts.len() {
                        PyErr::value_error(format!(
                            "too many values to unpack (expected {})",
                            elts.len()
                        ))
                    } else {
                        PyErr::value_error(format!(
                            "not enough values to unpack (expected {}, got {})",
                            elts.len(),
                            items.len()
                        ))
                    });
                }
                for (t, x) in elts.iter().zip(items) {
                    self.assign(t, x, f)?;
                }
                Ok(())
            }
            Expr::Attribute(a) => {
                let obj = self.eval(&a.value, f)?;
                self.set_attr(&obj, a.attr.id.as_str(), v)
            }
            Expr::Subscript(s) => {
                let obj = self.eval(&s.value, f)?;
                let idx = self.eval(&s.slice, f)?;
                builtins::set_item(&obj, idx, v)
            }
            other => Err(PyErr::unsupported(format!(
                "assigning to {}",
                expr_kind(other)
            ))),
        }
    }

    fn set_attr(&mut self, obj: &Value, name: &str, v: Value) -> PyResult<()> {
        match obj {
            Value::Module(m) => nn_api::set_module_attr(m, name, v),
            other => Err(PyErr::attribute_error(format!(
                "'{}' object attribute '{name}' is read-only",
                other.type_name()
            ))),
        }
    }

    /// Looks a name up: locals, globals, builtins.
    pub fn lookup(&self, name: &str, f: &Frame) -> PyResult<Value> {
        if let Some(v) = f.locals.as_ref().and_then(|l| l.get(name)) {
            return Ok(v.clone());
        }
        if let Some(v) = self.globals.get(name) {
            return Ok(v.clone());
        }
        builtins::builtin(name)
            .ok_or_else(|| PyErr::new("NameError", format!("name '{name}' is not defined")))
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expr, f: &mut Frame) -> PyResult<Value> {
        match e {
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i.as_i64().map(Value::Int).ok_or_else(|| {
                    PyErr::new(
                        "OverflowError",
                        "integers beyond 64 bits are not supported in nnbook yet",
                    )
                }),
                ast::Number::Float(x) => Ok(Value::Float(*x)),
                ast::Number::Complex { .. } => Err(PyErr::unsupported("complex numbers")),
            },
            Expr::StringLiteral(s) => Ok(Value::str(s.value.to_str())),
            Expr::BooleanLiteral(b) => Ok(Value::Bool(b.value)),
            Expr::NoneLiteral(_) => Ok(Value::None),
            Expr::Name(n) => self.lookup(n.id.as_str(), f),
            Expr::Tuple(t) => {
                let v = self.eval_all(&t.elts, f)?;
                Ok(Value::tuple(v))
            }
            Expr::List(l) => {
                let v = self.eval_all(&l.elts, f)?;
                Ok(Value::list(v))
            }
            Expr::Dict(d) => {
                let mut items = Vec::new();
                for it in &d.items {
                    let k = match &it.key {
                        Some(k) => self.eval(k, f)?,
                        None => return Err(PyErr::unsupported("** in dict literals")),
                    };
                    let v = self.eval(&it.value, f)?;
                    items.push((k, v));
                }
                Ok(Value::Dict(Rc::new(std::cell::RefCell::new(items))))
            }
            Expr::BinOp(b) => {
                let l = self.eval(&b.left, f)?;
                let r = self.eval(&b.right, f)?;
                self.binop(b.op, l, r)
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(&u.operand, f)?;
                match u.op {
                    ast::UnaryOp::Not => Ok(Value::Bool(!self.truth(&v)?)),
                    ast::UnaryOp::USub => builtins::neg(v),
                    ast::UnaryOp::UAdd => Ok(v),
                    ast::UnaryOp::Invert => match v {
                        Value::Int(i) => Ok(Value::Int(!i)),
                        other => Err(PyErr::type_error(format!(
                            "bad operand type for unary ~: '{}'",
                            other.type_name()
                        ))),
                    },
                }
            }
            Expr::BoolOp(b) => {
                let mut last = Value::None;
                for (i, x) in b.values.iter().enumerate() {
                    last = self.eval(x, f)?;
                    let t = self.truth(&last)?;
                    let stop = match b.op {
                        ast::BoolOp::And => !t,
                        ast::BoolOp::Or => t,
                    };
                    if stop || i + 1 == b.values.len() {
                        break;
                    }
                }
                Ok(last)
            }
            Expr::Compare(c) => {
                let mut left = self.eval(&c.left, f)?;
                let mut result = Value::Bool(true);
                for (op, r) in c.ops.iter().zip(c.comparators.iter()) {
                    let right = self.eval(r, f)?;
                    result = builtins::compare(*op, &left, &right)?;
                    if !matches!(result, Value::Tensor(_)) && !self.truth(&result)? {
                        return Ok(result);
                    }
                    left = right;
                }
                Ok(result)
            }
            Expr::If(i) => {
                let t = self.eval(&i.test, f)?;
                if self.truth(&t)? {
                    self.eval(&i.body, f)
                } else {
                    self.eval(&i.orelse, f)
                }
            }
            Expr::Attribute(a) => {
                let v = self.eval(&a.value, f)?;
                self.get_attr(&v, a.attr.id.as_str())
            }
            Expr::Subscript(s) => {
                let v = self.eval(&s.value, f)?;
                let idx = self.eval(&s.slice, f)?;
                builtins::get_item(&v, &idx)
            }
            Expr::Slice(s) => {
                let mut part = |x: &Option<Box<Expr>>, this: &mut Self| -> PyResult<Option<i64>> {
                    match x {
                        None => Ok(None),
                        Some(e) => match this.eval(e, f)? {
                            Value::None => Ok(None),
                            v => to_int(&v, "slice indices").map(Some).map_err(|_| {
                                PyErr::type_error(
                                    "slice indices must be integers or None or have an __index__ method",
                                )
                            }),
                        },
                    }
                };
                let lo = part(&s.lower, self)?;
                let hi = part(&s.upper, self)?;
                let st = part(&s.step, self)?;
                Ok(Value::Slice(lo, hi, st))
            }
            Expr::Call(c) => {
                if let Expr::Name(n) = c.func.as_ref() {
                    if n.id.as_str() == "super" && c.arguments.args.is_empty() {
                        return match self.lookup("self", f) {
                            Ok(Value::Module(m)) => Ok(Value::Super(m)),
                            _ => Err(PyErr::runtime("super(): no arguments")),
                        };
                    }
                }
                let func = self.eval(&c.func, f)?;
                let mut args = Args::default();
                for a in c.arguments.args.iter() {
                    if let Expr::Starred(s) = a {
                        let v = self.eval(&s.value, f)?;
                        args.pos.extend(builtins::iter_values(&v)?);
                    } else {
                        args.pos.push(self.eval(a, f)?);
                    }
                }
                for k in c.arguments.keywords.iter() {
                    let v = self.eval(&k.value, f)?;
                    match &k.arg {
                        Some(name) => args.kw.push((name.id.to_string(), v)),
                        None => return Err(PyErr::unsupported("**kwargs in calls")),
                    }
                }
                self.call(func, args)
            }
            Expr::FString(fs) => builtins::eval_fstring(self, fs, f),
            Expr::ListComp(l) => {
                let mut out = Vec::new();
                self.comprehension(&l.elt, &l.generators, 0, f, &mut out)?;
                Ok(Value::list(out))
            }
            Expr::Generator(g) => {
                // Generators are evaluated eagerly (enough for sum(...), list(...), for).
                let mut out = Vec::new();
                self.comprehension(&g.elt, &g.generators, 0, f, &mut out)?;
                Ok(Value::list(out))
            }
            other => Err(unsupported_expr(other)),
        }
    }

    fn eval_all(&mut self, es: &[Expr], f: &mut Frame) -> PyResult<Vec<Value>> {
        let mut out = Vec::with_capacity(es.len());
        for e in es {
            if let Expr::Starred(s) = e {
                let v = self.eval(&s.value, f)?;
                out.extend(builtins::iter_values(&v)?);
            } else {
                out.push(self.eval(e, f)?);
            }
        }
        Ok(out)
    }

    fn comprehension(
        &mut self,
        elt: &Expr,
        gens: &[ast::Comprehension],
        i: usize,
        f: &mut Frame,
        out: &mut Vec<Value>,
    ) -> PyResult<()> {
        let Some(g) = gens.get(i) else {
            out.push(self.eval(elt, f)?);
            return Ok(());
        };
        if g.is_async {
            return Err(PyErr::unsupported("async comprehensions"));
        }
        let it = self.eval(&g.iter, f)?;
        let items = builtins::iter_values(&it)?;
        'items: for v in items {
            self.step()?;
            self.assign(&g.target, v, f)?;
            for cond in &g.ifs {
                let c = self.eval(cond, f)?;
                if !self.truth(&c)? {
                    continue 'items;
                }
            }
            self.comprehension(elt, gens, i + 1, f, out)?;
        }
        Ok(())
    }

    /// `a <op> b`.
    pub fn binop(&mut self, op: ast::Operator, a: Value, b: Value) -> PyResult<Value> {
        if matches!(a, Value::Tensor(_)) || matches!(b, Value::Tensor(_)) {
            return torch_api::tensor_binop(op, &a, &b, self.no_grad);
        }
        builtins::binop(op, a, b)
    }

    /// `obj.name`.
    pub fn get_attr(&mut self, obj: &Value, name: &str) -> PyResult<Value> {
        match obj {
            Value::Namespace(ns) => builtins::namespace_attr(ns, name),
            Value::Tensor(t) => torch_api::tensor_attr(t, name, obj),
            Value::Size(_) | Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Str(_) => {
                builtins::method_of(obj, name)
            }
            Value::Module(m) => nn_api::module_attr(m, name, obj),
            Value::Optim(_) => match name {
                "step" | "zero_grad" => Ok(Value::Method(Box::new(obj.clone()), name.into())),
                _ => Err(no_attr(obj, name)),
            },
            Value::Super(m) => match name {
                "__init__" => Ok(Value::Method(
                    Box::new(Value::Super(m.clone())),
                    name.into(),
                )),
                _ => Err(PyErr::unsupported(format!("super().{name}"))),
            },
            Value::Class(c) if name == "__name__" || name == "__qualname__" => {
                Ok(Value::str(c.name.as_str()))
            }
            Value::Class(c) => c
                .methods
                .get(name)
                .cloned()
                .ok_or_else(|| no_attr(obj, name)),
            Value::Func(fu) if name == "__name__" => Ok(Value::Str(fu.name.clone())),
            Value::Type(n) if name == "__name__" || name == "__qualname__" => {
                Ok(Value::Str(n.clone()))
            }
            Value::Dataset(d) => super::data_api::dataset_attr(d, name, obj),
            Value::Loader(l) => super::data_api::loader_attr(l, name, obj),
            _ => Err(no_attr(obj, name)),
        }
    }

    /// Calls a callable value.
    pub fn call(&mut self, func: Value, args: Args) -> PyResult<Value> {
        self.step()?;
        match func {
            Value::Native(ns, name) => match ns {
                "" => builtins::call_builtin(self, name, args),
                "torch" => torch_api::call_torch(self, name, args),
                "nn" | "F" | "optim" => nn_api::call_nn(self, ns, name, args),
                "datasets" | "transforms" | "data" => super::data_api::call(self, ns, name, args),
                "tvutils" => super::image_api::make_grid(&args),
                "plt" => super::image_api::call_plt(self, name, args),
                _ => Err(PyErr::unsupported(format!("{ns}.{name}"))),
            },
            Value::Method(recv, name) => self.call_method(*recv, &name, args),
            Value::Func(fu) => self.call_function(&fu, None, args),
            Value::BoundFunc(m, fu) => self.call_function(&fu, Some(Value::Module(m)), args),
            Value::Class(c) => nn_api::instantiate(self, c, args),
            Value::Module(m) => nn_api::call_module(self, &m, args),
            Value::Transform(t) => super::data_api::call_transform(&t, args),
            other => Err(PyErr::type_error(format!(
                "'{}' object is not callable",
                other.type_name()
            ))),
        }
    }

    fn call_method(&mut self, recv: Value, name: &str, args: Args) -> PyResult<Value> {
        match &recv {
            Value::Tensor(t) => torch_api::call_tensor_method(self, t, name, args),
            Value::Module(m) => nn_api::call_module_method(self, m, name, args),
            Value::Optim(o) => nn_api::call_optim_method(o, name, args),
            Value::Super(m) => {
                if name == "__init__" {
                    if let ModKind::User { initialized, .. } = &mut m.borrow_mut().kind {
                        *initialized = true;
                    }
                    Ok(Value::None)
                } else {
                    Err(PyErr::unsupported(format!("super().{name}")))
                }
            }
            _ => builtins::call_value_method(self, &recv, name, args),
        }
    }

    /// Calls a `def` function (with `self` bound for methods).
    pub fn call_function(
        &mut self,
        fu: &FuncObj,
        this: Option<Value>,
        args: Args,
    ) -> PyResult<Value> {
        if self.depth > 200 {
            return Err(PyErr::new(
                "RecursionError",
                "maximum recursion depth exceeded",
            ));
        }
        let p = &fu.def.parameters;
        let mut locals = HashMap::new();
        let mut pos = args.pos.into_iter();
        let names: Vec<&str> = p
            .args
            .iter()
            .map(|a| a.parameter.name.id.as_str())
            .collect();
        let mut given: Vec<Option<Value>> = vec![None; names.len()];
        let mut k = 0;
        if let Some(t) = this {
            if names.is_empty() {
                return Err(PyErr::type_error(format!(
                    "{}() takes 0 positional arguments but 1 was given",
                    fu.name
                )));
            }
            given[0] = Some(t);
            k = 1;
        }
        let offset = k;
        let extra: Vec<Value> = pos.by_ref().collect();
        if extra.len() + offset > names.len() {
            return Err(PyErr::type_error(format!(
                "{}() takes {} positional arguments but {} were given",
                fu.name,
                names.len(),
                extra.len() + offset
            )));
        }
        for v in extra {
            given[k] = Some(v);
            k += 1;
        }
        let kwonly: Vec<&str> = p
            .kwonlyargs
            .iter()
            .map(|a| a.parameter.name.id.as_str())
            .collect();
        let mut kw_given: Vec<Option<Value>> = vec![None; kwonly.len()];
        for (name, v) in args.kw {
            if let Some(i) = names.iter().position(|n| *n == name) {
                if given[i].is_some() {
                    return Err(PyErr::type_error(format!(
                        "{}() got multiple values for argument '{name}'",
                        fu.name
                    )));
                }
                given[i] = Some(v);
            } else if let Some(i) = kwonly.iter().position(|n| *n == name) {
                kw_given[i] = Some(v);
            } else {
                return Err(PyErr::type_error(format!(
                    "{}() got an unexpected keyword argument '{name}'",
                    fu.name
                )));
            }
        }
        for (i, n) in names.iter().enumerate() {
            let v = match given[i].take().or_else(|| fu.defaults[i].clone()) {
                Some(v) => v,
                None => {
                    return Err(PyErr::type_error(format!(
                        "{}() missing 1 required positional argument: '{n}'",
                        fu.name
                    )))
                }
            };
            locals.insert(n.to_string(), v);
        }
        for (i, n) in kwonly.iter().enumerate() {
            let v = match kw_given[i].take().or_else(|| fu.kwonly_defaults[i].clone()) {
                Some(v) => v,
                None => {
                    return Err(PyErr::type_error(format!(
                        "{}() missing 1 required keyword-only argument: '{n}'",
                        fu.name
                    )))
                }
            };
            locals.insert(n.to_string(), v);
        }
        let mut frame = Frame {
            locals: Some(locals),
        };
        self.depth += 1;
        self.code.push(CodeCtx {
            src: fu.src.clone(),
            cell: fu.cell,
            function: Some(fu.name.clone()),
        });
        let r = self.exec_block(&fu.def.body, &mut frame);
        self.code.pop();
        self.depth -= 1;
        match r? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Value::None),
        }
    }
}

impl Default for Interp {
    fn default() -> Self {
        Interp::new()
    }
}

/// `AttributeError: 'Tensor' object has no attribute 'foo'`.
pub fn no_attr(obj: &Value, name: &str) -> PyErr {
    match obj {
        Value::Namespace(ns) => {
            PyErr::attribute_error(format!("module '{ns}' has no attribute '{name}'"))
        }
        _ => PyErr::attribute_error(format!(
            "'{}' object has no attribute '{name}'",
            obj.type_name()
        )),
    }
}

fn stmt_kind(s: &Stmt) -> &'static str {
    match s {
        Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => "assignment",
        Stmt::ClassDef(_) => "nested class",
        _ => "statement",
    }
}

fn expr_kind(e: &Expr) -> &'static str {
    match e {
        Expr::Call(_) => "a function call",
        Expr::Starred(_) => "a starred target",
        Expr::BinOp(_) => "an expression",
        _ => "this target",
    }
}
