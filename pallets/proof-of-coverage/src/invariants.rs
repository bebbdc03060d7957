//! `do_try_state`: the invariants proof of coverage keeps, checked by `try-runtime` and after
//! every mock test.

use crate::{Config, Epochs, Pallet};
use assay_primitives::storage_checks::{map_decodes, value_decodes};
use polkadot_sdk::frame_support::ensure;
use polkadot_sdk::frame_support::traits::GetStorageVersion;

impl<T: Config> Pallet<T> {
	/// Invariants: queued beacons are being verified and have their state; each epoch
	/// paid at most its emission; the density queue's bounds match its entries.
	pub fn do_try_state() -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
		ensure!(
			Self::on_chain_storage_version() == crate::STORAGE_VERSION,
			"the stored layout version is not this code's"
		);
		value_decodes::<_, crate::VerifyQueue<T>>("VerifyQueue does not decode")?;
		value_decodes::<_, crate::AwaitingSeed<T>>("AwaitingSeed does not decode")?;
		ensure!(
			crate::RevealedThisBlock::<T>::get() as usize
				<= crate::AwaitingSeed::<T>::decode_len().unwrap_or(0),
			"more reveals in this block than beacons awaiting a seed"
		);
		for id in crate::VerifyQueue::<T>::get()
			.iter()
			.chain(crate::AwaitingSeed::<T>::get().iter())
		{
			let beacon = crate::Beacons::<T>::get(id).ok_or("queued beacon missing")?;
			ensure!(beacon.phase == crate::BeaconPhase::Verifying, "queued beacon not verifying");
			ensure!(
				crate::Verifications::<T>::contains_key(id),
				"queued beacon without verification state"
			);
		}
		for (id, state) in crate::Verifications::<T>::iter() {
			ensure!(state.best.len() as u32 <= state.valid, "more selected than valid");
			ensure!(crate::Beacons::<T>::contains_key(id), "verification of a missing beacon");
		}
		map_decodes::<_, _, crate::Rosters<T>>("Rosters does not decode")?;
		for (beacon, roster) in crate::Rosters::<T>::iter() {
			ensure!(
				roster.iter().all(|(_, w)| crate::Witnesses::<T>::contains_key(beacon, w)),
				"a roster names a report that is not stored"
			);
			ensure!(
				crate::Witnesses::<T>::iter_prefix(beacon).count() == roster.len(),
				"an open beacon stores a report outside its roster"
			);
		}
		let mut queued = alloc::collections::BTreeMap::<T::AccountId, u32>::new();
		for (_, state) in crate::Verifications::<T>::iter() {
			let n = queued.entry(state.owner).or_default();
			*n = n.saturating_add(1);
		}
		ensure!(
			crate::QueuedOf::<T>::iter().count() == queued.len()
				&& crate::QueuedOf::<T>::iter().all(|(owner, n)| queued.get(&owner) == Some(&n)),
			"an owner's queued count is not its beacons being verified"
		);
		for (_, totals) in Epochs::<T>::iter() {
			ensure!(totals.paid <= totals.emission, "an epoch paid more than its emission");
		}
		for (beacon, witness, _) in crate::WitnessFeatures::<T>::iter() {
			ensure!(
				crate::Witnesses::<T>::get(beacon, &witness).is_some_and(|w| matches!(
					w.verdict,
					crate::Verdict::Valid | crate::Verdict::Selected
				)),
				"fraud features of a witness that did not pass"
			);
		}
		let queued = crate::DensityQueue::<T>::iter().count() as u32;
		ensure!(
			queued == Self::density_backlog(),
			"density queue bounds disagree with its entries"
		);
		ensure!(
			queued == crate::DensityQueued::<T>::iter().count() as u32,
			"density queue and its set disagree"
		);
		Ok(())
	}
}
