//! Inference latency on the shipped models: a direct `ort` call on an f32 input (no time
//! limit), versus the engine (fixed point in and out, the session mutex, the metrics),
//! versus the `infer` host function as the off-chain worker calls it (through the
//! externalities extension, input bytes in and a SCALE output back; natively, without the
//! wasm boundary). Medians of many runs, the three paths taking turns run after run, and
//! their ratio to the direct call. Then the per-item cost of the host function on a batch
//! of 256 rows, and on the largest batch one call takes (4,096 rows), against one row per
//! call.
//!
//! `cargo bench -p assay-inference --features engine` (needs `make setup` for the ONNX
//! Runtime library). Set `ASSAY_BENCH_RUNS` to change the number of runs (default 5000).

use assay_inference::{
	engine::{new_session, OrtEngine},
	InferenceEngine,
};
use std::time::Instant;

#[path = "../tests/support/mod.rs"]
mod support;

/// ONNX Runtime as a program would call it directly: a `[1, N]` tensor, default run
/// options, no time limit, the first output copied out.
fn direct_run(session: &mut ort::session::Session, input: &[f32]) -> Vec<f32> {
	let tensor =
		ort::value::Tensor::from_array(([1usize, input.len()], input.to_vec())).expect("a tensor");
	let outputs = session.run(ort::inputs![tensor]).expect("direct run");
	outputs[0].try_extract_tensor::<f32>().expect("an f32 output").1.to_vec()
}

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
			direct_run(&mut session, input);
			engine.infer(&id, 16, &quantized).expect("engine run");
		}
		// The three paths take turns, run after run, so a change in the machine's speed
		// (other processes, frequency) weighs on all three alike.
		let bytes: Vec<u8> = quantized.iter().flat_map(|v| v.to_le_bytes()).collect();
		let (mut direct, mut through_engine, mut through_host_function) =
			(Vec::with_capacity(runs), Vec::with_capacity(runs), Vec::with_capacity(runs));
		externalities.execute_with(|| {
			for _ in 0..runs {
				let t = Instant::now();
				direct_run(&mut session, input);
				direct.push(t.elapsed().as_secs_f64() * 1e6);
				let t = Instant::now();
				engine.infer(&id, 16, &quantized).expect("engine run");
				through_engine.push(t.elapsed().as_secs_f64() * 1e6);
				let t = Instant::now();
				assay_inference::inference::infer(id, 16, &bytes).expect("host function run");
				through_host_function.push(t.elapsed().as_secs_f64() * 1e6);
			}
		});
		let (d, e, h) = (median(direct), median(through_engine), median(through_host_function));
		println!("{name:<24} {d:>10.2} {e:>10.2} {h:>10.2} {:>8.3} {:>8.3}", e / d, h / d);
	}

	// Batches: the host function on B rows in one call, per item, against B = 1: 256 rows,
	// and the most one call takes (`MAX_BATCH_ROWS`).
	let (batch, largest) = (256usize, assay_inference::engine::MAX_BATCH_ROWS);
	let batch_runs = (runs / 20).max(50);
	let largest_runs = (runs / 200).max(10);
	println!();
	println!(
		"{:<24} {:>12} {:>16} {:>17} {:>10}",
		"model", "B=1 µs/item", "B=256 µs/item", "B=4096 µs/item", "B=1/B=256"
	);
	for m in &models {
		let one: Vec<u8> = m
			.sample_input
			.iter()
			.flat_map(|x| ((f64::from(*x) * 65_536.0).round() as i32).to_le_bytes())
			.collect();
		let many: Vec<u8> = one.repeat(batch);
		let most: Vec<u8> = one.repeat(largest);
		let id = m.id;
		let per_item = |input: &[u8], rows: usize, n: usize| -> f64 {
			median(
				(0..n)
					.map(|_| {
						let t = Instant::now();
						assay_inference::inference::infer(id, 16, input)
							.expect("host function run");
						t.elapsed().as_secs_f64() * 1e6 / rows as f64
					})
					.collect(),
			)
		};
		let (single, batched, largest_batch) = externalities.execute_with(|| {
			for _ in 0..20 {
				assay_inference::inference::infer(id, 16, &many).expect("host function batch");
			}
			(
				per_item(&one, 1, runs),
				per_item(&many, batch, batch_runs),
				per_item(&most, largest, largest_runs),
			)
		});
		println!(
			"{:<24} {single:>12.3} {batched:>16.3} {largest_batch:>17.3} {:>10.1}",
			m.name,
			single / batched
		);
	}
	let _ = std::fs::remove_dir_all(&dir);
}
