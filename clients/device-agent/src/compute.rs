//! Inference jobs: owners buy inference on the shipped models (`computeMarket.submitJob`,
//! n = k = 1 as the dev chain allows); the dev node's off-chain worker (Alice, with
//! `--inference-models` and `--onnxruntime-lib`) serves them. The agent follows each job to
//! `JobCompleted` or `JobFailed` and accounts the providers' `WorkerPaid`.

use std::sync::Arc;

use anyhow::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scale_decode::DecodeAsType;

use crate::chain::{v, Account, Call, Chain, ChainEvent};
use crate::devices::Owner;
use crate::ui::Ui;

/// Fixed point of the shipped models' inputs: `round(x · 2^16)`.
pub const INPUT_FRACTION_BITS: u32 = 16;

/// `input_len` little-endian i32 values `round(x · 2^16)`.
pub fn encode_input(values: &[f64]) -> Vec<u8> {
	values
		.iter()
		.flat_map(|x| ((x * (1u64 << INPUT_FRACTION_BITS) as f64).round() as i32).to_le_bytes())
		.collect()
}

#[derive(DecodeAsType, Clone)]
pub struct ModelInfo {
	pub name: Vec<u8>,
	pub input_len: u32,
}

/// What the compute simulation saw.
#[derive(Default, Debug)]
pub struct ComputeReport {
	pub submitted: Vec<(u64, Account, String, u128)>,
	pub completed: u32,
	pub failed: Vec<(u64, String)>,
	pub unfinished: u32,
	/// WorkerPaid of the fleet's jobs: (worker, amount).
	pub paid: Vec<(Account, u128)>,
}

pub struct Compute {
	pub chain: Arc<Chain>,
	pub ui: Ui,
	pub owners: Vec<Owner>,
	pub jobs: u32,
	pub fee: u128,
	pub seed: u64,
	/// Blocks to wait for a job's outcome.
	pub timeout_blocks: u64,
}

impl Compute {
	pub async fn run(&self, out: &mut ComputeReport) -> Result<()> {
		if self.jobs == 0 {
			return Ok(());
		}
		let chain = &self.chain;
		let models: Vec<([u8; 32], ModelInfo)> = chain.call("ComputeApi", "models", ()).await?;
		if models.is_empty() {
			self.ui.log("compute: no models registered; no jobs".to_string());
			return Ok(());
		}
		let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0xC0);
		let pb = self.ui.bar("compute", self.jobs as u64);
		let start = chain.head();
		for j in 0..self.jobs as usize {
			let owner = &self.owners[j % self.owners.len()];
			let (model_id, model) = &models[j % models.len()];
			let name = String::from_utf8_lossy(&model.name).to_string();
			let input: Vec<f64> = (0..model.input_len).map(|_| rng.gen_range(0.05..0.95)).collect();
			let call = Call::new(
				"ComputeMarket",
				"submit_job",
				vec![
					("model_id", v::bytes(model_id)),
					("input", v::bytes(&encode_input(&input))),
					("fee", v::u(self.fee)),
					("n", v::u(1u32)),
					("k", v::u(1u32)),
				],
			);
			match chain.sign_and_wait(&owner.pair, &call).await {
				Ok(included) => {
					for e in included.events {
						if let ChainEvent::JobSubmitted { job, owner: o } = e {
							pb.set_message(format!("job {job} ({name}) by {}", owner.name));
							out.submitted.push((job, o, name.clone(), self.fee));
						}
					}
				},
				Err(e) => {
					self.ui.log(format!("compute: job on {name} by {} refused: {e}", owner.name))
				},
			}
		}
		// Outcomes.
		let mut open: Vec<u64> = out.submitted.iter().map(|s| s.0).collect();
		let give_up = chain.head() + self.timeout_blocks;
		while !open.is_empty() && chain.head() < give_up {
			open.retain(|&id| {
				let outcome = chain.log.find(start, |e| match e {
					ChainEvent::JobCompleted { job } if *job == id => Some(None),
					ChainEvent::JobFailed { job, reason } if *job == id => {
						Some(Some(reason.clone()))
					},
					_ => None,
				});
				match outcome {
					Some((block, None)) => {
						out.completed += 1;
						pb.inc(1);
						self.ui.log(format!("compute: job {id} completed in #{block}"));
						false
					},
					Some((block, Some(reason))) => {
						pb.inc(1);
						self.ui.log(format!("compute: job {id} failed in #{block}: {reason}"));
						out.failed.push((id, reason));
						false
					},
					None => true,
				}
			});
			if !open.is_empty() {
				chain.next_block().await;
			}
		}
		out.unfinished = open.len() as u32;
		if !open.is_empty() {
			self.ui.log(format!(
                "compute: {} job(s) without an outcome after {} blocks (is the node serving inference?)",
                open.len(),
                self.timeout_blocks
            ));
		}
		let ours: Vec<u64> = out.submitted.iter().map(|s| s.0).collect();
		out.paid = chain
			.log
			.collect(start, u64::MAX, |e| match e {
				ChainEvent::WorkerPaid { job, worker, amount } if ours.contains(job) => {
					Some((*worker, *amount))
				},
				_ => None,
			})
			.into_iter()
			.map(|(_, p)| p)
			.collect();
		pb.finish_with_message(format!(
			"{} jobs: {} completed, {} failed",
			out.submitted.len(),
			out.completed,
			out.failed.len()
		));
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn inputs_are_q16_little_endian() {
		// 0.5 → 32768, 1.0 → 65536, −0.25 → −16384
		assert_eq!(encode_input(&[0.5, 1.0, -0.25]), [0, 128, 0, 0, 0, 0, 1, 0, 0, 192, 255, 255]);
	}
}
