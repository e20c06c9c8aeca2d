//! Exports for the layer editor and the graph view: shape traces of a JSON layer spec
//! ([`crate::nn::spec`]) and a model to inspect on one image ([`crate::lessons::inspect`]).
//! All computing is in those modules; this file converts types and errors.

use super::to_js;
use crate::data::Normalize;
use crate::lessons::inspect::Inspector;
use crate::lessons::tiles::{filter_tiles, map_tiles, Tiles};
use crate::nn::spec::{cifar10_spec, parse_spec, trace_spec};
use crate::nn::Module;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Most feature maps drawn for one layer.
const MAX_MAPS: usize = 64;
/// Most filter rows (output channels) and columns (input channels) drawn.
const MAX_FILTER_GRID: usize = 64;

fn ser<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// `{width, height, rows, cols, tile_h, tile_w, count, rgba: Uint8Array, shape}`.
fn tiles_value(t: Tiles, shape: &[usize]) -> Result<JsValue, JsError> {
    let v = ser(&t)?;
    let rgba = js_sys::Uint8Array::from(t.rgba.as_slice());
    let set = |k: &str, x: &JsValue| js_sys::Reflect::set(&v, &JsValue::from_str(k), x);
    set("rgba", &rgba).map_err(|_| JsError::new("could not build the tiles object"))?;
    set("shape", &ser(&shape)?).map_err(|_| JsError::new("could not build the tiles object"))?;
    Ok(v)
}

/// The shape trace of `layers_json` (a JSON array of layer specs) on `input` (e.g.
/// `[64, 3, 32, 32]`): `{input, rows: [{index, type_name, repr, input_shape, output_shape,
/// params, mult_adds}], reprs, error: {index, kind, message} | null, model_text, total_params,
/// total_mult_adds}`. Shapes are computed analytically (no activation is allocated).
///
/// # Errors
/// `ValueError` for a malformed spec (naming the layer), the size guard for the input.
#[wasm_bindgen(js_name = traceSpec)]
pub fn trace_spec_js(layers_json: &str, input: Vec<u32>) -> Result<JsValue, JsError> {
    let specs = parse_spec(layers_json).map_err(to_js)?;
    let input: Vec<usize> = input.into_iter().map(|d| d as usize).collect();
    ser(&trace_spec(&specs, &input).map_err(to_js)?)
}

/// The CIFAR-10 model of the lessons as a layer spec (JSON text); `relu`: a ReLU after each
/// conv.
#[wasm_bindgen(js_name = cifar10Spec)]
pub fn cifar10_spec_js(relu: bool) -> String {
    serde_json::to_string(&cifar10_spec(relu)).unwrap_or_default()
}

/// A model built from a layer spec, to run on one image and look inside (the graph view).
#[wasm_bindgen]
pub struct ModelInspector {
    inner: Inspector,
}

#[wasm_bindgen]
impl ModelInspector {
    /// `torch.manual_seed(seed)`, then the model of `layers_json`, in eval mode.
    ///
    /// # Errors
    /// A malformed spec or a layer that cannot be built.
    #[wasm_bindgen(constructor)]
    pub fn new(layers_json: &str, seed: u32) -> Result<ModelInspector, JsError> {
        let specs = parse_spec(layers_json).map_err(to_js)?;
        crate::rng::manual_seed(seed as u64);
        Ok(ModelInspector {
            inner: Inspector::new(specs).map_err(to_js)?,
        })
    }

    /// Loads a PyTorch state_dict (`.safetensors` bytes, strict); the model is untouched on
    /// error.
    #[wasm_bindgen(js_name = loadSafetensors)]
    pub fn load_safetensors(&mut self, bytes: &[u8], file: &str) -> Result<(), JsError> {
        crate::nn::safetensors::load_safetensors(&mut self.inner.net, bytes, file).map_err(to_js)
    }

    /// Normalise images with the CIFAR-10 mean and std before the first layer (as the
    /// trainer's `normalize` option).
    #[wasm_bindgen(js_name = setNormalize)]
    pub fn set_normalize(&mut self, on: bool) {
        self.inner.normalize = on.then(Normalize::cifar10);
    }

    /// The graph: the shape trace on `[1, C, H, W]` (see [`trace_spec_js`]).
    pub fn graph(&self, c: usize, h: usize, w: usize) -> Result<JsValue, JsError> {
        ser(&trace_spec(&self.inner.specs, &[1, c, h, w]).map_err(to_js)?)
    }

    /// Runs one image `[C, H, W]` (floats in `0..1`) through the model in eval mode, keeping
    /// each layer's output; returns the last layer's output (logits for a classifier).
    pub fn run(
        &mut self,
        image: &[f32],
        c: usize,
        h: usize,
        w: usize,
    ) -> Result<Vec<f32>, JsError> {
        self.inner.run(image, [c, h, w]).map_err(to_js)?;
        let last = self.inner.activations.last();
        Ok(last.map(|t| t.data().to_vec()).unwrap_or_default())
    }

    /// Layer `index`'s output for the last image as floats (batch of 1), shape
    /// [`ModelInspector::activation_shape`].
    pub fn activation(&self, index: usize) -> Result<Vec<f32>, JsError> {
        Ok(self.inner.activation(index).map_err(to_js)?.data().to_vec())
    }

    /// The shape of [`ModelInspector::activation`] (`[1, C, H, W]`, `[1, F]`).
    #[wasm_bindgen(js_name = activationShape)]
    pub fn activation_shape(&self, index: usize) -> Result<Vec<u32>, JsError> {
        let t = self.inner.activation(index).map_err(to_js)?;
        Ok(t.shape().iter().map(|&d| d as u32).collect())
    }

    /// Layer `index`'s feature maps for the last image as tiles (see
    /// [`crate::lessons::tiles`]): a `[1, C, H, W]` output gives up to 64 H×W maps, a `[1, F]`
    /// output one 1×F strip.
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&self, index: usize) -> Result<JsValue, JsError> {
        let t = self.inner.activation(index).map_err(to_js)?;
        let s = t.shape();
        let tiles = match s {
            [1, c, h, w] => map_tiles(t.data(), *c, *h, *w, MAX_MAPS),
            _ => map_tiles(t.data(), 1, 1, t.numel(), 1),
        };
        tiles_value(tiles, s)
    }

    /// The weight `[O, C, k, k]` of conv layer `index` as floats.
    #[wasm_bindgen(js_name = convWeight)]
    pub fn conv_weight(&self, index: usize) -> Result<Vec<f32>, JsError> {
        Ok(self
            .inner
            .conv_weight(index)
            .map_err(to_js)?
            .data()
            .to_vec())
    }

    /// Conv layer `index`'s filters as tiles: RGB for 3 input channels, else output × input
    /// channels in grey (up to 64 × 64).
    pub fn filters(&self, index: usize) -> Result<JsValue, JsError> {
        let w = self.inner.conv_weight(index).map_err(to_js)?;
        let s = w.shape();
        let shape = [s[0], s[1], s[2], s[3]];
        tiles_value(
            filter_tiles(w.data(), shape, MAX_FILTER_GRID, MAX_FILTER_GRID),
            s,
        )
    }

    /// The index of the largest value of the last layer's output for the last image (the
    /// predicted class of a classifier), or -1 before any run.
    pub fn predicted(&self) -> i32 {
        self.inner
            .activations
            .last()
            .map_or(-1, |t| crate::train::argmax(t.data()) as i32)
    }

    /// `print(model)`.
    #[wasm_bindgen(js_name = printModel)]
    pub fn print_model(&self) -> String {
        self.inner.net.to_string()
    }

    /// Number of learnable scalars.
    #[wasm_bindgen(js_name = numParameters)]
    pub fn num_parameters(&self) -> usize {
        self.inner.net.num_parameters()
    }
}
