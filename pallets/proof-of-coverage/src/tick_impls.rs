//! What happens between blocks: entropy draws, selection seeds, bounded witness
//! verification with random selection, and pruning of old beacons.

use crate::{
	checks::{self, Station},
	reward_units, selection, AwaitingSeed, AwaitingSeedBound, BeaconId, BeaconOf, BeaconPhase,
	Beacons, CellCounts, Config, Entropy, Event, LastHeard, LatestEntropy, NextBeaconId, Pallet,
	Params, ParamsOf, PruneCursor, QueuedOf, Region, RevealedThisBlock, Rosters, Units, Verdict,
	Verification, Verifications, VerifyQueue, WeightInfo, Witness, WitnessFeatures,
	WitnessRejection, Witnesses, ENTROPY_DOMAIN, FEATURE_HEX_RESOLUTION, SELECTION_DOMAIN,
};
use crate::{features, PeerHistories, PeerHistory};
use assay_primitives::{DeviceKind, DeviceRegistry, SeedSource};
use codec::Encode;
use h3o::CellIndex;
use polkadot_sdk::{
	frame_support::{pallet_prelude::*, BoundedVec},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::{
		traits::{Saturating, Zero},
		AccountId32, SaturatedConversion,
	},
};

/// What one verification step concluded about a witness.
struct Judgement {
	verdict: Verdict,
	/// Passed every check but, possibly, reciprocity.
	heard: bool,
	/// Passed every check: what it measured, and the witness's cell.
	passed: Option<(checks::Passed, CellIndex)>,
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_on_initialize(now: BlockNumberFor<T>) -> Weight {
		let mut weight = T::DbWeight::get().reads(1);
		let Some(params) = Params::<T>::get() else { return weight };
		if Self::entropy_due(now, &params) {
			weight.saturating_accrue(T::WeightInfo::draw_entropy());
		}
		weight.saturating_accrue(Self::verify_some(now, &params));
		weight.saturating_accrue(Self::process_density());
		weight.saturating_accrue(Self::prune(now, &params));
		weight
	}

	pub(crate) fn do_on_finalize(now: BlockNumberFor<T>) {
		let Some(params) = Params::<T>::get() else { return };
		if Self::entropy_due(now, &params) {
			Self::draw_entropy(now, &params);
		}
		Self::draw_selection_seeds();
	}

	/// Entropy is drawn in every block that is a multiple of `entropy_period`.
	fn entropy_due(now: BlockNumberFor<T>, params: &ParamsOf<T>) -> bool {
		!now.is_zero() && (now % params.entropy_period).is_zero()
	}

	/// `entropy[k] = derive_seed("assay/poc-entropy", R, k)` with `k = now / period`;
	/// drops the value that has certainly outlived its lifespan.
	pub(crate) fn draw_entropy(now: BlockNumberFor<T>, params: &ParamsOf<T>) {
		let index: u32 = (now / params.entropy_period).saturated_into();
		let Some(value) = T::Seeds::seed(ENTROPY_DOMAIN, &index.encode()) else {
			log::debug!(target: "runtime::proof-of-coverage", "no randomness in block {now:?}: entropy {index} skipped");
			return;
		};
		Entropy::<T>::insert(index, (value, now));
		LatestEntropy::<T>::put(index);
		let kept: u32 = (params.entropy_lifespan / params.entropy_period).saturated_into();
		if let Some(stale) = index.checked_sub(kept.saturating_add(1)) {
			Entropy::<T>::remove(stale);
		}
		Self::deposit_event(Event::EntropyDrawn { index });
	}

	/// Gives each beacon revealed in an earlier block its selection seed from this block's
	/// randomness and queues it for verification; without randomness they wait a block.
	/// Beacons revealed in this block wait for the next block's randomness: the author
	/// that included their reveals knew this block's.
	pub(crate) fn draw_selection_seeds() {
		let revealed_now = RevealedThisBlock::<T>::take() as usize;
		let mut due = AwaitingSeed::<T>::take().into_inner();
		let fresh = due.split_off(due.len().saturating_sub(revealed_now));
		let mut waiting = alloc::vec::Vec::with_capacity(due.len().saturating_add(fresh.len()));
		for beacon in due {
			match T::Seeds::seed(SELECTION_DOMAIN, &beacon.encode()) {
				Some(seed) => {
					Verifications::<T>::mutate(beacon, |state| {
						if let Some(state) = state {
							state.seed = Some(seed);
						}
					});
					// Room was checked at the reveal.
					if VerifyQueue::<T>::try_append(beacon).is_err() {
						log::error!(target: "runtime::proof-of-coverage", "verification queue full: beacon {beacon} dropped");
					}
				},
				None => waiting.push(beacon),
			}
		}
		waiting.extend(fresh);
		// As long as what was taken: nothing is cut.
		let waiting = BoundedVec::<BeaconId, AwaitingSeedBound<T>>::truncate_from(waiting);
		if !waiting.is_empty() {
			AwaitingSeed::<T>::put(waiting);
		}
	}

	/// A hotspot as the checks see it; `None` when it is not a registered, located
	/// hotspot any more.
	pub(crate) fn station(device: &T::AccountId, region: Region) -> Option<Station> {
		let location = T::Devices::location_of(device)?;
		let cell = CellIndex::try_from(location.cell).ok()?;
		let active = T::Devices::is_active(device)
			&& T::Devices::kind_of(device) == Some(DeviceKind::Hotspot);
		let id: AccountId32 = device.clone().into();
		Some(Station { id: id.into(), cell, gain_dbi_x10: location.gain_dbi_x10, region, active })
	}

	/// Whether `witness` beaconed, and was heard, within the reciprocity window.
	fn is_reciprocal(witness: &T::AccountId, now: BlockNumberFor<T>, params: &ParamsOf<T>) -> bool {
		LastHeard::<T>::get(witness)
			.is_some_and(|heard| now.saturating_sub(heard) <= params.reciprocity_window)
	}

	/// The checks of DESIGN §4.5, in order, for one witness report.
	fn judge(
		beacon: &BeaconOf<T>,
		payload: &[u8; 32],
		beaconer: Option<&Station>,
		witness: &T::AccountId,
		report: &Witness<BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
		params: &ParamsOf<T>,
	) -> Judgement {
		let denied = Judgement {
			verdict: Verdict::Invalid(WitnessRejection::DeniedDevice),
			heard: false,
			passed: None,
		};
		let (Some(beaconer), Some(station)) = (beaconer, Self::station(witness, report.region))
		else {
			return denied;
		};
		let facts = checks::BeaconFacts {
			payload: *payload,
			tx_power_dbm: beacon.tx_power_dbm,
			frequency_hz: beacon.frequency_hz,
		};
		let heard = checks::WitnessReport {
			commitment: report.commitment,
			rssi_dbm_x10: report.rssi_dbm_x10,
			frequency_hz: report.frequency_hz,
		};
		let context = checks::Context {
			edge_denied: T::Devices::is_edge_denied(&beacon.beaconer, witness),
			duplicate: false,
			reciprocal: Self::is_reciprocal(witness, now, params),
		};
		match checks::verify_witness(&facts, beaconer, &station, &heard, &context) {
			Ok(passed) => Judgement {
				verdict: Verdict::Valid,
				heard: true,
				passed: Some((passed, station.cell)),
			},
			Err(WitnessRejection::NotReciprocal) => Judgement {
				verdict: Verdict::Invalid(WitnessRejection::NotReciprocal),
				heard: true,
				passed: None,
			},
			Err(reason) => {
				Judgement { verdict: Verdict::Invalid(reason), heard: false, passed: None }
			},
		}
	}

	/// Stores the fraud features of a witness that passed every check, from its history
	/// before this report, then records the report in both hotspots' histories.
	fn record_features(
		beacon_id: BeaconId,
		beaconer: &T::AccountId,
		beaconer_owner: &T::AccountId,
		witness: &T::AccountId,
		report: &Witness<BlockNumberFor<T>>,
		passed: checks::Passed,
		cell: CellIndex,
	) {
		let hex_hotspots = cell
			.parent(FEATURE_HEX_RESOLUTION)
			.and_then(|hex| CellCounts::<T>::get(u64::from(hex)))
			.map_or(0, |counts| counts.unclipped);
		let tag = |account: &T::AccountId| {
			let id: AccountId32 = account.clone().into();
			features::peer_tag(id.as_ref())
		};
		let facts = features::WitnessFacts {
			rssi_dbm_x10: report.rssi_dbm_x10,
			snr_db_x10: report.snr_db_x10,
			limit_milli_dbm: passed.limit_milli_dbm,
			distance_m: passed.distance_m,
			same_owner: T::Devices::owner_of(witness).as_ref() == Some(beaconer_owner),
			hex_hotspots,
			beaconer: tag(beaconer),
		};
		let mut witness_history = PeerHistories::<T>::get(witness);
		let features = features::features(&facts, &witness_history);
		WitnessFeatures::<T>::insert(beacon_id, witness, features);
		let mut beaconer_history = PeerHistories::<T>::get(beaconer);
		PeerHistory::record(
			&mut witness_history,
			&mut beaconer_history,
			tag(witness),
			tag(beaconer),
			&features,
		);
		PeerHistories::<T>::insert(witness, witness_history);
		PeerHistories::<T>::insert(beaconer, beaconer_history);
	}

	/// Keeps the 14 lowest draws, lowest first.
	fn consider(
		state: &mut Verification<T::AccountId>,
		seed: &[u8; 32],
		beacon: BeaconId,
		witness: &T::AccountId,
	) {
		let id: AccountId32 = witness.clone().into();
		selection::enter(&mut state.best, seed, &beacon.encode(), id.as_ref(), witness.clone());
	}

	/// Judges one witness report, stores its verdict and, if valid, enters its draw.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn verify_one(
		beacon_id: BeaconId,
		beacon: &BeaconOf<T>,
		state: &mut Verification<T::AccountId>,
		seed: &[u8; 32],
		beaconer: Option<&Station>,
		witness: T::AccountId,
		mut report: Witness<BlockNumberFor<T>>,
		now: BlockNumberFor<T>,
		params: &ParamsOf<T>,
	) {
		let judgement =
			Self::judge(beacon, &state.payload, beaconer, &witness, &report, now, params);
		state.heard |= judgement.heard;
		if let Some((passed, cell)) = judgement.passed {
			state.valid.saturating_inc();
			Self::consider(state, seed, beacon_id, &witness);
			Self::record_features(
				beacon_id,
				&beacon.beaconer,
				&state.owner,
				&witness,
				&report,
				passed,
				cell,
			);
		}
		report.verdict = judgement.verdict;
		Witnesses::<T>::insert(beacon_id, &witness, report);
	}

	/// Verifies witnesses of the queued beacons, oldest beacon first, and finishes the
	/// beacons whose witnesses are all verified, within a weight budget of
	/// `MaxVerificationsPerBlock` witness verifications (finishing a beacon is charged its
	/// own, larger weight). The first step of a block always runs, so the queue moves on
	/// whatever the budget.
	fn verify_some(now: BlockNumberFor<T>, params: &ParamsOf<T>) -> Weight {
		let step = T::WeightInfo::verify_witness();
		let finish = T::WeightInfo::finish_beacon();
		let budget = step.saturating_mul(T::MaxVerificationsPerBlock::get().into());
		let mut used = Weight::zero();
		let fits = |used: Weight, next: Weight| {
			used.is_zero() || used.saturating_add(next).all_lte(budget)
		};
		let mut queue = VerifyQueue::<T>::get();
		let mut changed = false;
		while let Some(&beacon_id) = queue.first() {
			let (Some(mut state), Some(beacon)) =
				(Verifications::<T>::get(beacon_id), Beacons::<T>::get(beacon_id))
			else {
				used.saturating_accrue(T::DbWeight::get().reads(2));
				queue.remove(0);
				changed = true;
				continue;
			};
			let Some(seed) = state.seed else { break };
			let beaconer = Self::station(&beacon.beaconer, beacon.region);
			let mut witnesses = match &state.cursor {
				Some(cursor) => Witnesses::<T>::iter_prefix_from(beacon_id, cursor.to_vec()),
				None => Witnesses::<T>::iter_prefix(beacon_id),
			};
			let mut exhausted = false;
			while fits(used, step) {
				let Some((witness, report)) = witnesses.next() else {
					exhausted = true;
					break;
				};
				used.saturating_accrue(step);
				Self::verify_one(
					beacon_id,
					&beacon,
					&mut state,
					&seed,
					beaconer.as_ref(),
					witness,
					report,
					now,
					params,
				);
			}
			if !exhausted || !fits(used, finish) {
				// Out of budget: go on from here next block.
				state.cursor = BoundedVec::try_from(witnesses.last_raw_key().to_vec()).ok();
				Verifications::<T>::insert(beacon_id, state);
				break;
			}
			used.saturating_accrue(finish);
			Self::finish(beacon_id, beacon, state, now, params);
			queue.remove(0);
			changed = true;
		}
		if changed {
			VerifyQueue::<T>::put(queue);
		}
		used.saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}

	/// Rewards a verified beacon: HIP-15 units for the beaconer and the selected
	/// witnesses, each scaled by its hex density, accrued to their owners in this epoch.
	pub(crate) fn finish(
		beacon_id: BeaconId,
		mut beacon: BeaconOf<T>,
		state: Verification<T::AccountId>,
		now: BlockNumberFor<T>,
		params: &ParamsOf<T>,
	) {
		let selected = state.best.len() as u32;
		let epoch = Self::epoch_of(now, params);
		if selected > 0 {
			let units = reward_units::beaconer_units(selected);
			Self::accrue(&beacon.beaconer, epoch, units, true);
			let units = reward_units::witness_units(selected);
			for (_, witness) in state.best.iter() {
				Witnesses::<T>::mutate(beacon_id, witness, |report| {
					if let Some(report) = report {
						report.verdict = Verdict::Selected;
					}
				});
				Self::accrue(witness, epoch, units, false);
			}
		}
		if state.heard {
			LastHeard::<T>::insert(&beacon.beaconer, beacon.submitted_at);
		}
		beacon.phase = BeaconPhase::Verified { valid: state.valid, selected };
		Beacons::<T>::insert(beacon_id, beacon);
		Verifications::<T>::remove(beacon_id);
		QueuedOf::<T>::mutate_exists(&state.owner, |queued| {
			*queued = queued.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
		});
		Self::deposit_event(Event::BeaconVerified {
			beacon: beacon_id,
			valid: state.valid,
			selected,
			epoch,
		});
	}

	/// Deletes beacons older than `retention` with their witness reports, oldest first,
	/// at most `MaxPruneStepsPerBlock` reports per block.
	pub(crate) fn prune(now: BlockNumberFor<T>, params: &ParamsOf<T>) -> Weight {
		let mut weight = T::DbWeight::get().reads_writes(2, 1);
		let mut budget = T::MaxPruneStepsPerBlock::get();
		let next = NextBeaconId::<T>::get();
		let start = PruneCursor::<T>::get();
		let mut cursor = start;
		while budget > 0 && cursor < next {
			budget.saturating_dec();
			weight.saturating_accrue(T::DbWeight::get().reads(1));
			let Some(beacon) = Beacons::<T>::get(cursor) else {
				cursor.saturating_inc();
				continue;
			};
			let old_enough = now > beacon.submitted_at.saturating_add(params.retention)
				&& now > Self::reveal_window_end(&beacon, params);
			if beacon.phase == BeaconPhase::Verifying || !old_enough {
				break;
			}
			// A beacon's reports and their features (at most one per report), a step each
			// pair.
			let features = WitnessFeatures::<T>::clear_prefix(cursor, budget.max(1), None);
			let removed = Witnesses::<T>::clear_prefix(cursor, budget.max(1), None);
			let steps = features.unique.max(removed.unique);
			budget = budget.saturating_sub(steps);
			weight.saturating_accrue(T::WeightInfo::prune(steps));
			if features.maybe_cursor.is_some() || removed.maybe_cursor.is_some() {
				break;
			}
			Beacons::<T>::remove(cursor);
			Rosters::<T>::remove(cursor);
			cursor.saturating_inc();
		}
		if cursor != start {
			PruneCursor::<T>::put(cursor);
		}
		weight
	}

	/// The units of one role, accrued to the owner of `device`.
	fn accrue(
		device: &T::AccountId,
		epoch: crate::EpochIndex,
		units: polkadot_sdk::sp_arithmetic::FixedU128,
		beaconer: bool,
	) {
		let Some(owner) = T::Devices::owner_of(device) else { return };
		let scaled = crate::epoch_rewards::scaled(units, Self::hex_scale_of(device));
		let add = if beaconer {
			Units { beaconer: scaled, ..Default::default() }
		} else {
			Units { witness: scaled, ..Default::default() }
		};
		Self::add_units(&owner, epoch, add);
	}
}
