//! The notebook kernel's wasm boundary (`nnbook::wasm::NotebookKernel`): the shape of a cell's
//! result as the worker sees it, errors as `{kind, message, line}`, reset, step budget and
//! dataset bookkeeping.
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use nnbook::wasm::NotebookKernel;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect(key)
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

#[wasm_bindgen_test]
fn cells_share_globals_and_print_like_pytorch() {
    let mut k = NotebookKernel::new();
    let out = k
        .run_cell("import torch\nimgs = torch.ones(64, 3, 32, 32)")
        .unwrap();
    assert_eq!(text(&out, "stdout"), "");
    assert!(get(&out, "error").is_null());
    assert_eq!(js_sys::Array::from(&get(&out, "images")).length(), 0);
    let out = k
        .run_cell("print(torch.reshape(imgs, (1, 1, 1, -1)).shape)")
        .unwrap();
    assert_eq!(text(&out, "stdout"), "torch.Size([1, 1, 1, 196608])\n");
}

#[wasm_bindgen_test]
fn errors_cross_as_kind_message_line() {
    let mut k = NotebookKernel::new();
    let out = k
        .run_cell("import torch\nfrom torch import nn\nflat = torch.ones(64, 3072)\nnn.Linear(196608, 10)(flat)")
        .unwrap();
    let e = get(&out, "error");
    assert_eq!(text(&e, "kind"), "RuntimeError");
    assert!(
        text(&e, "message")
            .contains("mat1 and mat2 shapes cannot be multiplied (64x3072 and 196608x10)"),
        "{}",
        text(&e, "message")
    );
    assert_eq!(get(&e, "line").as_f64(), Some(4.0));
}

#[wasm_bindgen_test]
fn reset_forgets_globals_and_keeps_the_step_budget() {
    let mut k = NotebookKernel::new();
    k.set_step_budget(1000.0);
    k.run_cell("x = 1").unwrap();
    k.reset();
    let e = get(&k.run_cell("x").unwrap(), "error");
    assert_eq!(text(&e, "kind"), "NameError");
    let e = get(&k.run_cell("while True:\n    pass").unwrap(), "error");
    assert!(
        text(&e, "message").contains("after 1000 steps"),
        "{}",
        text(&e, "message")
    );
}

#[wasm_bindgen_test]
fn datasets_needed_lists_unregistered_files_and_bad_files_are_value_errors() {
    let mut k = NotebookKernel::new();
    assert_eq!(
        k.datasets_needed("torchvision.datasets.CIFAR10('data')"),
        vec!["cifar10-train".to_string(), "cifar10-test".to_string()]
    );
    assert!(k.datasets_needed("x = 1").is_empty());
    let err = k
        .register_dataset("mnist-train", b"not an nnbd file")
        .unwrap_err();
    let msg = JsValue::from(err)
        .dyn_into::<js_sys::Error>()
        .unwrap()
        .message();
    assert!(String::from(msg).starts_with("ValueError: "));
}
