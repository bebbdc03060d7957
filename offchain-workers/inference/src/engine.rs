//! The node's inference engine: ONNX Runtime through `ort`, with the shared library loaded
//! at run time (`--onnxruntime-lib`, or `ORT_DYLIB_PATH`), models from a directory of
//! `<hex model_id>.onnx` files whose hash is checked when loaded, one session per model
//! (one intra-op thread, a fixed graph optimization level) behind a mutex, and Prometheus
//! metrics.

use crate::{
	fixed_point::{dequantize, dequantize_le_bytes, quantize, quantize_encoded},
	EngineModels, InferenceEngine, InferenceError, ModelRefusal,
};
use ort::{
	environment::Environment,
	session::{builder::GraphOptimizationLevel, RunOptions, Session},
	value::Tensor,
};
use polkadot_sdk::{
	sp_crypto_hashing::blake2_256,
	substrate_prometheus_endpoint::{
		exponential_buckets, register, Counter, Histogram, HistogramOpts, Registry, U64,
	},
};
use std::{
	collections::{BTreeMap, HashMap},
	path::{Path, PathBuf},
	sync::{Arc, Mutex, OnceLock, RwLock},
	time::{Duration, Instant},
};

/// The ONNX Runtime release the node is built and tested against: the `onnxruntime` wheel
/// `make setup` installs.
pub const ONNXRUNTIME_VERSION: &str = "1.31.1";

/// The log target of the engine.
pub const LOG_TARGET: &str = "inference";

/// The longest one inference may run. Past it the run is stopped with ONNX Runtime's
/// terminate flag and the job is reported as a runtime error: a stuck or oversized model
/// cannot hold the off-chain worker past a block (6 s), let alone the commit window.
pub const INFERENCE_TIMEOUT: Duration = Duration::from_secs(2);

/// The graph optimization every node uses, so that all validators run the same graph.
pub const OPTIMIZATION_LEVEL: GraphOptimizationLevel = GraphOptimizationLevel::Level1;

/// Counters and latency of inferences, on the node's Prometheus endpoint.
#[derive(Clone)]
pub struct InferenceMetrics {
	/// Inferences that produced an output.
	pub runs: Counter<U64>,
	/// Inferences that failed (unknown model, bad input, runtime error, bad output).
	pub failures: Counter<U64>,
	/// Time of one inference, seconds.
	pub latency: Histogram,
}

impl InferenceMetrics {
	/// Registers the metrics `assay_inference_runs_total`, `assay_inference_failures_total`
	/// and `assay_inference_latency_seconds`.
	pub fn register(registry: &Registry) -> Result<Self, String> {
		let e = |e: polkadot_sdk::substrate_prometheus_endpoint::PrometheusError| e.to_string();
		Ok(Self {
			runs: register(
				Counter::new("assay_inference_runs_total", "Inferences run").map_err(e)?,
				registry,
			)
			.map_err(e)?,
			failures: register(
				Counter::new("assay_inference_failures_total", "Inferences that failed")
					.map_err(e)?,
				registry,
			)
			.map_err(e)?,
			latency: register(
				Histogram::with_opts(
					HistogramOpts::new(
						"assay_inference_latency_seconds",
						"Time of one inference in the engine",
					)
					.buckets(exponential_buckets(0.000_002, 2.0, 20).map_err(e)?),
				)
				.map_err(e)?,
				registry,
			)
			.map_err(e)?,
		})
	}
}

/// The most rows one `infer` call may carry: a bound on what one call can ask of the
/// engine (the compute market's 4 KiB inputs allow at most 1,024 single-value rows).
pub const MAX_BATCH_ROWS: usize = 4096;

/// A loaded model.
struct LoadedModel {
	session: Session,
	/// The shape of its input.
	shape: InputShape,
	/// Its run options, reused run after run (the terminate flag is cleared before each).
	options: Arc<RunOptions>,
}

/// What a model's first input takes: rows of `len` elements, one row (`[1, N]` or `[N]`)
/// or any number (`[B, N]` with a dynamic first dimension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputShape {
	/// Elements of one row, N.
	pub len: usize,
	/// Whether the first dimension is dynamic, so one run takes a batch of rows.
	pub batched: bool,
}

impl InputShape {
	/// The number of rows in `values` elements: `None` unless it is a whole, non-zero
	/// number of rows, at most [`MAX_BATCH_ROWS`], and one row for a model without a batch
	/// dimension.
	pub fn rows(&self, values: usize) -> Option<usize> {
		if self.len == 0 || values == 0 || !values.is_multiple_of(self.len) {
			return None;
		}
		let rows = values / self.len;
		(rows <= MAX_BATCH_ROWS && (rows == 1 || self.batched)).then_some(rows)
	}
}

/// ONNX Runtime behind the `infer` host function. Models come and go while it runs: the
/// model fetcher admits new ones (and records refusals) while off-chain workers infer.
pub struct OrtEngine {
	models: RwLock<HashMap<[u8; 32], Arc<Mutex<LoadedModel>>>>,
	refused: RwLock<BTreeMap<[u8; 32], ModelRefusal>>,
	metrics: Option<InferenceMetrics>,
	_environment: Environment,
}

/// A model the engine refused: why (reported on chain) and the details (for the log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
	/// The reason, as reported on chain.
	pub reason: ModelRefusal,
	/// What exactly was wrong, for the operator.
	pub detail: String,
}

impl Refused {
	/// A refusal for `reason` with `detail`.
	pub fn new(reason: ModelRefusal, detail: impl Into<String>) -> Self {
		Self { reason, detail: detail.into() }
	}
}

/// `Some(id)` when `name` is `<64 hex digits>.onnx`, with or without a `0x` prefix.
pub fn model_id_from_file_name(name: &str) -> Option<[u8; 32]> {
	let hex = name.strip_suffix(".onnx")?;
	let hex = hex.strip_prefix("0x").unwrap_or(hex);
	if hex.len() != 64 {
		return None;
	}
	let mut id = [0u8; 32];
	for (i, byte) in id.iter_mut().enumerate() {
		*byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
	}
	Some(id)
}

/// The version string (e.g. "1.31.1") of the ONNX Runtime library at `path`, from its
/// `OrtGetApiBase()->GetVersionString()`.
pub fn library_version(path: &Path) -> Result<String, String> {
	// SAFETY: loading ONNX Runtime runs no foreign initialization that could break Rust's
	// invariants; the symbol has the C signature the ONNX Runtime headers (ort-sys) declare,
	// and the string it returns is static and NUL-terminated.
	unsafe {
		let library = libloading::Library::new(path)
			.map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", path.display()))?;
		let get_api_base = library
			.get::<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase>(b"OrtGetApiBase")
			.map_err(|_| {
				format!(
					"cannot load ONNX Runtime from {}: it does not export OrtGetApiBase",
					path.display()
				)
			})?;
		let base = get_api_base();
		if base.is_null() {
			return Err(format!(
				"cannot load ONNX Runtime from {}: OrtGetApiBase returned nothing",
				path.display()
			));
		}
		let version = ((*base).GetVersionString)();
		Ok(std::ffi::CStr::from_ptr(version).to_string_lossy().into_owned())
	}
}

/// Loads the ONNX Runtime library at `path` after checking it is the pinned release.
pub fn load_onnxruntime(path: &Path) -> Result<Environment, String> {
	let version = library_version(path)?;
	if version != ONNXRUNTIME_VERSION {
		return Err(format!(
			"ONNX Runtime at {} is version {version}, not {ONNXRUNTIME_VERSION}; install it with `make setup`",
			path.display()
		));
	}
	ort::init_from(path)
		.map_err(|e| format!("cannot load ONNX Runtime from {}: {e}", path.display()))?
		.with_name("assay-inference")
		.with_telemetry(false)
		.build()
		.map_err(|e| format!("cannot start ONNX Runtime: {e}"))
}

/// A session for `bytes` with the fixed options: one intra-op thread, no parallel
/// execution, `OPTIMIZATION_LEVEL`.
pub fn new_session(environment: &Environment, bytes: &[u8]) -> Result<Session, String> {
	let e = |e: ort::Error<_>| e.to_string();
	Session::builder(environment)
		.map_err(|e| e.to_string())?
		.with_optimization_level(OPTIMIZATION_LEVEL)
		.map_err(e)?
		.with_intra_threads(1)
		.map_err(e)?
		.with_inter_threads(1)
		.map_err(e)?
		.with_parallel_execution(false)
		.map_err(e)?
		.commit_from_memory(bytes)
		.map_err(|e| e.to_string())
}

/// The shape of a model's first input: `[1, N]` or `[N]` (one row), or `[B, N]` with a
/// dynamic first dimension (a batch of rows); anything else is refused.
pub fn input_shape(session: &Session) -> Result<InputShape, String> {
	let input = session.inputs().first().ok_or("the model has no input")?;
	let shape = input.dtype().tensor_shape().ok_or("the model's input is not a tensor")?;
	match **shape {
		[n] | [1, n] if n > 0 => Ok(InputShape { len: n as usize, batched: false }),
		[b, n] if b < 0 && n > 0 => Ok(InputShape { len: n as usize, batched: true }),
		ref other => Err(format!("the model's input shape {other:?} is not [1, N] or [B, N]")),
	}
}

/// Runs `session` on one `[1, N]` f32 row and returns its first output, flattened; stopped
/// after [`INFERENCE_TIMEOUT`].
pub fn run_f32(session: &mut Session, input: &[f32]) -> Result<Vec<f32>, String> {
	run_f32_within(session, input, INFERENCE_TIMEOUT)
}

/// Runs `session` on one `[1, N]` f32 row, stopped after `timeout` (see
/// [`run_rows_within`]).
pub fn run_f32_within(
	session: &mut Session,
	input: &[f32],
	timeout: Duration,
) -> Result<Vec<f32>, String> {
	run_rows_within(session, input, 1, timeout)
}

/// Runs `session` on `rows` rows of f32 input given one after another (a `[rows, N]`
/// tensor) and returns its first output, flattened (`[rows, M]`), stopped after `timeout`:
/// a watchdog thread sets the run's terminate flag when the time is up (a zero timeout
/// stops it before it starts), and ONNX Runtime then ends the run with an error.
pub fn run_rows_within(
	session: &mut Session,
	input: &[f32],
	rows: usize,
	timeout: Duration,
) -> Result<Vec<f32>, String> {
	let options = Arc::new(RunOptions::new().map_err(|e| e.to_string())?);
	run_rows_with(session, &options, input.to_vec(), rows, timeout, |out| Ok(out.to_vec()))
}

/// [`run_rows_within`] with the caller's run options (their terminate flag is cleared
/// first, so a model's options serve run after run), the input moved into the tensor and
/// the output read in place by `read`.
fn run_rows_with<T>(
	session: &mut Session,
	options: &Arc<RunOptions>,
	input: Vec<f32>,
	rows: usize,
	timeout: Duration,
	read: impl FnOnce(&[f32]) -> Result<T, String>,
) -> Result<T, String> {
	if rows == 0 || !input.len().is_multiple_of(rows) {
		return Err(format!("{} values are not {rows} whole rows", input.len()));
	}
	let tensor =
		Tensor::from_array(([rows, input.len() / rows], input)).map_err(|e| e.to_string())?;
	if timeout.is_zero() {
		options.terminate().map_err(|e| e.to_string())?;
	} else {
		options.unterminate().map_err(|e| e.to_string())?;
	}
	let watched = Watchdog::shared().watch(Instant::now() + timeout, Arc::clone(options));
	let result = session
		.run_with_options(ort::inputs![tensor], options)
		.map_err(|e| format!("{e} (time limit {} ms)", timeout.as_millis()))
		.and_then(|outputs| {
			let (_, data) = outputs[0].try_extract_tensor::<f32>().map_err(|e| e.to_string())?;
			read(data)
		});
	Watchdog::shared().release(watched);
	result
}

/// How often the watchdog looks for runs past their deadline: a run is stopped at most
/// this long after its time is up.
pub const WATCHDOG_PERIOD: Duration = Duration::from_millis(50);

/// One thread for the whole process that stops runs past their deadline: a run registers
/// its deadline and run options before it starts and releases them when it ends (a lock
/// and a push, no wake-up); every [`WATCHDOG_PERIOD`] the thread sets the terminate flag of
/// each run whose time is up. A thread per run cost about 70 µs, many times the run.
struct Watchdog {
	state: Mutex<WatchedRuns>,
}

#[derive(Default)]
struct WatchedRuns {
	next: u64,
	runs: Vec<(u64, Instant, Arc<RunOptions>)>,
}

impl Watchdog {
	/// The process's watchdog, its thread started on first use.
	fn shared() -> &'static Watchdog {
		static WATCHDOG: OnceLock<&'static Watchdog> = OnceLock::new();
		WATCHDOG.get_or_init(|| {
			let watchdog: &'static Watchdog =
				Box::leak(Box::new(Watchdog { state: Mutex::new(WatchedRuns::default()) }));
			std::thread::Builder::new()
				.name("inference-watchdog".into())
				.spawn(move || watchdog.patrol())
				.map_err(|e| log::error!(target: LOG_TARGET, "no inference watchdog: {e}"))
				.ok();
			watchdog
		})
	}

	fn watch(&self, deadline: Instant, options: Arc<RunOptions>) -> u64 {
		let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		state.next = state.next.wrapping_add(1);
		let id = state.next;
		state.runs.push((id, deadline, options));
		id
	}

	fn release(&self, id: u64) {
		let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		state.runs.retain(|(run, _, _)| *run != id);
	}

	fn patrol(&self) {
		loop {
			std::thread::sleep(WATCHDOG_PERIOD);
			let now = Instant::now();
			let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
			state.runs.retain(|(_, deadline, options)| {
				let expired = *deadline <= now;
				if expired {
					let _ = options.terminate();
				}
				!expired
			});
		}
	}
}

impl OrtEngine {
	/// Loads ONNX Runtime from `library` and every `<hex model_id>.onnx` in `models_dir`.
	/// A file whose hash is not its name, or that ONNX Runtime refuses, is skipped with an
	/// error in the log; other files are ignored.
	pub fn load(
		models_dir: &Path,
		library: &Path,
		registry: Option<&Registry>,
	) -> Result<Self, String> {
		let environment = load_onnxruntime(library)?;
		let metrics = registry.map(InferenceMetrics::register).transpose()?;
		let mut files: Vec<PathBuf> = std::fs::read_dir(models_dir)
			.map_err(|e| format!("cannot read the model directory {}: {e}", models_dir.display()))?
			.filter_map(|entry| entry.ok().map(|e| e.path()))
			.collect();
		files.sort();
		let engine = Self {
			models: RwLock::new(HashMap::new()),
			refused: RwLock::new(BTreeMap::new()),
			metrics,
			_environment: environment,
		};
		for path in files {
			let Some(id) =
				path.file_name().and_then(|n| n.to_str()).and_then(model_id_from_file_name)
			else {
				continue;
			};
			let admitted = std::fs::read(&path)
				.map_err(|e| Refused::new(ModelRefusal::NoSource, format!("cannot read it: {e}")))
				.and_then(|bytes| engine.admit(&id, &bytes, None));
			if let Err(refused) = admitted {
				log::error!(target: LOG_TARGET, "model file {} refused: {}", path.display(), refused.detail);
			}
		}
		Ok(engine)
	}

	/// Checks `bytes` as the model `id` and loads it: its blake2-256 hash must be `id`,
	/// ONNX Runtime must load it, and, when `shape` is given (the registered input and
	/// output lengths), one row of zeros must go in and one output row of that length come
	/// out. A model already loaded under `id` is replaced. Loaded, it is served at once.
	pub fn admit(
		&self,
		id: &[u8; 32],
		bytes: &[u8],
		shape: Option<(usize, usize)>,
	) -> Result<InputShape, Refused> {
		let hash = blake2_256(bytes);
		if &hash != id {
			return Err(Refused::new(
				ModelRefusal::WrongHash,
				format!("its blake2-256 hash is 0x{}, not the model id", hex(&hash)),
			));
		}
		let mut session = new_session(&self._environment, bytes)
			.map_err(|e| Refused::new(ModelRefusal::NotLoadable, e))?;
		let input = input_shape(&session).map_err(|e| Refused::new(ModelRefusal::WrongShape, e))?;
		if let Some((input_len, output_len)) = shape {
			if input.len != input_len {
				return Err(Refused::new(
					ModelRefusal::WrongShape,
					format!("its input row has {} elements, registered {input_len}", input.len),
				));
			}
			let output = run_f32(&mut session, &vec![0.0; input_len])
				.map_err(|e| Refused::new(ModelRefusal::NotLoadable, e))?;
			if output.len() != output_len {
				return Err(Refused::new(
					ModelRefusal::WrongShape,
					format!(
						"its output row has {} elements, registered {output_len}",
						output.len()
					),
				));
			}
		}
		let options = Arc::new(
			RunOptions::new()
				.map_err(|e| Refused::new(ModelRefusal::NotLoadable, e.to_string()))?,
		);
		let model = LoadedModel { session, shape: input, options };
		write(&self.models).insert(*id, Arc::new(Mutex::new(model)));
		write(&self.refused).remove(id);
		log::info!(target: LOG_TARGET, "model 0x{} loaded (input length {}{})", hex(id), input.len, if input.batched { ", batched" } else { "" });
		Ok(input)
	}

	/// Records that the model `id` is refused (unless it is served).
	pub fn refuse(&self, id: &[u8; 32], reason: ModelRefusal) {
		if !read(&self.models).contains_key(id) {
			write(&self.refused).insert(*id, reason);
		}
	}

	/// Stops serving the model `id` and records why.
	pub fn unload(&self, id: &[u8; 32], reason: ModelRefusal) {
		write(&self.models).remove(id);
		write(&self.refused).insert(*id, reason);
	}

	/// Whether the model `id` is loaded.
	pub fn serves(&self, id: &[u8; 32]) -> bool {
		read(&self.models).contains_key(id)
	}

	/// The process's ONNX Runtime environment (for sessions made outside the engine, as
	/// the latency benchmark does).
	pub fn environment(&self) -> &Environment {
		&self._environment
	}

	/// The input shape of a loaded model.
	pub fn input_shape(&self, model_id: &[u8; 32]) -> Option<InputShape> {
		let model = read(&self.models).get(model_id)?.clone();
		let shape = model.lock().ok().map(|m| m.shape);
		shape
	}

	/// The ids of the loaded models.
	pub fn model_ids(&self) -> Vec<[u8; 32]> {
		let mut ids: Vec<_> = read(&self.models).keys().copied().collect();
		ids.sort();
		ids
	}

	/// Runs `model_id` on `values` (already dequantized: B rows of its input length) and
	/// hands its output, one row per input row, to `output`.
	fn run<T>(
		&self,
		model_id: &[u8; 32],
		values: Vec<f32>,
		output: impl FnOnce(&[f32]) -> Option<T>,
	) -> Result<T, InferenceError> {
		let model =
			read(&self.models).get(model_id).cloned().ok_or(InferenceError::UnknownModel)?;
		let mut model = model.lock().map_err(|_| InferenceError::RuntimeError)?;
		let rows = model.shape.rows(values.len()).ok_or(InferenceError::BadInput)?;
		let LoadedModel { session, options, .. } = &mut *model;
		run_rows_with(session, options, values, rows, INFERENCE_TIMEOUT, |out| {
			// One output row per input row: the shape a job's result is checked against.
			Ok((!out.is_empty() && out.len().is_multiple_of(rows))
				.then(|| output(out))
				.flatten())
		})
		.map_err(|e| {
			log::warn!(target: LOG_TARGET, "model 0x{} failed: {e}", hex(model_id));
			InferenceError::RuntimeError
		})?
		.ok_or(InferenceError::BadOutput)
	}

	/// [`Self::run`] counted in the metrics.
	fn measured<T>(
		&self,
		run: impl FnOnce() -> Result<T, InferenceError>,
	) -> Result<T, InferenceError> {
		let Some(metrics) = &self.metrics else { return run() };
		let started = Instant::now();
		let result = run();
		match result {
			Ok(_) => {
				metrics.runs.inc();
				metrics.latency.observe(started.elapsed().as_secs_f64());
			},
			Err(_) => metrics.failures.inc(),
		}
		result
	}
}

/// A read lock that survives a poisoned lock (a panicking reader leaves the map intact).
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
	lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A write lock that survives a poisoned lock.
fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
	lock.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl InferenceEngine for OrtEngine {
	fn models(&self) -> EngineModels {
		EngineModels {
			served: self.model_ids(),
			refused: read(&self.refused).iter().map(|(id, reason)| (*id, *reason)).collect(),
		}
	}

	fn infer(
		&self,
		model_id: &[u8; 32],
		fraction_bits: u8,
		input: &[i32],
	) -> Result<Vec<i32>, InferenceError> {
		self.measured(|| {
			let values = input.iter().map(|&q| dequantize(q, fraction_bits)).collect();
			self.run(model_id, values, |out| {
				out.iter().map(|&y| quantize(y, fraction_bits)).collect::<Option<Vec<i32>>>()
			})
		})
	}

	fn infer_encoded(
		&self,
		model_id: &[u8; 32],
		fraction_bits: u8,
		input: &[u8],
	) -> Result<Vec<u8>, InferenceError> {
		self.measured(|| {
			let values =
				dequantize_le_bytes(input, fraction_bits).ok_or(InferenceError::BadInput)?;
			self.run(model_id, values, |out| quantize_encoded(out, fraction_bits))
		})
	}
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rows_are_whole_bounded_and_single_without_a_batch_dimension() {
		let batched = InputShape { len: 3, batched: true };
		assert_eq!(batched.rows(3), Some(1));
		assert_eq!(batched.rows(12), Some(4));
		assert_eq!(batched.rows(0), None);
		assert_eq!(batched.rows(4), None);
		assert_eq!(batched.rows(3 * MAX_BATCH_ROWS), Some(MAX_BATCH_ROWS));
		assert_eq!(batched.rows(3 * (MAX_BATCH_ROWS + 1)), None);
		let single = InputShape { len: 3, batched: false };
		assert_eq!(single.rows(3), Some(1));
		assert_eq!(single.rows(6), None);
		assert_eq!(InputShape { len: 0, batched: true }.rows(0), None);
	}

	#[test]
	fn model_file_names_carry_the_id() {
		let hex64 = "c6215efa2dd06b283d43451e0d5cb16a98c64692d8726ee35a994672d9b18d4d";
		let id = model_id_from_file_name(&format!("{hex64}.onnx")).unwrap();
		assert_eq!(hex(&id), hex64);
		assert_eq!(model_id_from_file_name(&format!("0x{hex64}.onnx")), Some(id));
		assert_eq!(model_id_from_file_name(&format!("{hex64}.txt")), None);
		assert_eq!(model_id_from_file_name("air-quality-anomaly.onnx"), None);
		assert_eq!(model_id_from_file_name(&format!("{}.onnx", &hex64[1..])), None);
	}
}
