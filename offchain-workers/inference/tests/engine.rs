//! The real engine: ONNX Runtime from the `.venv` wheel (`make setup`) on the shipped
//! models, compared with Python onnxruntime through `models/reference.py`.

#![cfg(feature = "engine")]

use assay_inference::{engine::OrtEngine, InferenceEngine, InferenceError, ModelRefusal};
use std::{
	path::{Path, PathBuf},
	process::Command,
	sync::OnceLock,
};

mod support;

use support::{library, repo, shipped};

/// The shipped models under their ids, plus a file whose name is not its hash.
fn models_dir() -> PathBuf {
	let dir = support::models_dir("assay-inference-test");
	std::fs::copy(&shipped()[0].file, dir.join(format!("{}.onnx", "ab".repeat(32)))).unwrap();
	dir
}

/// One engine per test process: ONNX Runtime allows one environment per process.
fn engine() -> &'static OrtEngine {
	static ENGINE: OnceLock<OrtEngine> = OnceLock::new();
	ENGINE
		.get_or_init(|| OrtEngine::load(&models_dir(), &library(), None).expect("the engine loads"))
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
	answer["quantized"]
		.as_array()
		.unwrap()
		.iter()
		.map(|v| v.as_i64().unwrap() as i32)
		.collect()
}

#[test]
fn every_shipped_model_matches_python_onnxruntime() {
	for support::Shipped { name, id, input_len, file, .. } in shipped() {
		// An input on the 2^-16 grid, so Rust and Python see the same floats.
		let input_q: Vec<i32> =
			(0..input_len as i32).map(|i| (i * 7919 % 65_536) - 20_000).collect();
		let input_f: Vec<f32> = input_q.iter().map(|&q| q as f32 / 65_536.0).collect();
		let ours = engine().infer(&id, 16, &input_q).unwrap();
		assert_eq!(ours, reference(&file, &input_f), "{name}");
	}
}

/// DESIGN §11: one call carries a batch `[B, N]` and returns `[B, M]`; each row's output is
/// the one a single-row call gives, and Python onnxruntime's on the same batch.
#[test]
fn a_batch_is_served_in_one_call_row_for_row() {
	for support::Shipped { name, id, input_len, file, .. } in shipped() {
		let rows = 5;
		let input_q: Vec<i32> = (0..(rows * input_len) as i32)
			.map(|i| (i * 104_729 % 131_072) - 40_000)
			.collect();
		let input_f: Vec<f32> = input_q.iter().map(|&q| q as f32 / 65_536.0).collect();
		let batch = engine().infer(&id, 16, &input_q).unwrap();
		assert_eq!(batch, reference(&file, &input_f), "{name}");
		assert_eq!(batch.len() % rows, 0, "{name}");
		let width = batch.len() / rows;
		for (row, input) in input_q.chunks(input_len).enumerate() {
			let single = engine().infer(&id, 16, input).unwrap();
			assert_eq!(single, batch[row * width..(row + 1) * width], "{name} row {row}");
		}
	}
}

#[test]
fn a_batch_larger_than_the_engine_takes_is_bad_input() {
	use assay_inference::engine::MAX_BATCH_ROWS;
	let model = &shipped()[0];
	let most = vec![0; MAX_BATCH_ROWS * model.input_len];
	assert!(engine().infer(&model.id, 16, &most).is_ok());
	let too_many = vec![0; (MAX_BATCH_ROWS + 1) * model.input_len];
	assert_eq!(engine().infer(&model.id, 16, &too_many), Err(InferenceError::BadInput));
	assert_eq!(engine().infer(&model.id, 16, &[]), Err(InferenceError::BadInput));
}

#[test]
fn a_file_whose_hash_is_not_its_name_is_not_loaded() {
	let ids = engine().model_ids();
	assert!(shipped().iter().all(|m| ids.contains(&m.id)));
	assert!(!ids.contains(&[0xab; 32]));
	assert_eq!(engine().infer(&[0xab; 32], 16, &[0; 8]), Err(InferenceError::UnknownModel));
}

#[test]
fn an_input_of_the_wrong_length_is_bad_input() {
	let model = &shipped()[0];
	assert_eq!(
		engine().infer(&model.id, 16, &vec![0; model.input_len + 1]),
		Err(InferenceError::BadInput)
	);
}

#[test]
fn a_library_that_is_not_onnxruntime_is_refused_with_a_message() {
	let not_a_library = repo().join("models/models.json");
	let Err(error) = assay_inference::engine::load_onnxruntime(&not_a_library) else {
		panic!("a file that is not ONNX Runtime was loaded");
	};
	assert!(error.contains("cannot load ONNX Runtime"), "{error}");
}

/// Issue 15, item 15: an inference has a time limit. A run whose time is up is stopped by
/// ONNX Runtime's terminate flag and fails; within the limit the same run succeeds.
#[test]
fn an_inference_is_stopped_when_its_time_is_up() {
	use assay_inference::engine::{new_session, run_f32_within, INFERENCE_TIMEOUT};
	let model = &shipped()[0];
	let bytes = std::fs::read(&model.file).unwrap();
	let mut session = new_session(engine().environment(), &bytes).expect("a session");
	let input = vec![0.25f32; model.input_len];
	let stopped = run_f32_within(&mut session, &input, std::time::Duration::ZERO);
	let error = stopped.expect_err("a run with no time left is stopped");
	assert!(error.contains("terminate"), "{error}");
	assert!(run_f32_within(&mut session, &input, INFERENCE_TIMEOUT).is_ok());
}

/// The same model under another id: the shipped file with an unknown protobuf field (number
/// 99, varint `n`) appended, which ONNX Runtime skips.
fn variant(bytes: &[u8], n: u8) -> Vec<u8> {
	let mut bytes = bytes.to_vec();
	bytes.extend_from_slice(&[0x98, 0x06, n]);
	bytes
}

/// DESIGN §11: a model fetched while the node runs is checked and served at once, without a
/// restart; each kind of bad file is refused with its reason and nothing else changes.
#[test]
fn a_fetched_model_is_admitted_while_running_and_bad_files_are_refused() {
	use polkadot_sdk::sp_crypto_hashing::blake2_256;
	let model = &shipped()[1];
	let bytes = variant(&std::fs::read(&model.file).unwrap(), 1);
	let id = blake2_256(&bytes);
	assert_eq!(
		engine().infer(&id, 16, &vec![0; model.input_len]),
		Err(InferenceError::UnknownModel)
	);

	// Wrong hash: the bytes are not the id's.
	let wrong = engine().admit(&[0xcd; 32], &bytes, None).unwrap_err();
	assert_eq!(wrong.reason, ModelRefusal::WrongHash);
	// Not ONNX, under its own hash.
	let junk = b"not an onnx model".to_vec();
	let refused = engine().admit(&blake2_256(&junk), &junk, None).unwrap_err();
	assert_eq!(refused.reason, ModelRefusal::NotLoadable, "{}", refused.detail);
	// Registered with another input or output length.
	let shape = engine().admit(&id, &bytes, Some((model.input_len + 1, 1))).unwrap_err();
	assert_eq!(shape.reason, ModelRefusal::WrongShape, "{}", shape.detail);
	let shape = engine().admit(&id, &bytes, Some((model.input_len, 7))).unwrap_err();
	assert_eq!(shape.reason, ModelRefusal::WrongShape, "{}", shape.detail);
	engine().refuse(&id, shape.reason);
	assert!(engine().models().refused.contains(&(id, ModelRefusal::WrongShape)));
	assert!(!engine().serves(&id));

	// The right shape: served at once, with the shipped model's outputs.
	let input: Vec<i32> = (0..model.input_len as i32).map(|i| i * 6_553).collect();
	engine().admit(&id, &bytes, Some((model.input_len, 1))).expect("admitted");
	assert!(engine().serves(&id));
	assert!(engine().models().served.contains(&id));
	assert!(!engine().models().refused.iter().any(|(r, _)| r == &id));
	assert_eq!(engine().infer(&id, 16, &input), engine().infer(&model.id, 16, &input));
	engine().unload(&id, ModelRefusal::WrongShape);
	assert_eq!(engine().infer(&id, 16, &input), Err(InferenceError::UnknownModel));
}
