//! Beacons, witness reports and reveals: each protocol check a small named function
//! returning the pallet's typed error. Device-signed calls are checked in their
//! `authorize` (in the transaction pool and again when a block includes them), so a
//! refused report never takes block space; the calls themselves only record. A relay's
//! batch is the exception: a signed, paying transaction whose reports are checked when it
//! is dispatched (`do_relay_witnesses`).

use crate::{
	checks, AwaitingSeed, AwaitingSeedBound, Beacon, BeaconId, BeaconOf, BeaconPhase, Beacons,
	Config, Entropy, EntropyIndex, Error, Event, LastBeaconBucket, NextBeaconId, Pallet, Params,
	ParamsOf, QueuedOf, Region, RevealedThisBlock, Rosters, Verdict, Verification, Verifications,
	VerifyQueue, Witness, WitnessBudget, Witnesses,
};
use assay_primitives::{
	derive_seed, keep_lowest, rank, would_keep, DeviceKind, DeviceRegistry, DeviceReports, Location,
};
use codec::Encode;
use h3o::CellIndex;
use polkadot_sdk::frame_support::dispatch::{DispatchResultWithPostInfo, Pays, PostDispatchInfo};
use polkadot_sdk::{
	frame_support::{ensure, pallet_prelude::*},
	frame_system::{self, pallet_prelude::BlockNumberFor},
	sp_crypto_hashing::blake2_256,
	sp_runtime::{
		traits::{Saturating, Zero},
		transaction_validity::TransactionValidityWithRefund,
		DispatchResult, MultiSignature,
	},
};

/// The lowest and highest transmit power accepted, dBm.
const TX_POWER_RANGE_DBM: core::ops::RangeInclusive<i16> = -10..=36;

/// A refused report: the pallet error as a pool rejection (`Custom(64 + index)`, the base
/// in `assay_wire::pool::base`).
pub(crate) fn invalid<T: Config>(error: Error<T>) -> TransactionValidityError {
	assay_primitives::pool_rejection(error.into(), assay_wire::pool::base::PROOF_OF_COVERAGE)
}

impl<T: Config> Pallet<T> {
	/// The parameters, or `NotConfigured`.
	pub(crate) fn params() -> Result<ParamsOf<T>, Error<T>> {
		Params::<T>::get().ok_or(Error::<T>::NotConfigured)
	}

	/// Every window and period at least one block.
	pub(crate) fn check_params(params: &ParamsOf<T>) -> Result<(), Error<T>> {
		let windows = [
			params.entropy_period,
			params.entropy_lifespan,
			params.beacon_window,
			params.witness_window,
			params.reveal_window,
			params.reciprocity_window,
			params.reward_epoch,
		];
		ensure!(windows.iter().all(|w| !w.is_zero()), Error::<T>::InvalidParams);
		Ok(())
	}

	/// Epochs are indexed by `reward_epoch`: once set, it stays.
	pub(crate) fn check_reward_epoch_unchanged(params: &ParamsOf<T>) -> Result<(), Error<T>> {
		if let Some(current) = crate::Params::<T>::get() {
			ensure!(current.reward_epoch == params.reward_epoch, Error::<T>::RewardEpochFixed);
		}
		Ok(())
	}

	/// The device must be a hotspot with an asserted location; returns the location.
	pub(crate) fn check_located_hotspot(
		device: &T::AccountId,
	) -> Result<Location<BlockNumberFor<T>>, Error<T>> {
		ensure!(T::Devices::kind_of(device) == Some(DeviceKind::Hotspot), Error::<T>::NotAHotspot);
		T::Devices::location_of(device).ok_or(Error::<T>::NotLocated)
	}

	/// The entropy value must exist and be at most `entropy_lifespan` blocks old.
	fn check_entropy_live(index: EntropyIndex, params: &ParamsOf<T>) -> Result<[u8; 32], Error<T>> {
		let (value, drawn_at) = Entropy::<T>::get(index).ok_or(Error::<T>::UnknownEntropy)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			now <= drawn_at.saturating_add(params.entropy_lifespan),
			Error::<T>::EntropyExpired
		);
		Ok(value)
	}

	/// The beacon-window bucket of `block`.
	fn bucket(block: BlockNumberFor<T>, params: &ParamsOf<T>) -> BlockNumberFor<T> {
		block / params.beacon_window
	}

	/// At most one beacon per hotspot per beacon window.
	fn check_one_beacon_per_window(
		hotspot: &T::AccountId,
		params: &ParamsOf<T>,
	) -> Result<(), Error<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			LastBeaconBucket::<T>::get(hotspot) != Some(Self::bucket(now, params)),
			Error::<T>::AlreadyBeaconed
		);
		Ok(())
	}

	/// The frequency must be a channel of the region's plan.
	fn check_is_channel(frequency_hz: u64, region: Region) -> Result<(), Error<T>> {
		ensure!(region.channels().contains(&frequency_hz), Error::<T>::NotAChannel);
		Ok(())
	}

	/// Transmit power within −10 … 36 dBm.
	fn check_tx_power(tx_power_dbm: i16) -> Result<(), Error<T>> {
		ensure!(TX_POWER_RANGE_DBM.contains(&tx_power_dbm), Error::<T>::InvalidTxPower);
		Ok(())
	}

	/// The beacon must exist.
	fn check_beacon_exists(beacon: BeaconId) -> Result<BeaconOf<T>, Error<T>> {
		Beacons::<T>::get(beacon).ok_or(Error::<T>::UnknownBeacon)
	}

	/// The last block of the beacon's reveal window.
	pub(crate) fn reveal_window_end(
		beacon: &BeaconOf<T>,
		params: &ParamsOf<T>,
	) -> BlockNumberFor<T> {
		beacon.witness_until.saturating_add(params.reveal_window)
	}

	/// Witnesses report only during the witness window.
	fn check_witness_window_open(beacon: &BeaconOf<T>) -> Result<(), Error<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= beacon.witness_until, Error::<T>::WitnessWindowClosed);
		Ok(())
	}

	/// One report per witness per beacon (`checks::Duplicate`, enforced on arrival).
	fn check_not_duplicate(beacon: BeaconId, witness: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(!Witnesses::<T>::contains_key(beacon, witness), Error::<T>::DuplicateWitness);
		Ok(())
	}

	/// The report's region must be the beacon's.
	fn check_same_region(beacon: &BeaconOf<T>, region: Region) -> Result<(), Error<T>> {
		ensure!(region == beacon.region, Error::<T>::WrongRegion);
		Ok(())
	}

	/// The report's frequency must be within 100 kHz of the beacon's.
	fn check_same_frequency(beacon: &BeaconOf<T>, frequency_hz: u64) -> Result<(), Error<T>> {
		checks::check_frequency(beacon.frequency_hz, frequency_hz)
			.map_err(|_| Error::<T>::WrongFrequency)
	}

	/// The witness must be within reach of the beaconer (100 km between their asserted
	/// cells); the verification checks the full geometry later.
	fn check_plausible_distance(
		beacon: &BeaconOf<T>,
		witness: &Location<BlockNumberFor<T>>,
	) -> Result<(), Error<T>> {
		let beaconer = T::Devices::location_of(&beacon.beaconer).ok_or(Error::<T>::NotLocated)?;
		let (Ok(a), Ok(b)) =
			(CellIndex::try_from(beaconer.cell), CellIndex::try_from(witness.cell))
		else {
			return Err(Error::<T>::NotLocated);
		};
		checks::check_max_distance(checks::distance_m(a, b)).map_err(|_| Error::<T>::TooFar)
	}

	/// The witness's reports in this beacon window so far: (window bucket, count), refused
	/// once `MaxWitnessReportsPerWindow` are spent.
	fn check_witness_budget(
		witness: &T::AccountId,
		params: &ParamsOf<T>,
	) -> Result<(BlockNumberFor<T>, u32), Error<T>> {
		let bucket = Self::bucket(frame_system::Pallet::<T>::block_number(), params);
		let used = match WitnessBudget::<T>::get(witness) {
			Some((b, used)) if b == bucket => used,
			_ => 0,
		};
		ensure!(used < T::MaxWitnessReportsPerWindow::get(), Error::<T>::WitnessBudgetSpent);
		Ok((bucket, used))
	}

	/// A witness's place in a beacon's roster: `rank(seed, witness)` with the seed from the
	/// beacon's chain entropy (drawn before the beacon, not chosen by anyone reporting).
	pub(crate) fn roster_rank(
		beacon_id: BeaconId,
		beacon: &BeaconOf<T>,
		witness: &T::AccountId,
	) -> [u8; 32] {
		let seed = derive_seed(assay_wire::tags::POC_ROSTER, &beacon.entropy, &beacon_id.encode());
		rank(&seed, &witness.encode())
	}

	/// There must be room in the beacon's roster, or the report must rank below the worst
	/// kept one.
	fn check_roster_place(beacon_id: BeaconId, rank: &[u8; 32]) -> Result<(), Error<T>> {
		ensure!(would_keep(&Rosters::<T>::get(beacon_id), rank), Error::<T>::RosterFull);
		Ok(())
	}

	/// The owner must have fewer than `MaxQueuedPerOwner` beacons waiting for verification;
	/// returns the owner.
	fn check_owner_queue(hotspot: &T::AccountId) -> Result<T::AccountId, Error<T>> {
		let owner = T::Devices::owner_of(hotspot).ok_or(Error::<T>::NotAHotspot)?;
		ensure!(
			QueuedOf::<T>::get(&owner) < T::MaxQueuedPerOwner::get(),
			Error::<T>::OwnerQueueFull
		);
		Ok(owner)
	}

	/// Only the beaconer reveals.
	fn check_is_beaconer(beacon: &BeaconOf<T>, hotspot: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(&beacon.beaconer == hotspot, Error::<T>::NotBeaconer);
		Ok(())
	}

	/// A beacon is revealed once.
	fn check_not_revealed(beacon: &BeaconOf<T>) -> Result<(), Error<T>> {
		ensure!(beacon.phase == BeaconPhase::Open, Error::<T>::AlreadyRevealed);
		Ok(())
	}

	/// The reveal comes after the witness window and within the reveal window.
	fn check_reveal_window(beacon: &BeaconOf<T>, params: &ParamsOf<T>) -> Result<(), Error<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now > beacon.witness_until, Error::<T>::RevealTooEarly);
		ensure!(now <= Self::reveal_window_end(beacon, params), Error::<T>::RevealWindowClosed);
		Ok(())
	}

	/// `blake2_256(local_entropy)` must be the beacon's commitment.
	fn check_commitment(beacon: &BeaconOf<T>, local_entropy: &[u8; 32]) -> Result<(), Error<T>> {
		ensure!(blake2_256(local_entropy) == beacon.commitment, Error::<T>::CommitmentMismatch);
		Ok(())
	}

	/// The payload's channel must be the frequency the beacon declared.
	fn check_channel(beacon: &BeaconOf<T>, payload: &[u8; 32]) -> Result<(), Error<T>> {
		ensure!(
			checks::channel(payload, beacon.region) == beacon.frequency_hz,
			Error::<T>::WrongChannel
		);
		Ok(())
	}

	/// Room for one more reveal in this block, among the beacons awaiting a seed and in the
	/// verification queue.
	fn check_room_for_reveal() -> Result<(), Error<T>> {
		ensure!(
			RevealedThisBlock::<T>::get() < T::MaxRevealsPerBlock::get(),
			Error::<T>::TooManyReveals
		);
		let awaiting = AwaitingSeed::<T>::decode_len().unwrap_or(0);
		ensure!(awaiting < AwaitingSeedBound::<T>::get() as usize, Error::<T>::TooManyReveals);
		let queued = VerifyQueue::<T>::decode_len().unwrap_or(0);
		ensure!(
			awaiting.saturating_add(queued) < T::MaxVerifyQueue::get() as usize,
			Error::<T>::VerifyQueueFull
		);
		Ok(())
	}

	#[allow(clippy::too_many_arguments)]
	pub(crate) fn authorize_beacon(
		hotspot: &T::AccountId,
		nonce: u64,
		entropy_index: EntropyIndex,
		commitment: &[u8; 32],
		tx_power_dbm: i16,
		frequency_hz: u64,
		region: Region,
		signature: &MultiSignature,
		source: TransactionSource,
	) -> TransactionValidityWithRefund {
		// The cheap checks first: a beacon that breaks a rule costs no signature check.
		let params = Self::params().map_err(invalid)?;
		Self::check_tx_power(tx_power_dbm).map_err(invalid)?;
		Self::check_is_channel(frequency_hz, region).map_err(invalid)?;
		Self::check_located_hotspot(hotspot).map_err(invalid)?;
		Self::check_entropy_live(entropy_index, &params).map_err(invalid)?;
		Self::check_one_beacon_per_window(hotspot, &params).map_err(invalid)?;
		let payload = assay_wire::coverage::beacon_payload(
			hotspot,
			entropy_index,
			commitment,
			tx_power_dbm,
			frequency_hz,
			region,
		);
		let valid = T::Reports::validate_report(hotspot, nonce, &payload, signature, source)?;
		Ok((valid, Weight::zero()))
	}

	pub(crate) fn do_submit_beacon(
		hotspot: T::AccountId,
		nonce: u64,
		entropy_index: EntropyIndex,
		commitment: [u8; 32],
		tx_power_dbm: i16,
		frequency_hz: u64,
		region: Region,
	) -> DispatchResult {
		T::Reports::consume_report(&hotspot, nonce)?;
		let params = Self::params()?;
		let (entropy, _) = Entropy::<T>::get(entropy_index).ok_or(Error::<T>::UnknownEntropy)?;
		let now = frame_system::Pallet::<T>::block_number();
		let id = NextBeaconId::<T>::get();
		NextBeaconId::<T>::put(id.saturating_add(1));
		LastBeaconBucket::<T>::insert(&hotspot, Self::bucket(now, &params));
		Beacons::<T>::insert(
			id,
			Beacon {
				beaconer: hotspot.clone(),
				entropy_index,
				entropy,
				commitment,
				tx_power_dbm,
				frequency_hz,
				region,
				submitted_at: now,
				witness_until: now.saturating_add(params.witness_window),
				payload: None,
				phase: BeaconPhase::Open,
			},
		);
		Self::deposit_event(Event::BeaconSubmitted {
			beacon: id,
			beaconer: hotspot,
			entropy_index,
			frequency_hz,
		});
		Ok(())
	}

	/// Every check of a witness report short of its signature; returns its pool validity
	/// (the report's tag, valid until the witness window closes).
	/// The cheap checks of a witness report, in the protocol's order: reads and hashes
	/// only, so a report that breaks a rule, or that the beacon has no place for, costs no
	/// signature check. The beacon's record when all pass.
	fn check_witness_rules(
		witness: &T::AccountId,
		beacon_id: BeaconId,
		frequency_hz: u64,
		region: Region,
	) -> Result<BeaconOf<T>, Error<T>> {
		let params = Self::params()?;
		let beacon = Self::check_beacon_exists(beacon_id)?;
		Self::check_witness_window_open(&beacon)?;
		Self::check_not_duplicate(beacon_id, witness)?;
		Self::check_same_region(&beacon, region)?;
		Self::check_same_frequency(&beacon, frequency_hz)?;
		let location = Self::check_located_hotspot(witness)?;
		Self::check_plausible_distance(&beacon, &location)?;
		Self::check_witness_budget(witness, &params)?;
		Self::check_roster_place(beacon_id, &Self::roster_rank(beacon_id, &beacon, witness))?;
		Ok(beacon)
	}

	/// A single report's pool validity: the cheap checks, its tag, and how long it lives.
	fn check_witness(
		witness: &T::AccountId,
		beacon_id: BeaconId,
		frequency_hz: u64,
		region: Region,
	) -> Result<ValidTransaction, TransactionValidityError> {
		let beacon =
			Self::check_witness_rules(witness, beacon_id, frequency_hz, region).map_err(invalid)?;
		let now = frame_system::Pallet::<T>::block_number();
		let remaining = beacon.witness_until.saturating_sub(now);
		let longevity = TryInto::<u64>::try_into(remaining).unwrap_or(u64::MAX).saturating_add(1);
		let tag = assay_wire::coverage::witness_pool_tag(beacon_id, witness);
		Ok(assay_primitives::pool::unique_report(tag, longevity))
	}

	/// The witness's signature over its report (the registry's unique-report check).
	fn check_witness_signature(
		r: &crate::RelayedWitness<T::AccountId>,
	) -> Result<(), TransactionValidityError> {
		let payload = assay_wire::coverage::witness_payload(&r.heard());
		T::Reports::validate_unique_report(&r.witness, &payload, &r.signature)?;
		Ok(())
	}

	/// A relayed report, checked when its batch is dispatched: the cheap checks, then its
	/// hotspot's signature (known, Active device; no feeless share, the relay pays).
	pub(crate) fn check_relayed_witness(
		r: &crate::RelayedWitness<T::AccountId>,
	) -> Result<(), Error<T>> {
		Self::check_witness_rules(&r.witness, r.beacon, r.frequency_hz, r.region)?;
		let payload = assay_wire::coverage::witness_payload(&r.heard());
		T::Reports::check_unique_report_signer(&r.witness, &payload, &r.signature)
			.map_err(|_| Error::<T>::InvalidWitnessSignature)
	}

	pub(crate) fn authorize_witness(
		report: &crate::RelayedWitness<T::AccountId>,
	) -> TransactionValidityWithRefund {
		let valid = Self::check_witness(
			&report.witness,
			report.beacon,
			report.frequency_hz,
			report.region,
		)?;
		Self::check_witness_signature(report)?;
		Ok((valid, Weight::zero()))
	}

	/// A relay's batch: every report is checked (`check_relayed_witness`) and recorded as
	/// alone; a refused one is skipped with `RelayedWitnessRefused`. The relay's fee is
	/// waived when every report was recorded (or dropped for a place or budget another
	/// report of the batch took), and paid otherwise: the signatures verified for a report
	/// that fails are the relay's cost, never a free amplifier.
	pub(crate) fn do_relay_witnesses(
		reports: alloc::vec::Vec<crate::RelayedWitness<T::AccountId>>,
		charged: Weight,
	) -> DispatchResultWithPostInfo {
		ensure!(!reports.is_empty(), Error::<T>::EmptyBatch);
		let mut undisplaced = 0u32;
		let mut refused = 0u32;
		for r in reports {
			if let Err(error) = Self::check_relayed_witness(&r) {
				refused = refused.saturating_add(1);
				Self::deposit_event(Event::RelayedWitnessRefused {
					beacon: r.beacon,
					witness: r.witness,
					error: error.into(),
				});
				undisplaced = undisplaced.saturating_add(1);
				continue;
			}
			let displaced = Self::record_relayed_witness(r)?;
			undisplaced = undisplaced.saturating_add(u32::from(!displaced));
		}
		let actual = charged.saturating_sub(Self::displacement_refund(undisplaced));
		let pays_fee = if refused == 0 { Pays::No } else { Pays::Yes };
		Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee })
	}

	/// Records a relayed report whose checks passed (`do_submit_witness` with its fields).
	pub(crate) fn record_relayed_witness(
		r: crate::RelayedWitness<T::AccountId>,
	) -> Result<bool, DispatchError> {
		Self::do_submit_witness(
			r.witness,
			r.beacon,
			r.commitment,
			r.rssi_dbm_x10,
			r.snr_db_x10,
			r.frequency_hz,
			r.region,
		)
	}

	/// Records a report the authorization passed: it spends one of the hotspot's budget and
	/// enters the beacon's roster, dropping the worst-ranked report when the roster is
	/// full. A report of a batch that no longer fits (an earlier report of the same batch
	/// took the place or the budget) is dropped, not an error, so the rest of the batch
	/// stands. Returns whether a stored report was displaced: the weight charged assumes
	/// one was (a write), and calls refund it when none was.
	pub(crate) fn do_submit_witness(
		witness: T::AccountId,
		beacon: BeaconId,
		commitment: [u8; 32],
		rssi_dbm_x10: i16,
		snr_db_x10: i16,
		frequency_hz: u64,
		region: Region,
	) -> Result<bool, DispatchError> {
		let params = Self::params()?;
		let record = Self::check_beacon_exists(beacon)?;
		let dropped = |witness: T::AccountId| {
			Self::deposit_event(Event::WitnessDropped { beacon, witness });
			Ok(false)
		};
		let Ok((bucket, used)) = Self::check_witness_budget(&witness, &params) else {
			return dropped(witness);
		};
		WitnessBudget::<T>::insert(&witness, (bucket, used.saturating_add(1)));
		let rank = Self::roster_rank(beacon, &record, &witness);
		let mut roster = Rosters::<T>::get(beacon);
		let displaced = match keep_lowest(&mut roster, rank, witness.clone()) {
			Some((_, out)) if out == witness => return dropped(witness),
			Some((_, out)) => {
				Witnesses::<T>::remove(beacon, &out);
				Self::deposit_event(Event::WitnessDropped { beacon, witness: out });
				true
			},
			None => false,
		};
		Rosters::<T>::insert(beacon, roster);
		let received_at = frame_system::Pallet::<T>::block_number();
		Witnesses::<T>::insert(
			beacon,
			&witness,
			Witness {
				commitment,
				rssi_dbm_x10,
				snr_db_x10,
				frequency_hz,
				region,
				received_at,
				verdict: Verdict::Pending,
			},
		);
		Self::deposit_event(Event::WitnessReported { beacon, witness });
		Ok(displaced)
	}

	/// The write a report's weight charges for displacing a stored report, refunded for
	/// each report that displaced none.
	pub(crate) fn displacement_refund(undisplaced: u32) -> Weight {
		T::DbWeight::get().writes(undisplaced.into())
	}

	/// A relay's batch of `n`: each report's checks and signature (benchmarked as
	/// `authorize_submit_witnesses`) and its recording (`submit_witnesses`).
	pub(crate) fn relay_weight(n: u32) -> Weight {
		use crate::WeightInfo;
		T::WeightInfo::submit_witnesses(n)
			.saturating_add(T::WeightInfo::authorize_submit_witnesses(n))
	}

	pub(crate) fn authorize_reveal(
		hotspot: &T::AccountId,
		nonce: u64,
		beacon_id: BeaconId,
		local_entropy: &[u8; 32],
		signature: &MultiSignature,
		source: TransactionSource,
	) -> TransactionValidityWithRefund {
		// The cheap checks first (hashes and reads): a reveal that breaks a rule costs no
		// signature check.
		let params = Self::params().map_err(invalid)?;
		let beacon = Self::check_beacon_exists(beacon_id).map_err(invalid)?;
		Self::check_is_beaconer(&beacon, hotspot).map_err(invalid)?;
		Self::check_not_revealed(&beacon).map_err(invalid)?;
		Self::check_reveal_window(&beacon, &params).map_err(invalid)?;
		Self::check_commitment(&beacon, local_entropy).map_err(invalid)?;
		Self::check_channel(&beacon, &checks::payload(&beacon.entropy, local_entropy))
			.map_err(invalid)?;
		Self::check_room_for_reveal().map_err(invalid)?;
		Self::check_owner_queue(hotspot).map_err(invalid)?;
		let payload = assay_wire::coverage::reveal_payload(hotspot, beacon_id, local_entropy);
		let valid = T::Reports::validate_report(hotspot, nonce, &payload, signature, source)?;
		Ok((valid, Weight::zero()))
	}

	pub(crate) fn do_reveal_beacon(
		hotspot: T::AccountId,
		nonce: u64,
		beacon_id: BeaconId,
		local_entropy: [u8; 32],
	) -> DispatchResult {
		T::Reports::consume_report(&hotspot, nonce)?;
		let mut beacon = Self::check_beacon_exists(beacon_id)?;
		let owner = Self::check_owner_queue(&hotspot)?;
		let payload = checks::payload(&beacon.entropy, &local_entropy);
		AwaitingSeed::<T>::try_append(beacon_id).map_err(|_| Error::<T>::TooManyReveals)?;
		RevealedThisBlock::<T>::mutate(|n| n.saturating_inc());
		QueuedOf::<T>::mutate(&owner, |queued| queued.saturating_inc());
		// The witness window is over: the roster has done its work.
		Rosters::<T>::remove(beacon_id);
		beacon.payload = Some(payload);
		beacon.phase = BeaconPhase::Verifying;
		Beacons::<T>::insert(beacon_id, beacon);
		Verifications::<T>::insert(
			beacon_id,
			Verification {
				payload,
				seed: None,
				cursor: None,
				best: Default::default(),
				valid: 0,
				heard: false,
				owner,
			},
		);
		Self::deposit_event(Event::BeaconRevealed { beacon: beacon_id, payload });
		Ok(())
	}
}
