//! Validator inference in the node: the `--inference-models` / `--onnxruntime-lib` flags,
//! the ONNX Runtime engine built from them, the model fetcher's limits, and the
//! off-chain-worker-only extension that hands the engine to the runtime's `infer` host
//! function.

use std::{path::PathBuf, sync::Arc, time::Duration};

use assay_inference::{engine::OrtEngine, InferenceEngine, InferenceExt};
use polkadot_sdk::{sp_externalities::Extension, substrate_prometheus_endpoint::Registry};

/// Where the node finds its models and ONNX Runtime.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InferenceParams {
	/// Serve compute-market jobs, with this directory as the model cache: files named
	/// `<hex model_id>.onnx` (their blake2-256 hash is checked when loaded). Models
	/// registered on chain with an http(s) URI are fetched into it while the node runs.
	#[arg(long, value_name = "DIR")]
	pub inference_models: Option<PathBuf>,

	/// The largest model file the fetcher downloads, in bytes (a model registered with a
	/// smaller size is capped at that size).
	#[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
	pub inference_max_model_bytes: u64,

	/// The longest one model download may take, in seconds.
	#[arg(long, value_name = "SECONDS", default_value_t = 60)]
	pub inference_fetch_timeout: u64,

	/// The ONNX Runtime shared library (libonnxruntime.so, release 1.31.1, as the
	/// `onnxruntime` wheel installs it). Defaults to $ORT_DYLIB_PATH.
	#[arg(long, value_name = "PATH")]
	pub onnxruntime_lib: Option<PathBuf>,
}

/// The engine the flags describe, or `None` (logged once) when the node is not to serve
/// inference. A library or directory that cannot be loaded is an error: the operator
/// asked for inference and would otherwise be slashed for not serving.
pub fn build_engine(
	params: &InferenceParams,
	registry: Option<&Registry>,
) -> Result<Option<Arc<OrtEngine>>, String> {
	let library = params
		.onnxruntime_lib
		.clone()
		.or_else(|| std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from));
	let (models, library) = match (&params.inference_models, library) {
		(Some(models), Some(library)) => (models, library),
		(None, _) => {
			log::info!(target: "inference", "No --inference-models: this node does not serve inference jobs");
			return Ok(None);
		},
		(Some(_), None) => {
			log::warn!(
				target: "inference",
				"--inference-models without --onnxruntime-lib or ORT_DYLIB_PATH: this node does not serve inference jobs"
			);
			return Ok(None);
		},
	};
	let engine = OrtEngine::load(models, &library, registry)?;
	log::info!(
		target: "inference",
		"Serving inference with ONNX Runtime {} from {}: {} model(s) from {}",
		assay_inference::engine::ONNXRUNTIME_VERSION,
		library.display(),
		engine.model_ids().len(),
		models.display()
	);
	Ok(Some(Arc::new(engine)))
}

/// What the model fetcher of a node serving inference is given.
pub fn fetcher_params(params: &InferenceParams) -> Option<crate::model_fetcher::FetcherParams> {
	Some(crate::model_fetcher::FetcherParams {
		cache: params.inference_models.clone()?,
		max_bytes: params.inference_max_model_bytes,
		timeout: Duration::from_secs(params.inference_fetch_timeout),
	})
}

/// The extensions of one off-chain worker run: the engine, when there is one.
pub fn offchain_extensions(engine: &Option<Arc<OrtEngine>>) -> Vec<Box<dyn Extension>> {
	engine
		.iter()
		.map(|e| {
			Box::new(InferenceExt(e.clone() as Arc<dyn InferenceEngine>)) as Box<dyn Extension>
		})
		.collect()
}
