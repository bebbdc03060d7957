//! What the engine test and the latency benchmark share: the repository, the `.venv`
//! ONNX Runtime library, the shipped models and a directory of them under their ids.

#![allow(dead_code)]

use assay_inference::engine::{hex, model_id_from_file_name};
use std::path::{Path, PathBuf};

/// A shipped model, from `models/models.json`.
pub struct Shipped {
	pub name: String,
	pub id: [u8; 32],
	pub input_len: usize,
	pub file: PathBuf,
	pub sample_input: Vec<f32>,
}

/// The repository root. `cargo test` sets `CARGO_MANIFEST_DIR` when it runs a test, and
/// that is preferred to the path compiled in: checkouts at other paths share the target
/// directory, so this binary may have been built from another one.
pub fn repo() -> PathBuf {
	let crate_dir =
		std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
	Path::new(&crate_dir).join("../..")
}

/// The ONNX Runtime library of the `.venv` wheel (`make setup`).
pub fn library() -> PathBuf {
	let python = std::fs::read_dir(repo().join(".venv/lib"))
		.expect(".venv exists: run `make setup`")
		.filter_map(|e| e.ok().map(|e| e.path()))
		.find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("python")))
		.expect("a python directory in .venv/lib");
	python.join("site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1")
}

/// The shipped models, in `models.json` order.
pub fn shipped() -> Vec<Shipped> {
	let text =
		std::fs::read_to_string(repo().join("models/models.json")).expect("models/models.json");
	let list: Vec<serde_json::Value> = serde_json::from_str(&text).expect("a JSON list");
	list.iter()
		.map(|m| Shipped {
			name: m["name"].as_str().expect("name").to_string(),
			id: model_id_from_file_name(&format!(
				"{}.onnx",
				m["model_id"].as_str().expect("model_id")
			))
			.expect("an id"),
			input_len: m["input_len"].as_u64().expect("input_len") as usize,
			file: repo().join("models").join(m["file"].as_str().expect("file")),
			sample_input: m["sample_input"]
				.as_array()
				.expect("sample_input")
				.iter()
				.map(|v| v.as_f64().unwrap() as f32)
				.collect(),
		})
		.collect()
}

/// A fresh directory `<tmp>/<name>-<pid>` holding the shipped models as `<hex id>.onnx`.
pub fn models_dir(name: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
	std::fs::create_dir_all(&dir).expect("a temp dir");
	for model in shipped() {
		std::fs::copy(&model.file, dir.join(format!("{}.onnx", hex(&model.id)))).expect("copy");
	}
	dir
}
