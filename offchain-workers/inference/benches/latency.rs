//! Inference latency on the shipped models: a direct `ort` call on an f32 input, versus the
//! engine (fixed point in and out, the session mutex, the metrics), versus the `infer` host
//! function as the off-chain worker calls it (through the externalities extension, input
//! bytes in and a SCALE output back; natively, without the wasm boundary). Medians of many
//! runs, and their ratio to the direct call.
//!
//! `cargo bench -p assay-inference --features engine` (needs `make setup` for the ONNX
//! Runtime library). Set `ASSAY_BENCH_RUNS` to change the number of runs (default 5000).

use assay_inference::{
	engine::{new_session, run_f32, OrtEngine},
	InferenceEngine,
};
use std::time::Instant;

#[path = "../tests/support/mod.rs"]
mod support;

fn median(mut samples: Vec<f64>) -> f64 {
	samples.sort_by(|a, b| a.total_cmp(b));
	samples[samples.len() / 2]
}

fn main() {
	let runs: usize = std::env::var("ASSAY_BENCH_RUNS")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(5000);
	let models = support::shipped();
	let dir = support::models_dir("assay-latency");
	// One ONNX Runtime environment per process: the engine's; the direct sessions share it.
	let engine = std::sync::Arc::new(
		OrtEngine::load(&dir, &support::library(), None).expect("the engine loads"),
	);
	let mut externalities = polkadot_sdk::sp_io::TestExternalities::default();
	externalities.register_extension(assay_inference::InferenceExt(engine.clone()));

	println!(
		"{:<24} {:>10} {:>10} {:>10} {:>8} {:>8}",
		"model", "direct µs", "engine µs", "host fn µs", "engine×", "host fn×"
	);
	for m in &models {
		let name = &m.name;
		let input = &m.sample_input;
		let quantized: Vec<i32> =
			input.iter().map(|x| (f64::from(*x) * 65_536.0).round() as i32).collect();
		let id = m.id;
		let mut session =
			new_session(engine.environment(), &std::fs::read(&m.file).expect("model bytes"))
				.expect("a session");
		// Warm up both paths.
		for _ in 0..100 {
			run_f32(&mut session, input).expect("direct run");
			engine.infer(&id, 16, &quantized).expect("engine run");
		}
		let direct: Vec<f64> = (0..runs)
			.map(|_| {
				let t = Instant::now();
				run_f32(&mut session, input).expect("direct run");
				t.elapsed().as_secs_f64() * 1e6
			})
			.collect();
		let through_engine: Vec<f64> = (0..runs)
			.map(|_| {
				let t = Instant::now();
				engine.infer(&id, 16, &quantized).expect("engine run");
				t.elapsed().as_secs_f64() * 1e6
			})
			.collect();
		let bytes: Vec<u8> = quantized.iter().flat_map(|v| v.to_le_bytes()).collect();
		let through_host_function: Vec<f64> = externalities.execute_with(|| {
			(0..runs)
				.map(|_| {
					let t = Instant::now();
					assay_inference::inference::infer(id, 16, &bytes).expect("host function run");
					t.elapsed().as_secs_f64() * 1e6
				})
				.collect()
		});
		let (d, e, h) = (median(direct), median(through_engine), median(through_host_function));
		println!("{name:<24} {d:>10.2} {e:>10.2} {h:>10.2} {:>8.3} {:>8.3}", e / d, h / d);
	}
	let _ = std::fs::remove_dir_all(&dir);
}
