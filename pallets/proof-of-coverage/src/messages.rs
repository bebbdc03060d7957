//! The payloads hotspots sign (through the device registry's report mechanism): pure
//! functions, so devices, clients and tests build the exact same bytes.

use crate::{BeaconId, EntropyIndex, Region};
use alloc::vec::Vec;
use codec::Encode;

/// Domain tag of a beacon.
pub const BEACON_TAG: &[u8] = b"assay/poc-beacon";
/// Domain tag of a witness report.
pub const WITNESS_TAG: &[u8] = b"assay/poc-witness";
/// Domain tag of a reveal.
pub const REVEAL_TAG: &[u8] = b"assay/poc-reveal";

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
	(BEACON_TAG, hotspot, entropy_index, commitment, tx_power_dbm, frequency_hz, region).encode()
}

/// A witness report's payload: `("assay/poc-witness", witness, beacon, commitment,
/// rssi_dbm_x10, snr_db_x10, frequency_hz, region)`, signed as a unique report.
#[allow(clippy::too_many_arguments)]
pub fn witness_payload<AccountId: Encode>(
	witness: &AccountId,
	beacon: BeaconId,
	commitment: &[u8; 32],
	rssi_dbm_x10: i16,
	snr_db_x10: i16,
	frequency_hz: u64,
	region: Region,
) -> Vec<u8> {
	(WITNESS_TAG, witness, beacon, commitment, rssi_dbm_x10, snr_db_x10, frequency_hz, region)
		.encode()
}

/// A reveal's payload: `("assay/poc-reveal", hotspot, beacon, local_entropy)`, signed as
/// a nonce report.
pub fn reveal_payload<AccountId: Encode>(
	hotspot: &AccountId,
	beacon: BeaconId,
	local_entropy: &[u8; 32],
) -> Vec<u8> {
	(REVEAL_TAG, hotspot, beacon, local_entropy).encode()
}
