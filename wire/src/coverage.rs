//! Proof of coverage: regions and their channel plans, and the payloads hotspots sign —
//! beacons and reveals through the nonce-report envelope, witness reports through the
//! unique-report envelope ([`crate::devices`]) — alone or relayed in batches.

use crate::tags;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};

/// A beacon's id.
pub type BeaconId = u64;
/// The index of an entropy value.
pub type EntropyIndex = u32;

/// A LoRaWAN regional plan. Its SCALE index is part of what hotspots sign.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
)]
#[cfg_attr(feature = "scale-info", derive(scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Region {
	/// Europe, 863–870 MHz.
	Eu868,
	/// North America, 902–928 MHz (sub-band 2).
	Us915,
}

impl Region {
	/// Every region, in index order.
	pub const ALL: [Region; 2] = [Region::Eu868, Region::Us915];

	/// The uplink channels of the plan, Hz.
	pub const fn channels(self) -> &'static [u64] {
		match self {
			Region::Eu868 => &[
				867_100_000,
				867_300_000,
				867_500_000,
				867_700_000,
				867_900_000,
				868_100_000,
				868_300_000,
				868_500_000,
			],
			Region::Us915 => &[
				903_900_000,
				904_100_000,
				904_300_000,
				904_500_000,
				904_700_000,
				904_900_000,
				905_100_000,
				905_300_000,
			],
		}
	}

	/// The variant's name, as Polkadot.js and the JS helpers spell it.
	pub const fn name(self) -> &'static str {
		match self {
			Region::Eu868 => "Eu868",
			Region::Us915 => "Us915",
		}
	}

	/// The region with this name, if any.
	pub fn from_name(name: &str) -> Option<Region> {
		Self::ALL.into_iter().find(|region| region.name() == name)
	}
}

/// The channel a beacon payload selects: `u16_le(payload[0..2]) mod channel_count`.
pub fn channel(payload: &[u8; 32], region: Region) -> u64 {
	let channels = region.channels();
	let index = usize::from(u16::from_le_bytes([payload[0], payload[1]])) % channels.len();
	channels[index]
}

/// A beacon's payload: `("assay/poc-beacon", hotspot, entropy_index, commitment,
/// tx_power_dbm, frequency_hz, region)`, signed as a nonce report.
pub fn beacon_payload<AccountId: Encode>(
	hotspot: &AccountId,
	entropy_index: EntropyIndex,
	commitment: &[u8; 32],
	tx_power_dbm: i16,
	frequency_hz: u64,
	region: Region,
) -> Vec<u8> {
	(tags::BEACON, hotspot, entropy_index, commitment, tx_power_dbm, frequency_hz, region).encode()
}

/// What a witness reports hearing (every field of `submit_witness` but the signature).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Heard<'a, AccountId> {
	/// The witness hotspot.
	pub witness: &'a AccountId,
	/// The beacon it heard.
	pub beacon: BeaconId,
	/// `blake2_256(payload ‖ witness_id)` ([`witness_commitment_preimage`]).
	pub commitment: &'a [u8; 32],
	/// Received signal strength, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// Signal-to-noise ratio, tenths of dB.
	pub snr_db_x10: i16,
	/// The frequency it heard, Hz.
	pub frequency_hz: u64,
	/// The witness's regional plan.
	pub region: Region,
}

/// A witness report's payload: `("assay/poc-witness", witness, beacon, commitment,
/// rssi_dbm_x10, snr_db_x10, frequency_hz, region)`, signed as a unique report.
pub fn witness_payload<AccountId: Encode>(heard: &Heard<'_, AccountId>) -> Vec<u8> {
	(
		tags::WITNESS,
		heard.witness,
		heard.beacon,
		heard.commitment,
		heard.rssi_dbm_x10,
		heard.snr_db_x10,
		heard.frequency_hz,
		heard.region,
	)
		.encode()
}

/// The pool tag a witness report provides: `("assay/poc-witness", beacon, witness)`. One
/// report per (beacon, witness), alone or in a relayed batch.
pub fn witness_pool_tag<AccountId: Encode>(beacon: BeaconId, witness: &AccountId) -> Vec<u8> {
	(tags::WITNESS, beacon, witness).encode()
}

/// A reveal's payload: `("assay/poc-reveal", hotspot, beacon, local_entropy)`, signed as a
/// nonce report.
pub fn reveal_payload<AccountId: Encode>(
	hotspot: &AccountId,
	beacon: BeaconId,
	local_entropy: &[u8; 32],
) -> Vec<u8> {
	(tags::REVEAL, hotspot, beacon, local_entropy).encode()
}

/// What is hashed (blake2-256) into a beacon's payload: `entropy ‖ local_entropy`.
pub fn beacon_payload_preimage(entropy: &[u8; 32], local_entropy: &[u8]) -> Vec<u8> {
	let mut bytes = Vec::with_capacity(32 + local_entropy.len());
	bytes.extend_from_slice(entropy);
	bytes.extend_from_slice(local_entropy);
	bytes
}

/// What is hashed (blake2-256) into a witness's commitment: `payload ‖ witness_id`. Bound
/// to the witness's own id, a commitment copied from another witness is worthless.
pub fn witness_commitment_preimage(payload: &[u8; 32], witness: &[u8; 32]) -> [u8; 64] {
	let mut bytes = [0u8; 64];
	bytes[..32].copy_from_slice(payload);
	bytes[32..].copy_from_slice(witness);
	bytes
}

/// One device-signed witness report inside a relayed batch (`submit_witnesses`): the
/// fields of `submit_witness`, in its order, with the witness's own signature.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen)]
#[cfg_attr(feature = "scale-info", derive(scale_info::TypeInfo))]
pub struct RelayedWitness<AccountId, Signature> {
	/// The witness hotspot.
	pub witness: AccountId,
	/// The beacon it heard.
	pub beacon: BeaconId,
	/// `blake2_256(payload ‖ witness_id)`.
	pub commitment: [u8; 32],
	/// Received signal strength, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// Signal-to-noise ratio, tenths of dB.
	pub snr_db_x10: i16,
	/// The frequency it heard, Hz.
	pub frequency_hz: u64,
	/// The witness's regional plan.
	pub region: Region,
	/// The hotspot's signature over the unique-report envelope of its payload.
	pub signature: Signature,
}

impl<AccountId: Encode, Signature> RelayedWitness<AccountId, Signature> {
	/// What the witness reported, without its signature.
	pub fn heard(&self) -> Heard<'_, AccountId> {
		Heard {
			witness: &self.witness,
			beacon: self.beacon,
			commitment: &self.commitment,
			rssi_dbm_x10: self.rssi_dbm_x10,
			snr_db_x10: self.snr_db_x10,
			frequency_hz: self.frequency_hz,
			region: self.region,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn channel_is_the_payload_index_modulo_the_plan() {
		let mut payload = [0u8; 32];
		payload[0] = 9; // 9 mod 8 = 1
		assert_eq!(channel(&payload, Region::Eu868), 867_300_000);
		payload[1] = 1; // 265 mod 8 = 1
		assert_eq!(channel(&payload, Region::Us915), 904_100_000);
	}

	#[test]
	fn region_names_round_trip_and_indices_are_positions() {
		for (index, region) in Region::ALL.into_iter().enumerate() {
			assert_eq!(Region::from_name(region.name()), Some(region));
			assert_eq!(region.encode(), [index as u8]);
		}
	}
}
