//! The notebook kernel exported to the worker (`www/worker/notebook.js`): one
//! [`crate::notebook::Notebook`] per lesson page, its cells run one at a time.
//!
//! A cell's result crosses as a small object; image pixels cross as one `Uint8Array` each.

use crate::notebook::{datasets_needed, CellOutput, Notebook};
use js_sys::{Array, Atomics, Int32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// A notebook kernel: the Python globals shared by the cells of one page.
#[wasm_bindgen]
pub struct NotebookKernel {
    nb: Notebook,
    /// Kept so that [`NotebookKernel::reset`] keeps the page's settings.
    step_budget: Option<u64>,
    flag: Option<Int32Array>,
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| {
            JsError::new(&format!(
                "RuntimeError: could not set '{key}' on a cell result"
            ))
        })
}

/// `{stdout, error: null | {kind, message, line, traceback: [{cell, line, function, code}]},
/// images: [{width, height, rgba, caption}], executionCount}`.
fn output_to_js(out: CellOutput) -> Result<JsValue, JsError> {
    let result = Object::new();
    set(&result, "stdout", &JsValue::from_str(&out.stdout))?;
    let error = match out.error {
        None => JsValue::NULL,
        Some(e) => {
            let o = Object::new();
            set(&o, "kind", &JsValue::from_str(&e.class))?;
            set(&o, "message", &JsValue::from_str(&e.message))?;
            let line = e
                .line
                .map_or(JsValue::NULL, |l| JsValue::from_f64(l as f64));
            set(&o, "line", &line)?;
            let frames = Array::new();
            for f in &e.traceback {
                let fo = Object::new();
                set(&fo, "cell", &JsValue::from_f64(f.cell as f64))?;
                set(&fo, "line", &JsValue::from_f64(f.line as f64))?;
                let function = f
                    .function
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str);
                set(&fo, "function", &function)?;
                set(&fo, "code", &JsValue::from_str(&f.code))?;
                frames.push(&fo);
            }
            set(&o, "traceback", &frames)?;
            o.into()
        }
    };
    set(&result, "error", &error)?;
    let images = Array::new();
    for img in out.images {
        let o = Object::new();
        set(&o, "width", &JsValue::from_f64(img.width as f64))?;
        set(&o, "height", &JsValue::from_f64(img.height as f64))?;
        set(&o, "rgba", &Uint8Array::from(img.rgba.as_slice()).into())?;
        set(&o, "caption", &JsValue::from_str(&img.caption))?;
        images.push(&o);
    }
    set(&result, "images", &images)?;
    set(
        &result,
        "executionCount",
        &JsValue::from_f64(out.execution_count as f64),
    )?;
    Ok(result.into())
}

/// The interrupt check: true once when the page has set `flag[0]`, which it then clears.
fn install_flag(nb: &mut Notebook, flag: Int32Array) {
    nb.set_interrupt(Box::new(move || {
        Atomics::exchange(&flag, 0, 0).is_ok_and(|old| old != 0)
    }));
}

impl NotebookKernel {
    fn apply_settings(&mut self) {
        if let Some(steps) = self.step_budget {
            self.nb.set_step_budget(steps);
        }
        if let Some(flag) = &self.flag {
            install_flag(&mut self.nb, flag.clone());
        }
    }
}

impl Default for NotebookKernel {
    fn default() -> Self {
        NotebookKernel::new()
    }
}

#[wasm_bindgen]
impl NotebookKernel {
    /// A fresh kernel: empty globals, PyTorch's default seed.
    #[wasm_bindgen(constructor)]
    pub fn new() -> NotebookKernel {
        NotebookKernel {
            nb: Notebook::new(),
            step_budget: None,
            flag: None,
        }
    }

    /// Runs one cell: `{stdout, error: null | {kind, message, line}, images: [{width,
    /// height, rgba: Uint8Array (width*height*4), caption}]}`. Python errors are in `error`,
    /// never thrown.
    #[wasm_bindgen(js_name = runCell)]
    pub fn run_cell(&mut self, code: &str) -> Result<JsValue, JsError> {
        output_to_js(self.nb.run_cell(code))
    }

    /// Forgets every global (as a kernel restart); keeps the step budget, the interrupt flag
    /// and nothing else (datasets must be registered again).
    pub fn reset(&mut self) {
        self.nb = Notebook::new();
        self.apply_settings();
    }

    /// Steps each later cell may take before it stops with the step-budget error.
    #[wasm_bindgen(js_name = setStepBudget)]
    pub fn set_step_budget(&mut self, steps: f64) {
        let steps = if steps.is_finite() && steps >= 1.0 {
            steps as u64
        } else {
            1
        };
        self.step_budget = Some(steps);
        self.nb.set_step_budget(steps);
    }

    /// `flag`: an `Int32Array` over a `SharedArrayBuffer`. The page sets `flag[0]` to non-zero
    /// (`Atomics.store`) to stop the running cell with `KeyboardInterrupt`; the kernel clears it.
    #[wasm_bindgen(js_name = setInterruptFlag)]
    pub fn set_interrupt_flag(&mut self, flag: Int32Array) {
        self.flag = Some(flag.clone());
        install_flag(&mut self.nb, flag);
    }

    /// Gives the kernel a dataset file (NNBD bytes of `www/data/<name>.nnbd`).
    ///
    /// # Errors
    /// `ValueError` for an unknown name or a malformed file.
    #[wasm_bindgen(js_name = registerDataset)]
    pub fn register_dataset(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsError> {
        self.nb
            .register_dataset(name, bytes.to_vec())
            .map_err(|e| JsError::new(&e.last_line()))
    }

    /// The dataset names `code` may need that are not registered yet.
    #[wasm_bindgen(js_name = datasetsNeeded)]
    pub fn datasets_needed(&self, code: &str) -> Vec<String> {
        datasets_needed(code)
            .into_iter()
            .filter(|n| !self.nb.has_dataset(n))
            .map(str::to_string)
            .collect()
    }
}
