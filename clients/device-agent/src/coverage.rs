//! Proof of coverage, played by the fleet: each round every honest hotspot beacons on the
//! newest entropy, the hotspots that hear it (radio model) report through a relay batch
//! (`submit_witnesses`), cheaters report what they cannot have heard, the beaconers reveal
//! after the witness window, and the chain's verdicts are collected. At the end the owners
//! claim the finished reward epochs. Bytes from `assay-wire` (`wire/src/coverage.rs`).

use assay_wire::coverage::{
	beacon_payload, beacon_payload_preimage, channel, reveal_payload, witness_commitment_preimage,
	witness_payload, Heard, Region,
};
use assay_wire::devices::{report as report_message, unique_report};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use scale_decode::DecodeAsType;
use sp_crypto_hashing::blake2_256;
use subxt::dynamic::Value;
use subxt::utils::AccountId32;

use crate::chain::{v, Account, Call, Chain, ChainEvent};
use crate::devices::{Device, Owner};
use crate::keystore::Role;
use crate::radio;
use crate::ui::Ui;

/// The fleet's regional plan.
pub const REGION: Region = Region::Eu868;
/// Transmit power of every beacon, dBm.
pub const TX_POWER_DBM: i16 = 27;
/// The pool sees a new best block a moment after its import.
const SETTLE: Duration = Duration::from_millis(800);

/// `blake2_256(entropy ‖ local_entropy)`: the beacon's radio payload.
pub fn radio_payload(entropy: &[u8; 32], local_entropy: &[u8; 32]) -> [u8; 32] {
	blake2_256(&beacon_payload_preimage(entropy, local_entropy))
}

/// `blake2_256(payload ‖ witness_id)`: a witness's commitment, bound to its own id.
pub fn witness_commitment(payload: &[u8; 32], witness: &Account) -> [u8; 32] {
	blake2_256(&witness_commitment_preimage(payload, witness))
}

/// One witness report as the chain takes it.
#[derive(Clone)]
pub struct WitnessReport {
	pub witness: Account,
	pub beacon: u64,
	pub commitment: [u8; 32],
	pub rssi_dbm_x10: i16,
	pub snr_db_x10: i16,
	pub frequency_hz: u64,
}

impl WitnessReport {
	fn signature(&self, chain: &Chain, device: &Device) -> [u8; 64] {
		let payload = witness_payload(&Heard {
			witness: &self.witness,
			beacon: self.beacon,
			commitment: &self.commitment,
			rssi_dbm_x10: self.rssi_dbm_x10,
			snr_db_x10: self.snr_db_x10,
			frequency_hz: self.frequency_hz,
			region: REGION,
		});
		device.sign(&unique_report(&chain.genesis, &payload))
	}

	fn fields(&self, chain: &Chain, device: &Device) -> Vec<(&'static str, Value)> {
		vec![
			("witness", v::account(&self.witness)),
			("beacon", v::u(self.beacon)),
			("commitment", v::bytes(&self.commitment)),
			("rssi_dbm_x10", v::i(self.rssi_dbm_x10)),
			("snr_db_x10", v::i(self.snr_db_x10)),
			("frequency_hz", v::u(self.frequency_hz)),
			("region", v::variant(REGION.name())),
			("signature", v::sr25519_signature(&self.signature(chain, device))),
		]
	}
}

/// `proofOfCoverage.submitWitness(..)` of one report.
fn witness_call(chain: &Chain, device: &Device, r: &WitnessReport) -> Call {
	Call::new("ProofOfCoverage", "submit_witness", r.fields(chain, device))
}

/// `proofOfCoverage.submitWitnesses(reports)`: a relay's batch.
fn witness_batch_call(chain: &Chain, reports: &[(Arc<Device>, WitnessReport)]) -> Call {
	let items = reports.iter().map(|(d, r)| {
		Value::named_composite(r.fields(chain, d).into_iter().map(|(k, v)| (k.to_string(), v)))
	});
	Call::new(
		"ProofOfCoverage",
		"submit_witnesses",
		vec![("reports", Value::unnamed_composite(items))],
	)
}

#[derive(DecodeAsType, Clone, Debug)]
pub struct PocParams {
	pub beacon_window: u32,
	pub witness_window: u32,
	pub reveal_window: u32,
	pub reward_epoch: u32,
}

#[derive(DecodeAsType, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rejection {
	DeniedDevice,
	DeniedEdge,
	SelfWitness,
	Duplicate,
	PayloadMismatch,
	FrequencyMismatch,
	DifferentRegion,
	TooClose,
	TooFar,
	RssiTooHigh,
	NotReciprocal,
}

#[derive(DecodeAsType, Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
	Pending,
	Valid,
	Selected,
	Invalid(Rejection),
}

impl Verdict {
	fn label(&self) -> String {
		match self {
			Verdict::Invalid(r) => format!("Invalid({r:?})"),
			other => format!("{other:?}"),
		}
	}
}

#[derive(DecodeAsType)]
struct WitnessRecord {
	verdict: Verdict,
}

#[derive(DecodeAsType)]
struct WitnessView {
	witness: AccountId32,
	report: WitnessRecord,
}

#[derive(DecodeAsType)]
struct BeaconView {
	witnesses: Vec<WitnessView>,
}

#[derive(DecodeAsType)]
struct PendingReward {
	epoch: u32,
	amount: u128,
	claimable: bool,
}

/// What the coverage simulation saw.
#[derive(Default, Debug)]
pub struct CoverageReport {
	pub rounds: u32,
	pub beacons: u32,
	pub verified: u32,
	pub expired: u32,
	pub reports_sent: u32,
	pub reports_refused: u32,
	pub valid: u32,
	pub selected: u32,
	/// Verdicts of honest hotspots' reports.
	pub honest: BTreeMap<String, u32>,
	/// Verdicts of cheaters' reports.
	pub cheaters: BTreeMap<String, u32>,
	/// Claims: (owner, epoch, amount) from RewardsClaimed events of the owners' claims.
	pub claims: Vec<(Account, u32, u128)>,
}

/// A beacon of this round.
struct Beacon {
	device: Arc<Device>,
	local_entropy: [u8; 32],
	payload: [u8; 32],
	frequency_hz: u64,
	id: Option<u64>,
	submitted_at: u64,
	revealed: bool,
	done: bool,
}

pub struct Coverage {
	pub chain: Arc<Chain>,
	pub ui: Ui,
	pub hotspots: Vec<Arc<Device>>,
	/// The account that signs (and would pay for) the relayed batches.
	pub relay: crate::devices::Owner,
	/// Relayed reports refused (the batch's transaction, or the report inside it).
	pub relay_refused: Arc<std::sync::atomic::AtomicU32>,
	pub rounds: u32,
	pub seed: u64,
}

impl Coverage {
	pub async fn params(chain: &Chain) -> Result<PocParams> {
		chain.storage_value("ProofOfCoverage", "Params").await
	}

	pub async fn run(&self, report: &mut CoverageReport) -> Result<()> {
		let chain = &self.chain;
		let params = Self::params(chain).await?;
		let w = params.beacon_window as u64;
		if w > 200 {
			self.ui.log(format!(
				"coverage: beacon window is {w} blocks (not the dev preset): one round per window"
			));
		}
		let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0xC0FE);
		let honest: Vec<Arc<Device>> =
			self.hotspots.iter().filter(|d| d.role() == Role::Hotspot).cloned().collect();
		let by_id: HashMap<Account, Arc<Device>> =
			self.hotspots.iter().map(|d| (d.id, d.clone())).collect();
		let pb = self.ui.bar("coverage", self.rounds as u64);
		let mut last_bucket: Option<u64> = None;
		for round in 1..=self.rounds {
			pb.set_message(format!("round {round}: waiting for a beacon window"));
			// A fresh beacon window with room for the whole round (and entropy drawn).
			loop {
				let next = chain.head() + 1;
				let fresh = last_bucket.is_none_or(|b| next / w > b);
				if fresh
					&& next % w + 4 <= w
					&& chain
						.call::<_, Option<(u32, [u8; 32])>>("CoverageApi", "latest_entropy", ())
						.await?
						.is_some()
				{
					break;
				}
				chain.next_block().await;
			}
			tokio::time::sleep(SETTLE).await;
			let (entropy_index, entropy) = chain
				.call::<_, Option<(u32, [u8; 32])>>("CoverageApi", "latest_entropy", ())
				.await?
				.ok_or_else(|| anyhow!("no entropy"))?;
			let start = chain.head() + 1;
			let mut beacons: Vec<Beacon> = Vec::new();
			for device in &honest {
				let local_entropy: [u8; 32] = rng.gen();
				let payload = radio_payload(&entropy, &local_entropy);
				let frequency_hz = channel(&payload, REGION);
				let commitment = blake2_256(&local_entropy);
				let sent = device
					.submit_report(chain, |nonce| {
						let message = beacon_payload(
							&device.id,
							entropy_index,
							&commitment,
							TX_POWER_DBM,
							frequency_hz,
							REGION,
						);
						let signature =
							device.sign(&report_message(&chain.genesis, nonce, &message));
						Call::new(
							"ProofOfCoverage",
							"submit_beacon",
							vec![
								("hotspot", v::account(&device.id)),
								("nonce", v::u(nonce)),
								("entropy_index", v::u(entropy_index)),
								("commitment", v::bytes(&commitment)),
								("tx_power_dbm", v::i(TX_POWER_DBM)),
								("frequency_hz", v::u(frequency_hz)),
								("region", v::variant(REGION.name())),
								("signature", v::sr25519_signature(&signature)),
							],
						)
					})
					.await;
				match sent {
					Ok(_) => beacons.push(Beacon {
						device: device.clone(),
						local_entropy,
						payload,
						frequency_hz,
						id: None,
						submitted_at: 0,
						revealed: false,
						done: false,
					}),
					Err(e) => self.ui.log(format!(
						"round {round}: beacon of {} refused: {e}",
						device.entry.name
					)),
				}
			}
			report.beacons += beacons.len() as u32;
			pb.set_message(format!(
				"round {round}: {} beacons on entropy #{entropy_index}",
				beacons.len()
			));

			let deadline = start + params.witness_window as u64 + params.reveal_window as u64 + 12;
			let mut bucket = None;
			while beacons.iter().any(|b| !b.done) && chain.head() <= deadline {
				// Beacons in blocks: the hotspots that heard them report at once.
				for b in beacons.iter_mut().filter(|b| b.id.is_none()) {
					let me = b.device.id;
					if let Some((block, id)) = chain.log.find(start, |e| match e {
						ChainEvent::BeaconSubmitted { beacon, beaconer } if *beaconer == me => {
							Some(*beacon)
						},
						_ => None,
					}) {
						b.id = Some(id);
						b.submitted_at = block;
						bucket = Some(block / w);
						self.send_witnesses(b, id, &mut rng, report).await;
					}
				}
				// Past the witness window: reveal.
				let head = chain.head();
				let mut settled = false;
				for b in beacons.iter_mut().filter(|b| b.id.is_some() && !b.revealed) {
					if head >= b.submitted_at + params.witness_window as u64 {
						if !settled {
							tokio::time::sleep(SETTLE).await;
							settled = true;
						}
						let id = b.id.unwrap();
						let device = b.device.clone();
						let local = b.local_entropy;
						let sent = device
							.submit_report(chain, |nonce| {
								let signature = device.sign(&report_message(
									&chain.genesis,
									nonce,
									&reveal_payload(&device.id, id, &local),
								));
								Call::new(
									"ProofOfCoverage",
									"reveal_beacon",
									vec![
										("hotspot", v::account(&device.id)),
										("nonce", v::u(nonce)),
										("beacon", v::u(id)),
										("local_entropy", v::bytes(&local)),
										("signature", v::sr25519_signature(&signature)),
									],
								)
							})
							.await;
						match sent {
							Ok(_) => b.revealed = true,
							Err(e) => {
								self.ui.log(format!(
									"round {round}: reveal of beacon {id} refused: {e}"
								));
								b.revealed = true;
								b.done = true;
								report.expired += 1;
							},
						}
					}
				}
				// Verified: collect the verdicts.
				for b in beacons.iter_mut().filter(|b| b.revealed && !b.done) {
					let id = b.id.unwrap();
					if let Some((_, (valid, selected))) =
						chain.log.find(b.submitted_at, |e| match e {
							ChainEvent::BeaconVerified { beacon, valid, selected, .. }
								if *beacon == id =>
							{
								Some((*valid, *selected))
							},
							_ => None,
						}) {
						b.done = true;
						report.verified += 1;
						report.valid += valid;
						report.selected += selected;
						if let Some(view) = chain
							.call::<_, Option<BeaconView>>("CoverageApi", "beacon", (id,))
							.await?
						{
							for wv in view.witnesses {
								let label = wv.report.verdict.label();
								let cheater = by_id
									.get(&wv.witness.0)
									.is_some_and(|d| d.role() != Role::Hotspot);
								*(if cheater {
									&mut report.cheaters
								} else {
									&mut report.honest
								})
								.entry(label)
								.or_default() += 1;
							}
						}
					}
				}
				if beacons.iter().any(|b| !b.done) {
					chain.next_block().await;
				}
			}
			let lost = beacons.iter().filter(|b| !b.done).count() as u32;
			report.expired += lost;
			last_bucket = bucket.or(Some((start - 1) / w));
			report.rounds = round;
			pb.inc(1);
			self.ui.log(format!(
                "coverage round {round}: {} beacons, {} verified; so far {} valid, {} selected witnesses{}",
                beacons.len(),
                beacons.len() as u32 - lost,
                report.valid,
                report.selected,
                if lost > 0 { format!(", {lost} not verified in time") } else { String::new() }
            ));
		}
		report.reports_refused += self.relay_refused.swap(0, std::sync::atomic::Ordering::SeqCst);
		pb.finish_with_message(format!(
			"{} rounds, {} valid witnesses, {} selected",
			report.rounds, report.valid, report.selected
		));
		Ok(())
	}

	/// The reports about beacon `id`: honest hotspots that hear it (one relay batch), then
	/// the cheaters (one transaction each).
	async fn send_witnesses(
		&self,
		b: &Beacon,
		id: u64,
		rng: &mut ChaCha8Rng,
		report: &mut CoverageReport,
	) {
		let chain = &self.chain;
		let beaconer = &b.device;
		let Some(beaconer_cell) = beaconer.cell else { return };
		let mut honest: Vec<(Arc<Device>, WitnessReport)> = Vec::new();
		for w in self
			.hotspots
			.iter()
			.filter(|w| w.role() == Role::Hotspot && w.id != beaconer.id)
		{
			let Some(cell) = w.cell else { continue };
			let d = radio::cell_distance_m(beaconer_cell, cell);
			let limit = radio::max_rssi_dbm(
				TX_POWER_DBM,
				beaconer.entry.gain_dbi_x10,
				w.entry.gain_dbi_x10,
				d,
				b.frequency_hz,
			);
			if let Some(rx) = radio::receive(limit, d, rng) {
				honest.push((
					w.clone(),
					WitnessReport {
						witness: w.id,
						beacon: id,
						commitment: witness_commitment(&b.payload, &w.id),
						rssi_dbm_x10: rx.rssi_x10(),
						snr_db_x10: rx.snr_x10(),
						frequency_hz: b.frequency_hz,
					},
				));
			}
		}
		// The relay signs each batch (its fee is waived when every report is recorded) and
		// waits for it in the background, so the next beacon's reports are not held up.
		for chunk in honest.chunks(64) {
			let call = witness_batch_call(chain, chunk);
			report.reports_sent += chunk.len() as u32;
			let n = chunk.len() as u32;
			let (chain, relay, ui) = (self.chain.clone(), self.relay.clone(), self.ui.clone());
			let refused = self.relay_refused.clone();
			tokio::spawn(async move {
				use std::sync::atomic::Ordering;
				match chain.sign_and_wait(&relay.pair, &call).await {
					Ok(included) => {
						for e in &included.events {
							if let ChainEvent::RelayedWitnessRefused { beacon, witness } = e {
								refused.fetch_add(1, Ordering::SeqCst);
								ui.log(format!(
									"beacon {beacon}: the relayed report of {} was refused (the relay paid)",
									crate::chain::short(witness)
								));
							}
						}
					},
					Err(e) => {
						refused.fetch_add(n, Ordering::SeqCst);
						ui.log(format!("beacon {id}: relay batch of {n} refused: {e}"));
					},
				}
			});
		}
		// Cheaters.
		for c in self.hotspots.iter().filter(|c| c.role() != Role::Hotspot) {
			let forged = match c.role() {
				// Claims to be 1–4 km away (its asserted cell is in another city): the
				// chain measures the asserted distance.
				Role::Spoofer => {
					let fake_d = rng.gen_range(1_000..4_000);
					let limit = radio::max_rssi_dbm(
						TX_POWER_DBM,
						beaconer.entry.gain_dbi_x10,
						c.entry.gain_dbi_x10,
						fake_d,
						b.frequency_hz,
					);
					let rx = radio::receive(limit, fake_d, rng)
						.unwrap_or(radio::Reception { rssi_dbm: limit - 20.0, snr_db: 0.0 });
					WitnessReport {
						witness: c.id,
						beacon: id,
						commitment: witness_commitment(&b.payload, &c.id),
						rssi_dbm_x10: rx.rssi_x10(),
						snr_db_x10: rx.snr_x10(),
						frequency_hz: b.frequency_hz,
					}
				},
				// Heard nothing: copies an honest witness's commitment and RSSI.
				_ => {
					let Some((_, victim)) = honest.get(rng.gen_range(0..honest.len().max(1)))
					else {
						continue;
					};
					WitnessReport {
						witness: c.id,
						rssi_dbm_x10: victim.rssi_dbm_x10 - 3,
						..victim.clone()
					}
				},
			};
			let xt = match chain.call_data(&witness_call(chain, c, &forged)) {
				Ok(data) => assay_wire::extrinsic::general_transaction(&data),
				Err(e) => {
					self.ui.log(format!("beacon {id}: {e}"));
					continue;
				},
			};
			report.reports_sent += 1;
			if let Err(e) = chain.submit_raw(&xt).await {
				report.reports_refused += 1;
				self.ui.log(format!(
					"beacon {id}: report of {} refused by the pool: {e}",
					c.entry.name
				));
			}
		}
	}

	/// Claims every finished epoch with rewards for `owners`, waiting for epochs still
	/// running (at most `max_wait_blocks`). Returns the claims from RewardsClaimed events.
	pub async fn claim_all(
		&self,
		owners: &[Owner],
		max_wait_blocks: u64,
		report: &mut CoverageReport,
	) -> Result<()> {
		let chain = &self.chain;
		let params = Self::params(chain).await?;
		let epoch_len = params.reward_epoch as u64;
		let give_up = chain.head() + max_wait_blocks;
		let pb = self.ui.spinner("coverage claims");
		loop {
			let mut waiting: Option<u32> = None;
			for owner in owners {
				let pending: Vec<PendingReward> =
					chain.call("CoverageApi", "pending_rewards", (AccountId32(owner.id),)).await?;
				for p in pending.iter().filter(|p| p.amount > 0) {
					if !p.claimable {
						waiting = Some(waiting.map_or(p.epoch, |e: u32| e.max(p.epoch)));
						continue;
					}
					let call = Call::new(
						"ProofOfCoverage",
						"claim_rewards",
						vec![("epoch", v::u(p.epoch))],
					);
					match chain.sign_and_wait(&owner.pair, &call).await {
						Ok(included) => {
							for e in included.events {
								if let ChainEvent::RewardsClaimed { owner: o, epoch, amount } = e {
									report.claims.push((o, epoch, amount));
									pb.set_message(format!(
										"{} claimed epoch {epoch}: {}",
										owner.name,
										crate::summary::asy(amount as i128)
									));
								}
							}
						},
						Err(e) => self
							.ui
							.log(format!("claim of epoch {} by {}: {e}", p.epoch, owner.name)),
					}
				}
			}
			let Some(epoch) = waiting else { break };
			let end = (epoch as u64 + 1) * epoch_len;
			if end > give_up {
				self.ui
                    .log(format!("coverage: epoch {epoch} ends at #{end}, after the claim deadline; left unclaimed"));
				break;
			}
			pb.set_message(format!("waiting for epoch {epoch} to end at #{end}"));
			chain.wait_block(end).await;
			tokio::time::sleep(SETTLE).await;
		}
		let total: u128 = report.claims.iter().map(|c| c.2).sum();
		pb.finish_with_message(format!(
			"{} claims, {} in all",
			report.claims.len(),
			crate::summary::asy(total as i128)
		));
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fill(b: u8) -> [u8; 32] {
		[b; 32]
	}

	#[test]
	fn hashes_and_channel_match_the_js_helpers() {
		let payload = radio_payload(&fill(3), &fill(4));
		assert_eq!(
			hex::encode(payload),
			"c72255e7b3f5bd4f2e652cf71eceb37d0b35074f2bb11c4a788ce2282d982b3a"
		);
		assert_eq!(channel(&payload, REGION), 868_500_000);
		assert_eq!(
			hex::encode(witness_commitment(&fill(3), &fill(1))),
			"c4fb323e37431f1563fef17c6be90f03077adce934df409ba7963f8b272de1e7"
		);
		assert_eq!(
			hex::encode(blake2_256(&fill(4))),
			"93975daacc7360e49e74d3e23b95cc2bb5a09a9587d33b8668be8f39eabcf3f2"
		);
	}
}
