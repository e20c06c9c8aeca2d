//! The fixture format of `docs/GOLDEN-SCHEMA.md` as serde types, with checks that turn a malformed
//! file or case into a clear message naming the file and the case.
//!
//! A file is read in two steps: [`parse_file`] checks the header and returns each case as raw
//! JSON, then [`parse_case`] turns one case into a [`Case`], so one malformed case does not hide
//! the others.

use crate::tensor::Tensor;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// The only `schema_version` this runner reads.
pub const SCHEMA_VERSION: u64 = 1;

/// The tolerance rule every file must declare (if it declares one).
pub const TOLERANCE_RULE: &str = "|actual - expected| <= atol + rtol * |expected|, elementwise";

/// A fixture file: its header and its cases, still as raw JSON.
#[derive(Clone, Debug)]
pub struct FixtureFile {
    /// `group`: free text.
    pub group: String,
    /// `cases`, in file order.
    pub cases: Vec<Value>,
}

/// `TENSOR = {"shape": [...], "dtype": "float32" | "int64", "data": [flat, row-major]}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TensorData {
    pub shape: Vec<usize>,
    pub dtype: String,
    pub data: Vec<JsonF64>,
}

/// One number of a tensor's `data`: a JSON number, or the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"` (JSON has no literal for them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JsonF64(pub f64);

impl<'de> Deserialize<'de> for JsonF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JsonF64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or \"NaN\" / \"Infinity\" / \"-Infinity\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<JsonF64, E> {
                Ok(JsonF64(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<JsonF64, E> {
                Ok(JsonF64(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<JsonF64, E> {
                Ok(JsonF64(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonF64, E> {
                match v {
                    "NaN" => Ok(JsonF64(f64::NAN)),
                    "Infinity" => Ok(JsonF64(f64::INFINITY)),
                    "-Infinity" => Ok(JsonF64(f64::NEG_INFINITY)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl TensorData {
    /// Checks `dtype`, that `data` holds `prod(shape)` values and that int64 data are integers,
    /// and rounds float32 data to float32 (a decimal read as f64 is not yet the float32 it
    /// stands for).
    pub fn validate(&mut self) -> Result<(), String> {
        let numel: usize = self.shape.iter().product();
        if numel != self.data.len() {
            return Err(format!(
                "shape {:?} needs {} values, data has {}",
                self.shape,
                numel,
                self.data.len()
            ));
        }
        match self.dtype.as_str() {
            "float32" => {
                for v in &mut self.data {
                    v.0 = v.0 as f32 as f64;
                }
                Ok(())
            }
            "int64" => match self.data.iter().position(|v| v.0.fract() != 0.0) {
                Some(i) => Err(format!(
                    "int64 data[{i}] = {} is not an integer",
                    self.data[i].0
                )),
                None => Ok(()),
            },
            other => Err(format!("unknown dtype '{other}' (float32 or int64)")),
        }
    }

    /// The values as f64 (exact for float32 and for integers below 2^53).
    pub fn values(&self) -> Vec<f64> {
        self.data.iter().map(|v| v.0).collect()
    }

    /// A float32 tensor as an nnbook [`Tensor`].
    pub fn to_tensor(&self) -> Result<Tensor, String> {
        if self.dtype != "float32" {
            return Err(format!("expected a float32 tensor, got {}", self.dtype));
        }
        let data = self.data.iter().map(|v| v.0 as f32).collect();
        Tensor::from_vec(&self.shape, data).map_err(|e| e.to_string())
    }

    /// An int64 tensor's values.
    pub fn to_i64(&self) -> Result<Vec<i64>, String> {
        if self.dtype != "int64" {
            return Err(format!("expected an int64 tensor, got {}", self.dtype));
        }
        Ok(self.data.iter().map(|v| v.0 as i64).collect())
    }
}

/// One tolerance: `|actual - expected| <= atol + rtol * |expected|`, with `exceptions`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tol {
    pub rtol: f64,
    pub atol: f64,
    #[serde(default)]
    pub exceptions: Option<Exceptions>,
}

/// Elements (flat row-major indices) compared with their own tolerance.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exceptions {
    pub flat_indices: Vec<usize>,
    pub rtol: f64,
    pub atol: f64,
}

/// A tolerance entry: one per tensor, or one per state_dict name (`state_dict_after`).
#[derive(Clone, Debug, PartialEq)]
pub enum TolEntry {
    One(Tol),
    PerName(BTreeMap<String, Tol>),
}

impl TolEntry {
    /// Reads `tol.SECTION.KEY`: a tolerance (it has `rtol`), or a map of them by name.
    fn from_json(path: &str, v: &Value) -> Result<TolEntry, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("{path} is not an object"))?;
        let one = |p: &str, v: &Value| Tol::deserialize(v).map_err(|e| format!("{p}: {e}"));
        if obj.contains_key("rtol") || obj.contains_key("atol") {
            return one(path, v).map(TolEntry::One);
        }
        obj.iter()
            .map(|(k, t)| Ok((k.clone(), one(&format!("{path}.{k}"), t)?)))
            .collect::<Result<_, String>>()
            .map(TolEntry::PerName)
    }
}

/// `tol`: tolerances of the outputs and of the gradients, by tensor name (raw JSON; read by
/// [`parse_case`]).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerances {
    #[serde(default)]
    pub outputs: BTreeMap<String, Value>,
    #[serde(default)]
    pub grads: BTreeMap<String, Value>,
}

/// One `expected_samples` entry of a reshape/flatten case: the element at `index` is `value`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub index: Vec<usize>,
    pub value: f64,
}

/// A `default_init` distribution (`weight` / `bias` fields of the case).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub distribution: String,
    pub low: f64,
    pub high: f64,
    pub expected_mean: f64,
    pub expected_std: f64,
}

/// One case. Op-specific `params` stay raw JSON; each op parses its own (see [`params`]).
#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    pub name: String,
    pub op: String,
    #[serde(default)]
    pub params: Map<String, Value>,
    #[serde(default)]
    pub inputs: BTreeMap<String, TensorData>,
    /// A tensor, or a map of tensors by name (`state_dict_after`); moved into
    /// [`Case::expected_outputs`] by [`parse_case`].
    #[serde(default)]
    pub outputs: BTreeMap<String, Value>,
    /// Moved into [`Case::expected_grads`] by [`parse_case`].
    #[serde(default)]
    pub grads: BTreeMap<String, TensorData>,
    #[serde(default)]
    pub tol: Tolerances,
    #[serde(default)]
    pub loss: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// `affine_grid+grid_sample`: skip the `theta` and `grid` gradients.
    #[serde(default)]
    pub kink_sensitive: bool,
    /// Whole-model cases: the `fixture` file beside this one.
    #[serde(default)]
    pub fixture: Option<String>,
    /// `fixture` cases: the model's weights by state_dict name.
    #[serde(default)]
    pub state_dict: Option<BTreeMap<String, TensorData>>,
    /// reshape / flatten results.
    #[serde(default)]
    pub error: Option<bool>,
    #[serde(default)]
    pub expected_shape: Option<Vec<usize>>,
    #[serde(default)]
    pub expected_samples: Option<Vec<Sample>>,
    #[serde(default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    /// `module_init`: PyTorch's `repr(module)` (the `print()` text).
    #[serde(default)]
    pub repr: Option<String>,
    /// `default_init` distributions.
    #[serde(default)]
    pub weight: Option<Distribution>,
    #[serde(default)]
    pub bias: Option<Distribution>,
    /// Filled by [`parse_case`]: every expected output with its tolerance.
    #[serde(skip)]
    pub expected_outputs: Vec<Expected>,
    /// Filled by [`parse_case`]: every expected gradient with its tolerance.
    #[serde(skip)]
    pub expected_grads: Vec<Expected>,
}

impl Case {
    /// Input tensor `name` (float32).
    pub fn input(&self, name: &str) -> Result<Tensor, String> {
        self.inputs
            .get(name)
            .ok_or_else(|| format!("missing input '{name}'"))?
            .to_tensor()
            .map_err(|e| format!("input '{name}': {e}"))
    }

    /// Input tensor `name` if present (float32).
    pub fn optional_input(&self, name: &str) -> Result<Option<Tensor>, String> {
        match self.inputs.contains_key(name) {
            true => self.input(name).map(Some),
            false => Ok(None),
        }
    }

    /// Input tensor `name` (int64).
    pub fn int_input(&self, name: &str) -> Result<Vec<i64>, String> {
        self.inputs
            .get(name)
            .ok_or_else(|| format!("missing input '{name}'"))?
            .to_i64()
            .map_err(|e| format!("input '{name}': {e}"))
    }

    /// `params` parsed into an op's typed parameters.
    pub fn params<P: serde::de::DeserializeOwned>(&self) -> Result<P, String> {
        serde_json::from_value(Value::Object(self.params.clone()))
            .map_err(|e| format!("bad params for op '{}': {e}", self.op))
    }
}

/// Reads a file's header: `schema_version` 1, the tolerance rule (if declared), `cases`.
///
/// # Errors
/// A message saying what is wrong with the file (invalid JSON, wrong version, no cases).
pub fn parse_file(text: &str) -> Result<FixtureFile, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = v.as_object().ok_or("the top level is not a JSON object")?;
    match obj.get("schema_version").and_then(Value::as_u64) {
        Some(SCHEMA_VERSION) => {}
        Some(other) => return Err(format!("schema_version {other} (this runner reads 1)")),
        None => return Err("missing or non-integer schema_version".into()),
    }
    if let Some(rule) = obj.get("tolerance_rule") {
        let rule = rule.as_str().ok_or("tolerance_rule is not a string")?;
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        if squash(rule) != squash(TOLERANCE_RULE) {
            return Err(format!(
                "tolerance_rule '{rule}' differs from the rule this runner applies ('{TOLERANCE_RULE}')"
            ));
        }
    }
    let group = obj
        .get("group")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let cases = obj
        .get("cases")
        .and_then(Value::as_array)
        .ok_or("missing 'cases' array")?
        .clone();
    Ok(FixtureFile { group, cases })
}

/// A label for a raw case in messages: its `name` if it has one, else `case #i`.
pub fn case_label(raw: &Value, index: usize) -> String {
    raw.get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("case #{index}"))
}

/// Parses one raw case, validates every tensor in it and pairs each expected output and
/// gradient with its tolerance (into [`Case::expected_outputs`] / [`Case::expected_grads`]).
///
/// # Errors
/// A message naming the field that is wrong, or the tensor that has no tolerance.
pub fn parse_case(raw: Value) -> Result<Case, String> {
    let mut case: Case = serde_json::from_value(raw).map_err(|e| format!("malformed case: {e}"))?;
    let check = |what: &str, name: &str, t: &mut TensorData| {
        t.validate()
            .map_err(|e| format!("malformed case: {what} '{name}': {e}"))
    };
    for (k, t) in &mut case.inputs {
        check("input", k, t)?;
    }
    for (k, t) in case.state_dict.iter_mut().flatten() {
        check("state_dict entry", k, t)?;
    }
    let tol_of = |section: &str, map: &BTreeMap<String, Value>, key: &str| {
        map.get(key)
            .map(|v| TolEntry::from_json(&format!("tol.{section}.{key}"), v))
            .transpose()
            .map_err(|e| format!("malformed case: {e}"))
    };
    let outputs = std::mem::take(&mut case.outputs);
    for (key, v) in outputs {
        let tol = tol_of("outputs", &case.tol.outputs, &key)?;
        case.expected_outputs
            .extend(expected_entries(&key, v, tol.as_ref(), "outputs")?);
    }
    let grads = std::mem::take(&mut case.grads);
    for (key, mut t) in grads {
        check("grad", &key, &mut t)?;
        let tol = match tol_of("grads", &case.tol.grads, &key)? {
            Some(TolEntry::One(t)) => t,
            _ => {
                return Err(format!(
                    "malformed case: no tolerance tol.grads.{key} for grad '{key}'"
                ))
            }
        };
        case.expected_grads.push(Expected {
            name: key,
            data: t,
            tol,
        });
    }
    Ok(case)
}

/// An expected tensor with its display name (`y`, `state_dict_after.0.weight`) and tolerance.
#[derive(Clone, Debug)]
pub struct Expected {
    pub name: String,
    pub data: TensorData,
    pub tol: Tol,
}

/// The expected tensors of output `key`: one tensor, or a map of tensors by name whose
/// tolerances are given per name.
fn expected_entries(
    key: &str,
    v: Value,
    tol: Option<&TolEntry>,
    section: &str,
) -> Result<Vec<Expected>, String> {
    let no_tol = |name: &str| {
        format!("malformed case: no tolerance tol.{section}.{name} for output '{name}'")
    };
    let parse = |name: &str, v: Value| -> Result<TensorData, String> {
        let mut data = TensorData::deserialize(v)
            .map_err(|e| format!("malformed case: output '{name}': {e}"))?;
        data.validate()
            .map_err(|e| format!("malformed case: output '{name}': {e}"))?;
        Ok(data)
    };
    let is_tensor = v.as_object().is_some_and(|o| o.contains_key("shape"));
    match v {
        Value::Object(_) if is_tensor => {
            let Some(TolEntry::One(tol)) = tol else {
                return Err(no_tol(key));
            };
            let data = parse(key, v)?;
            Ok(vec![Expected {
                name: key.to_string(),
                data,
                tol: tol.clone(),
            }])
        }
        Value::Object(map) => {
            let Some(TolEntry::PerName(tols)) = tol else {
                return Err(no_tol(key));
            };
            let mut out = Vec::new();
            for (k, t) in map {
                let name = format!("{key}.{k}");
                let tol = tols.get(&k).ok_or_else(|| no_tol(&name))?;
                out.push(Expected {
                    data: parse(&name, t)?,
                    name,
                    tol: tol.clone(),
                });
            }
            Ok(out)
        }
        _ => Err(format!(
            "malformed case: output '{key}' is not a tensor or a map of tensors"
        )),
    }
}
