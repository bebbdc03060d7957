//! The real engine: ONNX Runtime from the `.venv` wheel (`make setup`) on the shipped
//! models, compared with Python onnxruntime through `models/reference.py`.

#![cfg(feature = "engine")]

use assay_inference::{
	engine::{hex, OrtEngine},
	InferenceEngine, InferenceError,
};
use std::{
	path::{Path, PathBuf},
	process::Command,
	sync::OnceLock,
};

fn repo() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The ONNX Runtime library of the `.venv` wheel.
fn library() -> PathBuf {
	let lib = repo().join(".venv/lib");
	let python = std::fs::read_dir(&lib).expect(".venv exists: run `make setup`").find_map(|e| {
		let path = e.ok()?.path();
		path.file_name()?.to_str()?.starts_with("python").then_some(path)
	});
	python.expect("a python directory in .venv/lib").join("site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1")
}

/// (name, id, input length, file) of the shipped models.
fn shipped() -> Vec<(String, [u8; 32], usize, PathBuf)> {
	let text = std::fs::read_to_string(repo().join("models/models.json")).unwrap();
	let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
	list.iter()
		.map(|m| {
			let id = assay_inference::engine::model_id_from_file_name(&format!("{}.onnx", m["model_id"].as_str().unwrap()));
			(
				m["name"].as_str().unwrap().to_string(),
				id.unwrap(),
				m["input_len"].as_u64().unwrap() as usize,
				repo().join("models").join(m["file"].as_str().unwrap()),
			)
		})
		.collect()
}

/// A directory with the shipped models under their ids, plus a file whose name is not its
/// hash.
fn models_dir() -> PathBuf {
	let dir = std::env::temp_dir().join(format!("assay-inference-test-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	for (_, id, _, file) in shipped() {
		std::fs::copy(&file, dir.join(format!("{}.onnx", hex(&id)))).unwrap();
	}
	let (_, _, _, first) = &shipped()[0];
	std::fs::copy(first, dir.join(format!("{}.onnx", "ab".repeat(32)))).unwrap();
	dir
}

/// One engine per test process: ONNX Runtime allows one environment per process.
fn engine() -> &'static OrtEngine {
	static ENGINE: OnceLock<OrtEngine> = OnceLock::new();
	ENGINE.get_or_init(|| OrtEngine::load(&models_dir(), &library(), None).expect("the engine loads"))
}

fn reference(file: &Path, input: &[f32]) -> Vec<i32> {
	let inputs: Vec<String> = input.iter().map(|x| format!("{x}")).collect();
	let out = Command::new(repo().join(".venv/bin/python"))
		.arg(repo().join("models/reference.py"))
		.arg(file)
		.arg(inputs.join(","))
		.arg("16")
		.output()
		.expect("python runs");
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
	answer["quantized"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap() as i32).collect()
}

#[test]
fn every_shipped_model_matches_python_onnxruntime() {
	for (name, id, input_len, file) in shipped() {
		// An input on the 2^-16 grid, so Rust and Python see the same floats.
		let input_q: Vec<i32> = (0..input_len as i32).map(|i| (i * 7919 % 65_536) - 20_000).collect();
		let input_f: Vec<f32> = input_q.iter().map(|&q| q as f32 / 65_536.0).collect();
		let ours = engine().infer(&id, 16, &input_q).unwrap();
		assert_eq!(ours, reference(&file, &input_f), "{name}");
	}
}

#[test]
fn a_file_whose_hash_is_not_its_name_is_not_loaded() {
	let ids = engine().model_ids();
	assert_eq!(ids.len(), shipped().len());
	assert!(!ids.contains(&[0xab; 32]));
	assert_eq!(engine().infer(&[0xab; 32], 16, &[0; 8]), Err(InferenceError::UnknownModel));
}

#[test]
fn an_input_of_the_wrong_length_is_bad_input() {
	let (_, id, input_len, _) = &shipped()[0];
	assert_eq!(engine().infer(id, 16, &vec![0; input_len + 1]), Err(InferenceError::BadInput));
}

#[test]
fn a_library_that_is_not_onnxruntime_is_refused_with_a_message() {
	let not_a_library = repo().join("models/models.json");
	let error = assay_inference::engine::load_onnxruntime(&not_a_library).err().expect("refused");
	assert!(error.contains("cannot load ONNX Runtime"), "{error}");
}
