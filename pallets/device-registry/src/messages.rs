//! The messages makers and devices sign: pure functions, so clients and tests build the
//! exact same bytes.

use alloc::vec::Vec;
use assay_primitives::DeviceKind;
use codec::Encode;

/// Domain tag of a maker's attestation.
pub const MAKER_ATTEST_TAG: &[u8] = b"assay/maker-attest";
/// Domain tag of a device's registration consent.
pub const REGISTER_TAG: &[u8] = b"assay/register";
/// Domain tag of a device-signed report.
pub const REPORT_TAG: &[u8] = b"assay/report";
/// Domain tag of a device-signed report kept unique by the calling pallet's storage.
pub const UNIQUE_REPORT_TAG: &[u8] = b"assay/unique-report";
/// Domain tag of a heartbeat's payload.
pub const HEARTBEAT_TAG: &[u8] = b"assay/heartbeat";

/// What a maker signs to attest a device: `("assay/maker-attest", device_id, kind)`.
pub fn maker_attestation<AccountId: Encode>(device: &AccountId, kind: DeviceKind) -> Vec<u8> {
	(MAKER_ATTEST_TAG, device, kind).encode()
}

/// What a device signs to consent to its registration:
/// `("assay/register", genesis_hash, owner, kind)`.
pub fn registration<Hash: Encode, AccountId: Encode>(
	genesis_hash: &Hash,
	owner: &AccountId,
	kind: DeviceKind,
) -> Vec<u8> {
	(REGISTER_TAG, genesis_hash, owner, kind).encode()
}

/// What a device signs for a report: `("assay/report", genesis_hash, nonce, payload)`.
pub fn report<Hash: Encode>(genesis_hash: &Hash, nonce: u64, payload: &[u8]) -> Vec<u8> {
	(REPORT_TAG, genesis_hash, nonce, payload).encode()
}

/// What a device signs for a report without a nonce (unique by its own key):
/// `("assay/unique-report", genesis_hash, payload)`.
pub fn unique_report<Hash: Encode>(genesis_hash: &Hash, payload: &[u8]) -> Vec<u8> {
	(UNIQUE_REPORT_TAG, genesis_hash, payload).encode()
}

/// The payload of a heartbeat: `("assay/heartbeat", device)`.
pub fn heartbeat_payload<AccountId: Encode>(device: &AccountId) -> Vec<u8> {
	(HEARTBEAT_TAG, device).encode()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn messages_are_domain_separated() {
		let device = [1u8; 32];
		let kind = DeviceKind::Hotspot;
		let attest = maker_attestation(&device, kind);
		let register = registration(&[0u8; 32], &device, kind);
		assert!(attest.starts_with(&(MAKER_ATTEST_TAG).encode()));
		assert!(register.starts_with(&(REGISTER_TAG).encode()));
		assert_ne!(attest, register);
		assert_ne!(
			report(&[0u8; 32], 0, &heartbeat_payload(&device)),
			report(&[0u8; 32], 1, &heartbeat_payload(&device))
		);
	}
}
